/// Makes a channel ConcatV2 free: each input computed by a packed Conv2D that
/// nothing else reads is computed inside the concatenation step, straight into its
/// channels of the output (`ChannelConcatOp`); other inputs are copied in there.
/// The convolutions' own outputs, and the copies of them, no longer exist: on
/// SqueezeNet 1.1 that is both expand outputs of all eight fire modules.
///
/// The absorbed convolutions now run at the concatenation's position. That is
/// safe because their outputs were read by the concatenation alone, and their
/// inputs stay alive until then (the planner sees the fused step read them).
enum ConcatFusion {
    static func apply(to graph: inout Graph) {
        let uses = GraphUses(graph)
        var removed = [Bool](repeating: false, count: graph.nodes.count)

        for index in graph.nodes.indices {
            let concat = graph.nodes[index]
            guard case .layout(let layout) = concat.operation, case .concat(let outer, let inner) = layout.kind,
                  concat.outputs.count == 1, concat.inputs.count == inner.count,
                  graph.values[concat.outputs[0]].type.dtype == .float32 else { continue }
            var parts: [ChannelConcatOp.Part] = []
            var inputs: [Int] = []
            var absorbed: [Int] = []
            func position(_ value: Int) -> Int {
                if let existing = inputs.firstIndex(of: value) { return existing }
                inputs.append(value)
                return inputs.count - 1
            }
            for (k, value) in concat.inputs.enumerated() {
                if let producer = absorbableConvolution(value, channels: inner[k], pixels: outer, concat: index, graph, uses, removed),
                   case .convolution(let op) = graph.nodes[producer].operation {
                    parts.append(.convolution(op, input: position(graph.nodes[producer].inputs[0]),
                                              outputShape: graph.values[value].type.shape))
                    absorbed.append(producer)
                } else {
                    parts.append(.copy(input: position(value)))
                }
            }
            guard !absorbed.isEmpty else { continue }
            for producer in absorbed { removed[producer] = true }
            graph.nodes[index].operation = .channelConcat(ChannelConcatOp(parts: parts, channels: inner, pixels: outer))
            graph.nodes[index].inputs = inputs
            // "Conv2D+ConcatV2" (TFLite: "CONV_2D+CONCATENATION"), like PoolFusion's names.
            graph.nodes[index].opType = graph.nodes[absorbed[0]].opType + "+" + concat.opType
        }

        graph.removeNodes(removed)
    }

    /// The node computing `value` when it is a packed, unfused Conv2D on one runtime
    /// input whose [N, H, W, C] output is read only by this concatenation, once,
    /// as `pixels` blocks of `channels` (the concatenation is on the channel axis).
    private static func absorbableConvolution(
        _ value: Int, channels: Int, pixels: Int, concat: Int, _ graph: Graph, _ uses: GraphUses, _ removed: [Bool]
    ) -> Int? {
        guard let producer = uses.producer[value], !removed[producer], uses.soleConsumer(of: value) == concat,
              graph.nodes[concat].inputs.filter({ $0 == value }).count == 1 else { return nil }
        let node = graph.nodes[producer]
        guard case .convolution(let op) = node.operation, op.kind == .conv2D, op.packedWeights != nil, op.fusedPool == nil,
              node.outputs == [value], node.inputs.count == 1 else { return nil }
        let shape = graph.values[value].type.shape
        guard shape.count == 4, shape[3] == channels, shape[0] * shape[1] * shape[2] == pixels else { return nil }
        return producer
    }
}
