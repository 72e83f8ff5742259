/// Streams a Conv2D into the MaxPool that reads it: when a packed Conv2D's output
/// (after its fused epilogue) is read only by a MaxPool and is not a model output,
/// the two become one step that computes the convolution a few rows at a time into
/// a ring of `min(poolWindowHeight, convHeight)` rows and pools each window row band
/// from there. The full convolution output never exists, so the arena no longer
/// holds it (on SqueezeNet 1.1 at 227², conv1's 113×113×64 floats, 3.27 MB).
///
/// The ring is a value of its own, the fused node's second output, so the memory
/// planner places it in the arena like any other activation (alive during that one
/// step). The node keeps the convolution's position in the execution order, which
/// is safe because the pool read nothing else. Its op type and name join both
/// ("Conv2D+MaxPool", "conv1/Conv2D+pool1").
enum PoolFusion {
    static func apply(to graph: inout Graph) {
        let uses = GraphUses(graph)
        var removed = [Bool](repeating: false, count: graph.nodes.count)

        for index in graph.nodes.indices {
            guard case .convolution(var op) = graph.nodes[index].operation, op.kind == .conv2D, let packed = op.packedWeights,
                  op.fusedPool == nil, graph.nodes[index].outputs.count == 1 else { continue }
            let convolved = graph.nodes[index].outputs[0]
            let shape = graph.values[convolved].type.shape
            guard shape.count == 4, shape[3] == packed.outChannels, graph.values[convolved].type.dtype == .float32,
                  let next = uses.soleConsumer(of: convolved), !removed[next],
                  case .pooling(let pool) = graph.nodes[next].operation, pool.kind == .max,
                  graph.nodes[next].inputs == [convolved], graph.nodes[next].outputs.count == 1 else { continue }
            let ringRows = SIMDConvolution.ringRowCount(poolWindowHeight: pool.windowH, convolutionHeight: shape[1])
            let ring = graph.values.count
            graph.values.append(Value(name: graph.nodes[next].name + "/convolution_rows",
                                      type: TensorType(.float32, [ringRows, shape[2], shape[3]])))
            op.fusedPool = FusedMaxPool(pooling: pool, convolutionOutputShape: shape)
            graph.nodes[index].operation = .convolution(op)
            graph.nodes[index].outputs = [graph.nodes[next].outputs[0], ring]
            graph.nodes[index].opType += "+" + graph.nodes[next].opType
            graph.nodes[index].name += "+" + graph.nodes[next].name
            removed[next] = true
        }

        graph.removeNodes(removed)
    }
}

/// A MaxPool run inside the convolution step that produces its input.
struct FusedMaxPool: Equatable {
    var pooling: PoolingOp
    /// NHWC shape of the convolution's output, which is never stored whole.
    var convolutionOutputShape: [Int]
}
