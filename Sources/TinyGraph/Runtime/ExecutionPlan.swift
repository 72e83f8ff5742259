/// The graph bound to memory: every step's input and output views point into the
/// arena or a constant's buffer, so running is a loop over steps with no lookups.
struct ExecutionPlan {
    struct Step {
        /// Index of the graph node (steps skip the nodes the memory plan made aliases).
        var node: Int
        var operation: Operation
        var inputs: [TensorView]
        var outputs: [TensorView]
    }

    let arena: TensorBuffer
    let steps: [Step]
    /// Where each model input and output lives (arena or constant memory).
    let inputViews: [TensorView]
    let outputViews: [TensorView]
    let memoryPlan: MemoryPlan

    init(graph: Graph, plan: MemoryPlan) {
        let arena = TensorBuffer(byteCount: plan.arenaByteCount)
        func view(_ id: Int) -> TensorView {
            let value = graph.values[id]
            if let constant = value.constant { return TensorView(base: constant.bytes, type: value.type) }
            return TensorView(base: arena.bytes + plan.offsets[id]!, type: value.type)
        }
        self.arena = arena
        self.memoryPlan = plan
        steps = graph.nodes.indices.filter { !plan.aliasNodes.contains($0) }.map { index in
            let node = graph.nodes[index]
            return Step(node: index, operation: node.operation, inputs: node.inputs.map(view), outputs: node.outputs.map(view))
        }
        inputViews = graph.inputs.map(view)
        outputViews = graph.outputs.map(view)
    }

    /// Runs every step, each split over `threads` (`Operation.execute(inputs:outputs:on:)`).
    func run(on threads: ThreadPool) {
        for step in steps {
            step.operation.execute(inputs: step.inputs, outputs: step.outputs, on: threads)
        }
    }

    /// The same, calling `afterStep` with each step's node index (profilers time
    /// the gaps; an alias node is never reported, it takes no time).
    func run(on threads: ThreadPool, afterStep: (Int) -> Void) {
        for step in steps {
            step.operation.execute(inputs: step.inputs, outputs: step.outputs, on: threads)
            afterStep(step.node)
        }
    }
}
