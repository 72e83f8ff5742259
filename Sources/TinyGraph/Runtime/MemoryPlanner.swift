/// Places activation tensors in one arena, greedy by size over their lifetimes
/// (the TFLite Micro / XNNPACK strategy): the largest tensors go first, each at the
/// lowest offset that does not overlap a placed tensor alive at the same time.
///
/// A Reshape, Squeeze or ExpandDims of an arena tensor only relabels its bytes, so
/// its output is an alias: it shares the input's offset, the input stays alive as
/// long as any alias is read (or to the end, when an alias is a model output), and
/// the step does not run. Model inputs may be aliased too: they are written before
/// step 0 and nothing writes them during a run.
struct MemoryPlan {
    /// Arena offset of each value, for the values that live in the arena.
    var offsets: [Int: Int] = [:]
    var arenaByteCount = 0
    /// Nodes whose output is an alias of their input: they have nothing to do.
    var aliasNodes: Set<Int> = []
}

enum MemoryPlanner {
    struct Lifetime {
        var value: Int
        var byteCount: Int
        /// First and last step (inclusive) during which the tensor must exist.
        var first: Int
        var last: Int
    }

    static func plan(_ graph: Graph) -> MemoryPlan {
        let aliases = Aliases(graph)
        var result = plan(lifetimes(graph, aliases))
        for (id, root) in aliases.root.enumerated() where root != id {
            result.offsets[id] = result.offsets[root]
        }
        result.aliasNodes = aliases.nodes
        return result
    }

    /// Values that share another value's memory: `root[id]` is the arena value
    /// whose bytes `id` relabels (itself when it has its own memory, or none).
    struct Aliases {
        var root: [Int]
        var nodes: Set<Int> = []

        init(_ graph: Graph) {
            root = Array(graph.values.indices)
            var inArena = [Bool](repeating: false, count: graph.values.count)
            for id in graph.inputs { inArena[id] = true }
            for (index, node) in graph.nodes.enumerated() {
                for id in node.outputs { inArena[id] = true }
                guard case .layout(let op) = node.operation, op.kind == .reshape,
                      node.inputs.count == 1, node.outputs.count == 1, inArena[node.inputs[0]],
                      graph.values[node.inputs[0]].type.byteCount == graph.values[node.outputs[0]].type.byteCount else { continue }
                root[node.outputs[0]] = root[node.inputs[0]]
                nodes.insert(index)
            }
        }
    }

    /// Model inputs are written before step 0; outputs are read after the last step.
    /// An alias has no lifetime of its own: its reads extend its root's.
    static func lifetimes(_ graph: Graph) -> [Lifetime] {
        lifetimes(graph, Aliases(graph))
    }

    static func lifetimes(_ graph: Graph, _ aliases: Aliases) -> [Lifetime] {
        let end = graph.nodes.count
        var first = [Int](repeating: -1, count: graph.values.count)
        var last = [Int](repeating: -1, count: graph.values.count)
        var inArena = [Bool](repeating: false, count: graph.values.count)
        for id in graph.inputs {
            inArena[id] = true
            first[id] = 0
            last[id] = 0
        }
        for (step, node) in graph.nodes.enumerated() {
            for id in node.outputs {
                let root = aliases.root[id]
                inArena[root] = true
                if root == id { first[id] = step }
                last[root] = max(last[root], step)
            }
            for id in node.inputs where !graph.values[id].isConstant {
                let root = aliases.root[id]
                last[root] = max(last[root], step)
            }
        }
        for id in graph.outputs where inArena[aliases.root[id]] { last[aliases.root[id]] = end }
        var result: [Lifetime] = []
        for id in graph.values.indices where inArena[id] && aliases.root[id] == id {
            result.append(Lifetime(value: id, byteCount: align(graph.values[id].type.byteCount), first: first[id], last: last[id]))
        }
        return result
    }

    static func plan(_ lifetimes: [Lifetime]) -> MemoryPlan {
        // Largest first; ties by earlier start for a stable, reproducible layout.
        let order = lifetimes.indices.sorted {
            let a = lifetimes[$0], b = lifetimes[$1]
            return a.byteCount != b.byteCount ? a.byteCount > b.byteCount : (a.first != b.first ? a.first < b.first : a.value < b.value)
        }
        var plan = MemoryPlan()
        var placed: [(offset: Int, lifetime: Lifetime)] = []
        for index in order {
            let tensor = lifetimes[index]
            // Blocks already placed that are alive at the same time, by offset.
            var conflicts: [(offset: Int, end: Int)] = []
            for block in placed where block.lifetime.first <= tensor.last && tensor.first <= block.lifetime.last {
                conflicts.append((block.offset, block.offset + block.lifetime.byteCount))
            }
            conflicts.sort { $0.offset < $1.offset }
            var offset = 0
            for block in conflicts {
                if offset + tensor.byteCount <= block.offset { break }
                offset = max(offset, block.end)
            }
            placed.append((offset, tensor))
            plan.offsets[tensor.value] = offset
            plan.arenaByteCount = max(plan.arenaByteCount, offset + tensor.byteCount)
        }
        return plan
    }

    static func align(_ byteCount: Int) -> Int {
        let alignment = TensorBuffer.alignment
        return (byteCount + alignment - 1) / alignment * alignment
    }
}
