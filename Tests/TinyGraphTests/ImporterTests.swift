import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ImporterTests {
    private func load(_ graph: GraphBuilder, _ options: LoadOptions = LoadOptions()) throws(TinyGraphError) -> Model {
        try Model(bytes: graph.bytes, options: options)
    }

    private func kind(_ error: any Error) -> TinyGraphError.Kind? { (error as? TinyGraphError)?.kind }

    /// Placeholder [-1, 3] → Relu → Add(bias) → Identity model_outputs, with a NoOp control input.
    private func smallGraph() -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: [-1, 3])
        graph.const("bias", .floats([1, 2, 3], [3]))
        graph.node("init", "NoOp")
        graph.node("relu", "Relu", inputs: ["Placeholder", "^init"])
        graph.node("add", "AddV2", inputs: ["relu", "bias"])
        graph.node("model_outputs", "Identity", inputs: ["add"])
        return graph
    }

    @Test func runsASmallGraphWithDefaultOutput() throws {
        let model = try load(smallGraph())
        #expect(model.inputs == [Model.TensorInfo(name: "Placeholder", shape: [1, 3], dtype: .float32)])
        #expect(model.outputs.map(\.name) == ["model_outputs"])
        let output = try model.run([-1, 0.5, 2])[0]
        #expect(output.shape == [1, 3])
        #expect(output.values == [1, 2.5, 5])
        #expect(model.summary.runtimeOpCounts == ["Relu": 1, "AddV2": 1])
    }

    @Test func batchSizeReplacesMinusOne() throws {
        let model = try load(smallGraph(), LoadOptions(batchSize: 2))
        #expect(model.inputs[0].shape == [2, 3])
        #expect(try model.run([-1, 1, -1, 1, -1, 1])[0].values == [1, 3, 3, 2, 2, 4])
    }

    @Test func outputDefaultsPreferModelOutputsThenLossThenSinks() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 2])
        graph.node("loss", "Relu", inputs: ["Placeholder"])
        graph.node("other", "Neg", inputs: ["Placeholder"])
        #expect(try load(graph).outputs.map(\.name) == ["loss"])

        var sinks = GraphBuilder()
        sinks.placeholder(shape: [1, 2])
        sinks.node("a", "Relu", inputs: ["Placeholder"])
        sinks.node("b", "Neg", inputs: ["a"])
        sinks.node("c", "Neg", inputs: ["Placeholder"])
        #expect(try load(sinks).outputs.map(\.name) == ["b", "c"])
        #expect(try load(sinks, LoadOptions(outputNames: ["a"])).outputs.map(\.name) == ["a"])
    }

    @Test func constantSubgraphsAreFoldedAtLoad() throws {
        // data_bn style: Mul by Rsqrt(var + eps), the chain is constant.
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 2])
        graph.const("var", .floats([4, 16], [2]))
        graph.const("eps", .floats([0], []))
        graph.node("sum", "AddV2", inputs: ["var", "eps"])
        graph.node("rsqrt", "Rsqrt", inputs: ["sum"])
        graph.node("scaled", "Mul", inputs: ["Placeholder", "rsqrt"])
        let model = try load(graph)
        #expect(model.summary.runtimeOpCounts == ["Mul": 1])
        #expect(model.summary.fileOpCounts["Rsqrt"] == 1)
        #expect(try model.run([2, 2])[0].values == [1, 0.5])
    }

    @Test func unsupportedOpsAreAllListedWithTheirNodes() {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 2])
        graph.node("a", "Frobnicate", inputs: ["Placeholder"])
        graph.node("b", "Frobnicate", inputs: ["a"])
        graph.node("c", "Zap", inputs: ["b"])
        #expect { try load(graph) } throws: { error in
            guard let error = error as? TinyGraphError, error.kind == .unsupportedOps else { return false }
            return error.message.contains("Frobnicate (used by 'a', 'b')") && error.message.contains("Zap (used by 'c')")
        }
    }

    @Test func unreachableUnsupportedNodesAreIgnored() throws {
        var graph = smallGraph()
        graph.node("save/restore_all", "RestoreV2", inputs: [])
        #expect(try load(graph).outputs.map(\.name) == ["model_outputs"])
    }

    @Test func danglingInputsCyclesAndDuplicateNamesAreInvalid() {
        var dangling = GraphBuilder()
        dangling.placeholder(shape: [1])
        dangling.node("r", "Relu", inputs: ["missing"])
        #expect { try load(dangling) } throws: { error in
            let error = error as? TinyGraphError
            return error?.kind == .invalidGraph && error?.node == "r" && error?.field == "input"
        }

        var cycle = GraphBuilder()
        cycle.placeholder(shape: [1])
        cycle.node("a", "AddV2", inputs: ["Placeholder", "b"])
        cycle.node("b", "Relu", inputs: ["a"])
        cycle.node("model_outputs", "Identity", inputs: ["b"])
        #expect { try load(cycle) } throws: { error in
            (error as? TinyGraphError)?.message.contains("cycle") == true
        }

        var controlCycle = GraphBuilder()
        controlCycle.placeholder(shape: [1])
        controlCycle.node("a", "Relu", inputs: ["Placeholder", "^b"])
        controlCycle.node("b", "NoOp", inputs: ["^a"])
        #expect { try load(controlCycle, LoadOptions(outputNames: ["a"])) } throws: { kind($0) == .invalidGraph }

        var duplicate = GraphBuilder()
        duplicate.placeholder(shape: [1])
        duplicate.placeholder(shape: [1])
        #expect { try load(duplicate) } throws: { kind($0) == .invalidGraph }
    }

    @Test func badOutputIndexAndUnknownOutputName() {
        var graph = smallGraph()
        graph.node("bad", "Relu", inputs: ["add:3"])
        #expect { try load(graph, LoadOptions(outputNames: ["bad"])) } throws: { error in
            (error as? TinyGraphError)?.message.contains("has no output 3") == true
        }
        #expect { try load(smallGraph(), LoadOptions(outputNames: ["nope"])) } throws: { kind($0) == .invalidArgument }
    }

    @Test func inputShapesMustBeKnownOrGiven() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [-1, -1, 3])
        graph.node("r", "Relu", inputs: ["Placeholder"])
        #expect { try load(graph) } throws: { error in
            let error = error as? TinyGraphError
            return error?.node == "Placeholder" && error?.field == "shape"
        }
        let model = try load(graph, LoadOptions(inputShape: [1, 2, 3]))
        #expect(model.outputs[0].shape == [1, 2, 3])
        #expect { try load(graph, LoadOptions(inputShapes: ["nope": [1, 2, 3]])) } throws: { kind($0) == .invalidArgument }
    }

    @Test func runChecksTheInputSize() throws {
        let model = try load(smallGraph())
        #expect { try model.run([1, 2]) } throws: { kind($0) == .invalidArgument }
        #expect { try model.run(inputs: []) } throws: { kind($0) == .invalidArgument }
    }

    @Test func tensorReferenceSyntax() {
        #expect(TensorReference(parsing: "a/b:2") == TensorReference(node: "a/b", output: 2, isControl: false))
        #expect(TensorReference(parsing: "^init") == TensorReference(node: "init", output: 0, isControl: true))
        #expect(TensorReference(parsing: "x") == TensorReference(node: "x", output: 0, isControl: false))
        #expect(TensorReference(parsing: "") == nil)
        #expect(TensorReference(parsing: "a:") == nil)
        #expect(TensorReference(parsing: "a:x") == nil)
        #expect(TensorReference(parsing: "^a:1") == nil)
    }

    @Test func memoryPlanSharesTheArena() throws {
        // A chain of five ops: only two intermediate tensors are ever alive at once.
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 1000])
        var previous = "Placeholder"
        for index in 0..<5 {
            graph.node("n\(index)", index % 2 == 0 ? "Relu" : "Neg", inputs: [previous])
            previous = "n\(index)"
        }
        let summary = try load(graph).summary
        #expect(summary.unsharedActivationByteCount == 6 * MemoryPlanner.align(4000))
        #expect(summary.arenaByteCount == 2 * MemoryPlanner.align(4000))
    }
}
