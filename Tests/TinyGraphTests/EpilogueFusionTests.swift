import Testing
@_spi(Testing) @testable import TinyGraph

/// Conv2D → BiasAdd → activation collapses into one step with the same results.
@Suite struct EpilogueFusionTests {
    /// Placeholder → Conv2D → BiasAdd (or Add) → `activation`, optionally with a
    /// second reader of the convolution's output.
    private func graph(activation: String, biasOp: String = "BiasAdd", extraReader: Bool = false) -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 7, 9, 5])
        graph.const("filter", .floats(OpTest.randomFloats(3 * 3 * 5 * 19, seed: 7), [3, 3, 5, 19]))
        graph.const("bias", .floats(OpTest.randomFloats(19, seed: 8), [19]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"],
                   attrs: [("strides", .ints([1, 2, 2, 1])), ("padding", .string("SAME"))])
        graph.node("biased", biasOp, inputs: ["conv", "bias"])
        graph.node("act", activation, inputs: ["biased"], attrs: activation == "LeakyRelu" ? [("alpha", .float(0.1))] : [])
        if extraReader {
            graph.node("other", "Neg", inputs: ["conv"])
        }
        return graph
    }

    /// The same computation from the reference kernels, unfused.
    private func expected(activation: String, input: [Float]) throws -> [Float] {
        let conv = try OpTest.run("Conv2D", [OpTest.floats(input, [1, 7, 9, 5]),
                                             OpTest.floats(OpTest.randomFloats(3 * 3 * 5 * 19, seed: 7), [3, 3, 5, 19])],
                                  ["strides": OpTest.ints([1, 2, 2, 1]), "padding": .string("SAME")])[0]
        let biased = try OpTest.run("BiasAdd", [OpTest.floats(conv.floats, conv.shape), OpTest.floats(OpTest.randomFloats(19, seed: 8), [19])])[0]
        let attributes: [String: AttrValue] = activation == "LeakyRelu" ? ["alpha": .float(0.1)] : [:]
        return try OpTest.run(activation, [OpTest.floats(biased.floats, biased.shape)], attributes)[0].floats
    }

    @Test(arguments: ["Relu", "Relu6", "LeakyRelu"])
    func fusesBiasAndActivation(_ activation: String) throws {
        let model = try Model(bytes: graph(activation: activation).bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1])
        let input = OpTest.randomFloats(7 * 9 * 5, seed: 9).map { $0 * 4 }
        let output = try model.run(input)[0]
        #expect(output.name == "act")
        #expect(OpTest.compare(output.values, try expected(activation: activation, input: input)) <= 1e-5)
    }

    @Test func fusesAnAddOfAChannelConstant() throws {
        let model = try Model(bytes: graph(activation: "Relu", biasOp: "AddV2").bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1])
    }

    /// Frozen TF2 batch norm: Conv2D → Mul(scale) → Sub(shift) → Relu6, all one step.
    @Test func foldsAPerChannelScaleAndShift() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 6, 5, 4])
        graph.const("filter", .floats(OpTest.randomFloats(1 * 1 * 4 * 21, seed: 5), [1, 1, 4, 21]))
        graph.const("scale", .floats(OpTest.randomFloats(21, seed: 6).map { $0 * 3 }, [21]))
        graph.const("shift", .floats(OpTest.randomFloats(21, seed: 7), [1, 1, 1, 21]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"], attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("VALID"))])
        graph.node("scaled", "Mul", inputs: ["scale", "conv"])
        graph.node("shifted", "Sub", inputs: ["scaled", "shift"])
        graph.node("out", "Relu6", inputs: ["shifted"])
        let model = try Model(bytes: graph.bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1])

        let input = OpTest.randomFloats(6 * 5 * 4, seed: 8).map { $0 * 5 }
        let conv = try OpTest.run("Conv2D", [OpTest.floats(input, [1, 6, 5, 4]), OpTest.floats(OpTest.randomFloats(84, seed: 5), [1, 1, 4, 21])],
                                  ["strides": OpTest.ints([1, 1, 1, 1]), "padding": .string("VALID")])[0]
        let scaled = try OpTest.run("Mul", [OpTest.floats(OpTest.randomFloats(21, seed: 6).map { $0 * 3 }, [21]), OpTest.floats(conv.floats, conv.shape)])[0]
        let shifted = try OpTest.run("Sub", [OpTest.floats(scaled.floats, scaled.shape), OpTest.floats(OpTest.randomFloats(21, seed: 7), [1, 1, 1, 21])])[0]
        let expected = try OpTest.run("Relu6", [OpTest.floats(shifted.floats, shifted.shape)])[0].floats
        #expect(OpTest.compare(try model.run(input)[0].values, expected) <= 1e-5)
    }

    @Test func doesNotFoldASubtractionFromAConstant() throws {
        // shift - conv is not an affine shift of conv's channels with a positive scale.
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 3, 3, 2])
        graph.const("filter", .floats(OpTest.randomFloats(2 * 3, seed: 1), [1, 1, 2, 3]))
        graph.const("shift", .floats([1, 2, 3], [3]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"], attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("VALID"))])
        graph.node("out", "Sub", inputs: ["shift", "conv"])
        #expect(try Model(bytes: graph.bytes).summary.runtimeOpCounts == ["Conv2D": 1, "Sub": 1])
    }

    @Test func keepsStepsWhoseIntermediateHasAnotherReader() throws {
        let model = try Model(bytes: graph(activation: "Relu", extraReader: true).bytes,
                              options: LoadOptions(outputNames: ["act", "other"]))
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1, "BiasAdd": 1, "Relu": 1, "Neg": 1])
    }

    @Test func keepsStepsWhoseIntermediateIsAnOutput() throws {
        let model = try Model(bytes: graph(activation: "Relu").bytes, options: LoadOptions(outputNames: ["biased", "act"]))
        #expect(model.summary.runtimeOpCounts["Relu"] == 1)
        #expect(model.summary.runtimeOpCounts["BiasAdd"] == nil)  // the bias still fuses; its output is the conv's
    }
}
