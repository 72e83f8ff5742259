import TinyGraph

enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run a model on a raw float32 input and write its output.",
        discussion: """
            The input file holds raw little-endian float32 values in the model input's NHWC
            order (e.g. 1×227×227×3 for a Custom Vision export: BGR, 0–255). The output is
            written the same way (integer outputs as float32), atomically. A quantized TFLite model
            with int8 or uint8 input and output still takes and gives float32 here: the input is
            quantized and the output dequantized with the model's own scale and zero point. Prints
            the output's shape and its largest values, with labels from labels.txt beside the model
            if present.
            """,
        arguments: [ModelOptions.model],
        options: [
            CommandSpec.Option(name: "input", valueName: "file", help: "Raw little-endian float32 input tensor (required)."),
            CommandSpec.Option(name: "output", valueName: "file", help: "Where to write the output tensor, raw float32 (required)."),
            ModelOptions.inputShape,
            ModelOptions.outputNode(repeatable: false),
            ModelOptions.threads,
            CommandSpec.Option(name: "top", valueName: "n", help: "How many of the largest output values to print (default 5)."),
        ])

    static func run(_ parsed: ParsedArguments) throws {
        let input = try parsed.required("input")
        let output = try parsed.required("output")
        let top = try parsed.integer("top", default: 5, atLeast: 0)
        let modelPath = parsed.arguments[0]
        let loaded = try ModelOptions.load(parsed)
        guard loaded.inputs.count == 1 else {
            throw CommandFailure("the model has \(loaded.inputs.count) inputs; run takes one")
        }
        guard loaded.outputs.count == 1 else {
            let names = loaded.outputs.map(\.name).joined(separator: ", ")
            throw CommandFailure("the model has \(loaded.outputs.count) outputs (\(names)); choose one with --output-node")
        }
        let data = try FileIO.readFloats(input)
        let expected = loaded.inputs[0].elementCount
        guard data.count == expected else {
            throw CommandFailure("\(input) holds \(data.count) float32 values; input '\(loaded.inputs[0].name)' \(describe(loaded.inputs[0].shape)) needs \(expected) (\(expected * 4) bytes)")
        }
        let result = try loaded.run(data)[0]
        try FileIO.writeFloats(result.values, to: output)

        let dequantized = loaded.outputs[0].quantization == nil ? "" : " (dequantized to float32)"
        print("output \(result.name) \(describe(result.shape)) \(result.dtype.name)\(dequantized) → \(output)")
        let labels = FileIO.readLines(FileIO.directory(of: modelPath) + "/labels.txt")
        let ranked = result.values.indices.sorted { result.values[$0] > result.values[$1] }
        for index in ranked.prefix(top) {
            var line = "  [\(index)] \(result.values[index])"
            if let labels, labels.count == result.values.count { line += "  \(labels[index])" }
            print(line)
        }
    }
}

func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
