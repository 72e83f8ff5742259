import TinyGraph

enum InspectCommand {
    static let spec = CommandSpec(
        name: "inspect",
        abstract: "Show a model's inputs, outputs, ops, parameters, multiply-adds and memory plan.",
        discussion: """
            A quantized TFLite model's inputs and outputs show the file's type (int8, uint8) and
            quantization; `run` and `bench` still take and give float32, quantized and dequantized
            with those parameters. --tensors lists every tensor of a TFLite file the outputs need,
            with its type and quantization (per-tensor scale and zero point, or per-channel scales).
            """,
        arguments: [ModelOptions.model],
        options: [
            CommandSpec.Option(name: "json", valueName: nil, help: "Print one JSON object instead of text (it always has \"tensors\")."),
            CommandSpec.Option(name: "tensors", valueName: nil, help: "List each tensor of a TFLite file with its type and quantization."),
            ModelOptions.inputShape,
            ModelOptions.outputNode(repeatable: true),
        ])

    static func run(_ parsed: ParsedArguments) throws {
        let loaded = try ModelOptions.load(parsed)
        let path = parsed.arguments[0]
        let summary = loaded.summary
        if parsed.flag("json") {
            print(InspectReport.json(path: path, model: loaded, summary: summary))
        } else {
            print(InspectReport.text(path: path, model: loaded, summary: summary, listTensors: parsed.flag("tensors")))
        }
    }
}

/// The two renderings of `inspect`.
enum InspectReport {
    static func text(path: String, model: Model, summary: ModelSummary, listTensors: Bool = false) -> String {
        var lines: [String] = ["model \(path)"]
        for input in model.inputs { lines.append("input  " + edge(input)) }
        for output in model.outputs { lines.append("output " + edge(output)) }
        if !summary.fileTensors.isEmpty { lines.append("tensors        " + tensorCounts(summary.fileTensors)) }
        lines.append("parameters     \(grouped(summary.parameterCount)) (\(bytes(summary.weightByteCount)) of constants)")
        lines.append("multiply-adds  \(grouped(summary.multiplyAdds))")
        lines.append("arena          \(bytes(summary.arenaByteCount)) planned (\(bytes(summary.unsharedActivationByteCount)) without sharing)")
        lines.append("ops in file (nodes the outputs need):")
        for (op, count) in sortedCounts(summary.fileOpCounts) { lines.append("  \(pad(op, 24)) \(count)") }
        lines.append("ops at run time (after folding):")
        for (op, count) in sortedCounts(summary.runtimeOpCounts) { lines.append("  \(pad(op, 24)) \(count)") }
        if listTensors {
            lines.append(summary.fileTensors.isEmpty ? "tensors: none listed (a GraphDef has no per-tensor types or quantization)" : "tensors (file order of first use):")
            for tensor in summary.fileTensors {
                var line = "  \(tensor.name) \(describe(tensor.shape)) \(tensor.type)"
                if let quantization = tensor.quantization { line += " " + quantization.description }
                if tensor.isConstant { line += " (constant)" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "serving_default_x:0 [1, 224, 224, 3] int8 scale 0.0078 zero point -1 (run takes float32)"
    static func edge(_ tensor: Model.TensorInfo) -> String {
        var text = "\(tensor.name) \(describe(tensor.shape)) \(tensor.dtype.name)"
        if let quantization = tensor.quantization { text += " " + quantization.description + " (run takes and gives float32)" }
        return text
    }

    /// "178 in the file: float32 2, int32 52, int8 124; 52 quantized per channel"
    static func tensorCounts(_ tensors: [FileTensor]) -> String {
        var byType: [String: Int] = [:]
        for tensor in tensors { byType[tensor.type, default: 0] += 1 }
        let types = byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let perChannel = tensors.filter { $0.quantization?.isPerChannel == true }.count
        return "\(tensors.count) in the file: \(types); \(perChannel) quantized per channel (list: --tensors)"
    }

    static func quantizationJSON(_ quantization: Quantization?) -> JSON {
        guard let quantization else { return .null }
        return .object([
            ("scales", .array(quantization.scales.map { .double(Double($0)) })),
            ("zero_points", .array(quantization.zeroPoints.map { .int($0) })),
            ("dimension", .int(quantization.dimension)),
        ])
    }

    static func json(path: String, model: Model, summary: ModelSummary) -> String {
        func tensors(_ list: [Model.TensorInfo]) -> JSON {
            .array(list.map {
                .object([("name", .string($0.name)), ("shape", .array($0.shape.map { .int($0) })), ("dtype", .string($0.dtype.name)),
                         ("quantization", quantizationJSON($0.quantization))])
            })
        }
        let fileTensors = JSON.array(summary.fileTensors.map {
            .object([("name", .string($0.name)), ("shape", .array($0.shape.map { .int($0) })), ("type", .string($0.type)),
                     ("quantization", quantizationJSON($0.quantization)), ("constant", .bool($0.isConstant))])
        })
        func counts(_ table: [String: Int]) -> JSON {
            .object(sortedCounts(table).map { ($0.0, .int($0.1)) })
        }
        let report = JSON.object([
            ("model", .string(path)),
            ("inputs", tensors(model.inputs)),
            ("outputs", tensors(model.outputs)),
            ("parameters", .int(summary.parameterCount)),
            ("weight_bytes", .int(summary.weightByteCount)),
            ("multiply_adds", .int(summary.multiplyAdds)),
            ("arena_bytes", .int(summary.arenaByteCount)),
            ("unshared_activation_bytes", .int(summary.unsharedActivationByteCount)),
            ("file_op_counts", counts(summary.fileOpCounts)),
            ("runtime_op_counts", counts(summary.runtimeOpCounts)),
            ("tensors", fileTensors),
        ])
        return report.rendered
    }

    static func sortedCounts(_ table: [String: Int]) -> [(String, Int)] {
        table.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// 287465012 → "287,465,012"
    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// 2921512 → "2.79 MiB"
    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(units[unit])"
    }
}
