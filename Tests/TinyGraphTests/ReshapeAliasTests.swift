import Testing
@_spi(Testing) @testable import TinyGraph

/// Reshape, Squeeze and ExpandDims of arena tensors are aliases: no step runs, the
/// output shares the input's memory, and the input lives as long as the aliases are read.
@Suite struct ReshapeAliasTests {
    private func shape(_ dims: [Int64]) -> GraphBuilder.TensorSpec { .int32s(dims, [Int64(dims.count)]) }

    private func value(_ model: Model, _ name: String) -> Int {
        model.graph.values.firstIndex { $0.name == name }!
    }

    private func nodeIndex(_ model: Model, _ name: String) -> Int {
        model.graph.nodes.firstIndex { $0.name == name }!
    }

    private func expectAlias(_ model: Model, _ alias: String, of root: String) {
        let offsets = model.plan.memoryPlan.offsets
        #expect(offsets[value(model, alias)] != nil && offsets[value(model, alias)] == offsets[value(model, root)], "\(alias) aliases \(root)")
        #expect(model.plan.memoryPlan.aliasNodes.contains(nodeIndex(model, alias)))
        #expect(!model.plan.steps.contains { $0.node == nodeIndex(model, alias) })
    }

    /// A Reshape read only at the end, after other tensors were made: without the
    /// root's lifetime stretched to the alias's read, `b` or `c` would reuse `a`'s bytes.
    @Test func aliasReadLateKeepsItsRootAlive() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 8])
        graph.const("flat", shape([8]))
        graph.const("row", shape([1, 8]))
        graph.node("a", "Neg", inputs: ["Placeholder"])
        graph.node("r", "Reshape", inputs: ["a", "flat"])
        graph.node("b", "Relu", inputs: ["Placeholder"])
        graph.node("c", "Neg", inputs: ["b"])
        graph.node("d", "Neg", inputs: ["c"])
        graph.node("back", "Reshape", inputs: ["r", "row"])
        graph.node("out", "Mul", inputs: ["back", "d"])
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: ["out"]))
        expectAlias(model, "r", of: "a")
        expectAlias(model, "back", of: "a")
        let input: [Float] = [1, -2, 3, -4, 5, -6, 7, 0.5]
        for scale: Float in [1, -3] {  // a second run sees fresh values
            let x = input.map { $0 * scale }
            let output = try model.run(x)[0]
            #expect(output.shape == [1, 8])
            #expect(output.values == x.map { -$0 * max($0, 0) })
        }
        // Placeholder, a, b, c, d and out: the aliases have no lifetime of their own.
        #expect(MemoryPlanner.lifetimes(model.graph).count == 6)
    }

    /// A model output that is a Reshape of an intermediate which another op reads later.
    @Test func outputThatIsAReshapeOfAnIntermediate() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [2, 3])
        graph.const("flat", shape([6]))
        graph.node("a", "Neg", inputs: ["Placeholder"])
        graph.node("r", "Reshape", inputs: ["a", "flat"])
        graph.node("b", "Relu", inputs: ["a"])
        graph.node("c", "Neg", inputs: ["b"])
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: ["r", "c"]))
        expectAlias(model, "r", of: "a")
        // `a` outlives the run (its alias is an output), so `c` cannot take its place.
        let offsets = model.plan.memoryPlan.offsets
        #expect(offsets[value(model, "c")] != offsets[value(model, "a")])
        let input: [Float] = [1, -2, 3, -4, 5, -6]
        let outputs = try model.run(input)
        #expect(outputs[0].shape == [6] && outputs[0].values == input.map { -$0 })
        #expect(outputs[1].shape == [2, 3] && outputs[1].values == input.map { -max(-$0, 0) })
    }

    /// Reshape → Squeeze → ExpandDims → Reshape: one buffer, no steps, the last one an output.
    @Test func chainsOfRelabels() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [2, 3, 4])
        graph.const("shape1", shape([1, 6, 4]))
        graph.const("axis", .int32s([0], []))
        graph.const("flat", shape([-1]))
        graph.node("a", "Neg", inputs: ["Placeholder"])
        graph.node("r1", "Reshape", inputs: ["a", "shape1"])
        graph.node("s", "Squeeze", inputs: ["r1"], attrs: [("squeeze_dims", .ints([0]))])
        graph.node("e", "ExpandDims", inputs: ["s", "axis"])
        graph.node("r2", "Reshape", inputs: ["e", "flat"])
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: ["r2"]))
        for alias in ["r1", "s", "e", "r2"] { expectAlias(model, alias, of: "a") }
        #expect(model.plan.steps.count == 1)
        #expect(model.steps.count == 5)  // the public step list still names every node
        let input = (0..<24).map { Float($0) - 11.5 }
        let output = try model.run(input)[0]
        #expect(output.shape == [24] && output.values == input.map { -$0 })
        // The profiler hook hears only the step that runs.
        var reported: [Int] = []
        _ = try model.run(inputs: [input]) { reported.append($0) }
        #expect(reported == [nodeIndex(model, "a")])
    }

    /// A Reshape of the model input: it reads the bytes the caller wrote, on every run
    /// and through `run(fillingInput:)`, and may itself be an output.
    @Test func reshapeOfTheModelInput() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [2, 6])
        graph.const("shape", shape([3, 4]))
        graph.node("r", "Reshape", inputs: ["Placeholder", "shape"])
        graph.node("n", "Neg", inputs: ["r"])
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: ["r", "n"]))
        expectAlias(model, "r", of: "Placeholder")
        for scale: Float in [1, 2] {
            let input = (0..<12).map { Float($0) * scale }
            let outputs = try model.run(input)
            #expect(outputs[0].shape == [3, 4] && outputs[0].values == input)
            #expect(outputs[1].values == input.map { -$0 })
        }
        let filled = try model.run { buffer in
            for index in buffer.indices { buffer[index] = Float(index) + 0.25 }
        }
        #expect(filled[0].values == (0..<12).map { Float($0) + 0.25 })
        #expect(filled[1].values == (0..<12).map { -Float($0) - 0.25 })

        // With nothing else, the output is the input relabelled and no step runs.
        var only = GraphBuilder()
        only.placeholder(shape: [2, 2])
        only.const("shape", shape([4]))
        only.node("r", "Reshape", inputs: ["Placeholder", "shape"])
        let relabel = try Model(bytes: only.bytes, options: LoadOptions(outputNames: ["r"]))
        #expect(relabel.plan.steps.isEmpty)
        #expect(try relabel.run([1, 2, 3, 4])[0].values == [1, 2, 3, 4])
    }

    /// The reshaped copies are gone from the activations: a chain of Neg with a
    /// Reshape after each holds the input and four Neg outputs, two at a time.
    @Test func relabelsTakeNoArena() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [10, 100])
        graph.const("flat", shape([1000]))
        graph.const("square", shape([10, 100]))
        var previous = "Placeholder"
        for index in 0..<4 {
            graph.node("n\(index)", "Neg", inputs: [previous])
            graph.node("r\(index)", "Reshape", inputs: ["n\(index)", index % 2 == 0 ? "flat" : "square"])
            previous = "r\(index)"
        }
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: [previous]))
        #expect(model.summary.unsharedActivationByteCount == 5 * MemoryPlanner.align(4000))
        #expect(model.summary.arenaByteCount == 2 * MemoryPlanner.align(4000))
        #expect(model.plan.steps.count == 4)
        let input = (0..<1000).map { Float($0) }
        #expect(try model.run(input)[0].values == input)
    }
}
