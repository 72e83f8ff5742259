/// Broadcasting arithmetic, activations and SOFTMAX: each maps onto the engine's
/// elementwise and reduction ops. Those with no single engine op are composed of
/// several steps: RELU_N1_TO_1 = min(max(x, −1), 1); HARD_SWISH = x · relu6(x + 3) / 6
/// (TFLite's order of operations); SOFTMAX with β ≠ 1 = softmax(β · x).
extension TFLiteGraphBuilder {
    /// ADD, SUB, MUL, DIV (with a fused activation in their options, field 0),
    /// MAXIMUM and MINIMUM (`optionsType` nil).
    mutating func importBinary(_ op: Operator, _ tfOp: String, _ optionsType: TFLiteOptionsType?) throws(TinyGraphError) {
        var activation: Int8 = 0
        if let optionsType {
            activation = try tfliteActivation(op.options(optionsType, op: opName, node: nodeName), id: 0)
        } else {
            _ = try op.options(.maximumMinimum, op: opName, node: nodeName)
        }
        var output = try emit1(tfOp, [try input(op, 0), try input(op, 1)])
        output = try applyActivation(activation, to: output)
        try bind(op, output: 0, to: output)
    }

    mutating func importUnary(_ op: Operator, _ tfOp: String) throws(TinyGraphError) {
        try bind(op, output: 0, to: try emit1(tfOp, [try input(op, 0)]))
    }

    mutating func importReluN1To1(_ op: Operator) throws(TinyGraphError) {
        try bind(op, output: 0, to: try clamp(try input(op, 0), -1, 1))
    }

    /// LeakyReluOptions: alpha (0, float, default 0).
    mutating func importLeakyRelu(_ op: Operator) throws(TinyGraphError) {
        let alpha = try op.options(.leakyRelu, op: opName, node: nodeName)?.float32(0, "alpha") ?? 0
        try bind(op, output: 0, to: try emit1("LeakyRelu", [try input(op, 0)], ["alpha": .float(alpha)]))
    }

    /// x · min(max(x + 3, 0), 6) / 6, in the order of TFLite's reference kernel.
    mutating func importHardSwish(_ op: Operator) throws(TinyGraphError) {
        let x = try input(op, 0)
        let shifted = try emit1("AddV2", [x, scalarFloat(3)], step: "add3")
        let gate = try emit1("Relu6", [shifted], step: "relu6")
        let product = try emit1("Mul", [x, gate], step: "mul")
        try bind(op, output: 0, to: try emit1("RealDiv", [product, scalarFloat(6)], step: "div6"))
    }

    /// SoftmaxOptions: beta (0, float, default 0). Over the last axis.
    mutating func importSoftmax(_ op: Operator) throws(TinyGraphError) {
        let beta = try op.options(.softmax, op: opName, node: nodeName)?.float32(0, "beta") ?? 0
        var logits = try input(op, 0)
        if beta != 1 {
            logits = try emit1("Mul", [logits, scalarFloat(beta)], step: "beta")
        }
        try bind(op, output: 0, to: try emit1("Softmax", [logits]))
    }
}
