import TinyGraph
#if canImport(Glibc)
import Glibc
#endif

/// `tinygraph`: inspect, run and benchmark TensorFlow frozen graphs and TFLite models with TinyGraph.
@main
enum TinyGraphCommand {
    static let overview = """
        OVERVIEW: Inspect, run and benchmark TensorFlow frozen graphs (model.pb) and TFLite models (.tflite) with the TinyGraph engine.

        Models are frozen GraphDefs such as Azure Custom Vision's TensorFlow export, or TensorFlow
        Lite files recognised by their "TFL3" identifier: float32 (float16 weights included) and
        quantized int8 or uint8. Tensors on disk are raw little-endian float32 in the model's NHWC
        order, also for a quantized model's integer input and output (quantized and dequantized
        with the model's own scale and zero point).

        USAGE: tinygraph <subcommand> [options]

        SUBCOMMANDS:
          inspect   \(InspectCommand.spec.abstract)
          run       \(RunCommand.spec.abstract)
          bench     \(BenchCommand.spec.abstract)
          head      \(HeadCommand.spec.abstract)

          See 'tinygraph <subcommand> --help' for the options of each.
        """

    static func main() {
        let words = CommandLine.arguments.dropFirst()
        guard let subcommand = words.first, subcommand != "-h", subcommand != "--help", subcommand != "help" else {
            print(overview)
            exit(words.isEmpty ? 64 : 0)
        }
        let rest = words.dropFirst()
        let status: Int32
        switch subcommand {
        case "inspect": status = execute(InspectCommand.spec, rest, InspectCommand.run)
        case "run": status = execute(RunCommand.spec, rest, RunCommand.run)
        case "bench": status = execute(BenchCommand.spec, rest, BenchCommand.run)
        case "head": status = execute(HeadCommand.spec, rest, HeadCommand.run)
        default:
            printError("unknown subcommand '\(subcommand)'; see 'tinygraph --help'")
            status = 64
        }
        exit(status)
    }

    /// Parses, prints help if asked, runs; usage errors exit 64, failures 1, each as one line.
    private static func execute(_ spec: CommandSpec, _ words: ArraySlice<String>, _ body: (ParsedArguments) throws -> Void) -> Int32 {
        do {
            let parsed = try ParsedArguments(words, spec: spec)
            if parsed.wantsHelp {
                print(spec.help)
                return 0
            }
            try body(parsed)
            return 0
        } catch let error as UsageError {
            printError(error.message)
            return 64
        } catch let error as TinyGraphError {
            printError(error.description)
            return 1
        } catch let error as CommandFailure {
            printError(error.message)
            return 1
        } catch {
            printError("\(error)")
            return 1
        }
    }
}

/// Options shared by the subcommands that load a model.
enum ModelOptions {
    static let model = CommandSpec.Argument(name: "model", help: "Path of the frozen GraphDef (.pb) or TFLite model (.tflite).")
    static let inputShape = CommandSpec.Option(
        name: "input-shape", valueName: "dims",
        help: "Shape of the model's input, e.g. 1,227,227,3 (default: the Placeholder's or input tensor's shape with batch 1).")

    static let threads = CommandSpec.Option(
        name: "threads", valueName: "n",
        help: "Threads each inference uses (default 1; 0: one per core). Results are the same bits for every count.")

    static func outputNode(repeatable: Bool) -> CommandSpec.Option {
        CommandSpec.Option(
            name: "output-node", valueName: "name",
            help: "Tensor to compute, e.g. loss or node:1 (default: model_outputs, else loss, else the graph's sinks; a TFLite model's outputs)."
                + (repeatable ? " Repeatable." : ""),
            repeatable: repeatable)
    }

    static func load(_ parsed: ParsedArguments) throws -> Model {
        var options = LoadOptions(outputNames: parsed.allValues("output-node"))
        if let text = parsed.value("input-shape") { options.inputShape = try parseShape(text) }
        if parsed.value("threads") != nil {
            options.threads = try parsed.integer("threads", default: 1, atLeast: 0)
            guard options.threads <= LoadOptions.maximumThreads else {
                throw UsageError("--threads must be at most \(LoadOptions.maximumThreads), got \(options.threads)")
            }
        }
        return try Model(contentsOf: parsed.arguments[0], options: options)
    }
}

func parseShape(_ text: String) throws(UsageError) -> [Int] {
    var dims: [Int] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let dim = Int(part.trimmingSpaces), dim > 0 else {
            throw UsageError("--input-shape '\(text)' is not a list of positive integers such as 1,227,227,3")
        }
        dims.append(dim)
    }
    return dims
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
