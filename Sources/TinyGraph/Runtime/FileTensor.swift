/// A tensor of the model file that the outputs depend on, with its type and
/// quantization as the file gives them (`ModelSummary.fileTensors`, what
/// `tinygraph inspect --tensors` lists). Read from TFLite models; a GraphDef has no
/// per-tensor table, so its list is empty.
public struct FileTensor: Equatable, Sendable {
    public var name: String
    /// The file's shape (a batch of -1 or 1 as written).
    public var shape: [Int]
    /// The file's element type in lower case: "float32", "float16", "int8", "uint8",
    /// "int32"…
    public var type: String
    /// Scales and zero points when the file gives them (quantized tensors).
    public var quantization: Quantization?
    /// Whether the file holds its values (weights, biases) rather than a step computing them.
    public var isConstant: Bool

    public init(name: String, shape: [Int], type: String, quantization: Quantization?, isConstant: Bool) {
        self.name = name
        self.shape = shape
        self.type = type
        self.quantization = quantization
        self.isConstant = isConstant
    }
}

extension TFLiteGraphBuilder {
    /// The file's tensors that the needed operators read or write, in order of first use.
    func fileTensors(_ order: [Int], outputs: [Int]) -> [FileTensor] {
        var seen = [Bool](repeating: false, count: subgraph.tensors.count)
        var result: [FileTensor] = []
        func visit(_ index: Int) {
            guard index >= 0, index < seen.count, !seen[index] else { return }
            seen[index] = true
            let tensor = subgraph.tensors[index]
            // As read: the importer checks only the tables the operators use, so an
            // absurd zero point is clamped here rather than trusted.
            let quantization = tensor.quantization.map {
                Quantization(scales: $0.scales, zeroPoints: $0.zeroPoints.map { Int(clamping: $0) }, dimension: Int($0.dimension))
            }
            var type: [UInt8] = []
            for byte in tensor.typeName.utf8 { type.append(byte >= 65 && byte <= 90 ? byte + 32 : byte) }
            result.append(FileTensor(name: tensor.name, shape: tensor.shape.map { Int($0) },
                                     type: String(decoding: type, as: UTF8.self), quantization: quantization,
                                     isConstant: constantData(ofTensor: index) != nil))
        }
        for index in order {
            let op = subgraph.operators[index]
            for input in op.inputs { visit(Int(input)) }
            for output in op.outputs { visit(Int(output)) }
        }
        for output in outputs { visit(output) }
        return result
    }
}
