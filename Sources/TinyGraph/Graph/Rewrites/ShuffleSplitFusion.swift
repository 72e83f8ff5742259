/// ShuffleNetV2 shuffles channels and then splits them in half:
/// Transpose (swap the last two dims of [..., G, C/G]) → Reshape [..., C] → Split.
/// When each node's output is read only by the next one, the three become one
/// step (`LayoutOp.Kind.shuffleSplit`) that interleaves straight into the split
/// outputs: the shuffled tensor, and the split's copy of it, no longer exist.
///
/// A shuffle whose result is not split that way becomes the same step with one
/// part (still reported as a Transpose), so that it too splits over threads.
///
/// The fused node takes the Split's place in the execution order. That is safe
/// because the Transpose and Reshape fed only the Split, and their input stays
/// alive until then (the planner sees the fused step read it).
enum ShuffleSplitFusion {
    static func apply(to graph: inout Graph) {
        let uses = GraphUses(graph)
        var removed = [Bool](repeating: false, count: graph.nodes.count)

        for index in graph.nodes.indices where !removed[index] {
            let transpose = graph.nodes[index]
            guard case .layout(let op) = transpose.operation, case .transpose(let perm) = op.kind,
                  transpose.inputs.count == 1, transpose.outputs.count == 1 else { continue }
            let type = graph.values[transpose.inputs[0]].type
            let rank = type.shape.count
            guard rank >= 2, type.dtype.byteSize == 4, perm == Array(0..<(rank - 2)) + [rank - 1, rank - 2] else { continue }
            let groups = type.shape[rank - 2], channels = groups * type.shape[rank - 1]
            guard (2...4).contains(groups), channels > 0 else { continue }
            // A shuffle without the split (the last of each ShuffleNetV2 stage) is a
            // shuffle into one part: the same bytes, and its pixels split over threads.
            graph.nodes[index].operation = .layout(LayoutOp(kind: .shuffleSplit(groups: groups, channels: channels, parts: [channels])))
            guard let reshape = uses.soleConsumer(of: transpose.outputs[0]), !removed[reshape],
                  case .layout(let relabel) = graph.nodes[reshape].operation, relabel.kind == .reshape,
                  graph.nodes[reshape].inputs == transpose.outputs, graph.nodes[reshape].outputs.count == 1,
                  let split = uses.soleConsumer(of: graph.nodes[reshape].outputs[0]), !removed[split],
                  case .layout(let cut) = graph.nodes[split].operation, case .split(_, let parts) = cut.kind,
                  graph.nodes[split].inputs == graph.nodes[reshape].outputs, graph.nodes[split].outputs.count == parts.count,
                  parts.reduce(0, +) == channels, parts.allSatisfy({ $0 % groups == 0 }) else { continue }
            graph.nodes[split].operation = .layout(LayoutOp(kind: .shuffleSplit(groups: groups, channels: channels, parts: parts)))
            graph.nodes[split].inputs = transpose.inputs
            graph.nodes[split].opType = "Transpose+Split"
            graph.nodes[split].name = transpose.name + "+" + graph.nodes[split].name
            removed[index] = true
            removed[reshape] = true
        }

        graph.removeNodes(removed)
    }
}
