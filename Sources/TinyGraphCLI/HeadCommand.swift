import TinyGraph

enum HeadCommand {
    static let spec = CommandSpec(
        name: "head",
        abstract: "Show a classifier's last layer, or write a copy of the model with new head weights.",
        discussion: """
            The head is the last MatMul or 1×1 Conv2D (TFLite: FULLY_CONNECTED or CONV_2D) with a
            constant bias before the final Softmax or Sigmoid. Its input is the embedding: run the
            model with --output-node set to it to compute embeddings. With --weights, --bias and
            --out, writes a copy of MODEL (same format) with those weights: raw little-endian
            float32, class-major (classes × embedding size) and one bias per class; the number of
            classes may change. Every byte of a .pb outside the changed constants is kept.
            """,
        arguments: [ModelOptions.model],
        options: [
            CommandSpec.Option(name: "json", valueName: nil, help: "Print one JSON object instead of text."),
            ModelOptions.outputNode(repeatable: false),
            CommandSpec.Option(name: "weights", valueName: "file", help: "New weights, raw float32, classes × embedding size."),
            CommandSpec.Option(name: "bias", valueName: "file", help: "New bias, raw float32, one per class."),
            CommandSpec.Option(name: "out", valueName: "file", help: "Where to write the model with the new head (atomically)."),
        ])

    static func run(_ parsed: ParsedArguments) throws {
        let path = parsed.arguments[0]
        let bytes = try FileIO.read(path)
        let head = try ClassifierHead(model: bytes, outputName: parsed.value("output-node"))
        let writing = ["weights", "bias", "out"].filter { parsed.value($0) != nil }
        if !writing.isEmpty {
            guard writing.count == 3 else { throw UsageError("--weights, --bias and --out go together") }
            let weights = try FileIO.readFloats(try parsed.required("weights"))
            let bias = try FileIO.readFloats(try parsed.required("bias"))
            let written = try head.writing(weights: weights, bias: bias, into: bytes)
            try FileIO.writeAtomically(written, to: try parsed.required("out"))
        }
        if parsed.flag("json") {
            print(JSON.object([
                ("model", .string(path)),
                ("output", .string(head.outputName)),
                ("activation", .string(head.activation.rawValue)),
                ("layer", .string(head.layerOp)),
                ("weights", .string(head.weightsName)),
                ("bias", .string(head.biasName)),
                ("embedding", .string(head.embeddingName)),
                ("embedding_size", .int(head.embeddingSize)),
                ("classes", .int(head.classCount)),
            ]).rendered)
        } else {
            print("""
                model      \(path)
                output     \(head.outputName) (\(head.activation.rawValue), \(head.classCount) classes)
                layer      \(head.layerOp): weights \(head.weightsName), bias \(head.biasName)
                embedding  \(head.embeddingName) (\(head.embeddingSize) values)
                """)
        }
        if let out = parsed.value("out") { print("wrote \(out)") }
    }
}
