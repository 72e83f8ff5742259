/// Static facts about a loaded model, as `tinygraph inspect` reports them.
public struct ModelSummary: Sendable {
    /// Op type → node count in the file, over the nodes the outputs depend on.
    public var fileOpCounts: [String: Int]
    /// Top-level name scopes of those nodes (`data_bn` for `data_bn/mean`): Custom
    /// Vision exports subtract the mean inside the graph exactly when `data_bn` is there.
    public var fileScopes: Set<String>
    /// Op type → node count executed at run time, after folding and dropping Identity/NoOp.
    public var runtimeOpCounts: [String: Int]
    /// Values the model computes with after folding: filters and their biases (one
    /// per output channel of every packed convolution, float32 or quantized), and
    /// the float32 constants other steps read.
    public var parameterCount: Int
    /// Bytes of all constants read at run time.
    public var weightByteCount: Int
    /// Multiply-adds of one run (convolutions and matrix products, float or quantized).
    public var multiplyAdds: Int
    /// Bytes of the activation arena (inputs, outputs and intermediates).
    public var arenaByteCount: Int
    /// Bytes the activations would take without sharing memory between them.
    public var unsharedActivationByteCount: Int
    /// The file's tensors the outputs depend on, each with its type and quantization
    /// (TFLite models; empty for a GraphDef, whose tensors carry no such table).
    public var fileTensors: [FileTensor]
}

extension Model {
    public var summary: ModelSummary {
        var runtimeOpCounts: [String: Int] = [:]
        var multiplyAdds = 0
        var constantIDs: [Int] = []
        for node in graph.nodes {
            runtimeOpCounts[node.opType, default: 0] += 1
            multiplyAdds += Self.multiplyAdds(node, graph)
            for id in node.inputs where graph.values[id].isConstant && !constantIDs.contains(id) { constantIDs.append(id) }
        }
        for id in graph.outputs where graph.values[id].isConstant && !constantIDs.contains(id) { constantIDs.append(id) }
        var parameterCount = 0
        var weightBytes = 0
        for node in graph.nodes {
            // Filters packed at load live in the op, not in a constant value, with the
            // bias (folded BiasAdd, batch norm) beside them.
            for op in node.operation.convolutions {
                guard let packed = op.packedWeights else { continue }
                parameterCount += packed.kernelHeight * packed.kernelWidth * packed.inChannels * (op.kind == .conv2D ? packed.outChannels : 1)
                parameterCount += packed.outChannels
                weightBytes += packed.storage.byteCount
            }
        }
        for node in graph.nodes {
            // Quantized filters, packed at load (or kept as the file has them).
            guard case .quantized(.convolution(let op)) = node.operation else { continue }
            parameterCount += op.kernelHeight * op.kernelWidth * (op.kind == .conv2D || op.kind == .fullyConnected ? op.inChannels : 1) * op.outChannels
            parameterCount += op.outChannels
            weightBytes += node.operation.quantizedWeightByteCount
        }
        for id in constantIDs {
            let type = graph.values[id].type
            if type.dtype == .float32 { parameterCount += type.elementCount }
            weightBytes += type.byteCount
        }
        var unshared = 0
        for lifetime in MemoryPlanner.lifetimes(graph) { unshared += lifetime.byteCount }
        return ModelSummary(fileOpCounts: graph.fileOpCounts, fileScopes: graph.fileScopes, runtimeOpCounts: runtimeOpCounts, parameterCount: parameterCount,
                            weightByteCount: weightBytes, multiplyAdds: multiplyAdds, arenaByteCount: plan.memoryPlan.arenaByteCount,
                            unsharedActivationByteCount: unshared, fileTensors: graph.fileTensors)
    }

    static func multiplyAdds(_ node: Node, _ graph: Graph) -> Int {
        guard let output = node.outputs.first else { return 0 }
        var outputCount = graph.values[output].type.elementCount
        switch node.operation {
        case .convolution(let op):
            // A fused MaxPool's step still computes every convolution output.
            if let pool = op.fusedPool { outputCount = TensorType(.float32, pool.convolutionOutputShape).elementCount }
            // Each output element sums KH×KW taps over the input channels (one channel for depthwise).
            let filter = op.packedWeights.map { [$0.kernelHeight, $0.kernelWidth, $0.inChannels] }
                ?? Array(graph.values[node.inputs[1]].type.shape.prefix(3))
            return outputCount * filter[0] * filter[1] * (op.kind == .conv2D ? filter[2] : 1)
        case .channelConcat(let op):
            // Each convolution computed in place, counted as if it ran alone.
            return op.convolutions.reduce(0) { sum, part in
                let filter = part.op.packedWeights.map { [$0.kernelHeight, $0.kernelWidth, $0.inChannels] } ?? [0, 0, 0]
                return sum + TensorType(.float32, part.outputShape).elementCount * filter[0] * filter[1] * filter[2]
            }
        case .quantized(.convolution(let op)):
            return op.multiplyAdds(outputCount: outputCount)
        case .matMul:
            // Each output element is a dot product over the inner dimension.
            let a = graph.values[node.inputs[0]].type
            let rows = graph.values[output].type.shape.first ?? 1
            return rows > 0 ? outputCount * (a.elementCount / rows) : 0
        default:
            return 0
        }
    }
}
