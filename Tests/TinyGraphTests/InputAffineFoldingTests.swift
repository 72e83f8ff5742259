import Testing
@_spi(Testing) @testable import TinyGraph

/// Mul/Add of the input before an unpadded Conv2D (Custom Vision's data_bn) folds
/// into the convolution's weights and bias.
@Suite struct InputAffineFoldingTests {
    private func graph(padding: String) -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 9, 8, 3])
        graph.const("scale", .floats([0.5, -2, 1.5], [3]))
        graph.const("shift", .floats([-100, 20, 3], [3]))
        graph.node("scaled", "Mul", inputs: ["Placeholder", "scale"])
        graph.node("shifted", "Add", inputs: ["shift", "scaled"])
        graph.const("filter", .floats(OpTest.randomFloats(3 * 3 * 3 * 7, seed: 12), [3, 3, 3, 7]))
        graph.node("conv", "Conv2D", inputs: ["shifted", "filter"],
                   attrs: [("strides", .ints([1, 2, 2, 1])), ("padding", .string(padding))])
        return graph
    }

    @Test func foldsIntoAnUnpaddedConvolution() throws {
        let folded = try Model(bytes: graph(padding: "VALID").bytes)
        #expect(folded.summary.runtimeOpCounts == ["Conv2D": 1])
        // Reference: the same graph with the affine steps kept (their outputs requested).
        let unfolded = try Model(bytes: graph(padding: "VALID").bytes, options: LoadOptions(outputNames: ["conv", "shifted"]))
        #expect(unfolded.summary.runtimeOpCounts["Mul"] == 1)
        let input = OpTest.randomFloats(9 * 8 * 3, seed: 13).map { ($0 + 1) * 127.5 }  // pixels, 0…255
        let want = try unfolded.run(input)[0].values
        let got = try folded.run(input)[0].values
        let scale = want.reduce(Float(1)) { max($0, abs($1)) }
        #expect(OpTest.compare(got, want) <= 1e-5 * scale)
    }

    @Test func leavesPaddedConvolutionsAlone() throws {
        // Padded zeros are not x · s + b: folding would change the border outputs.
        let model = try Model(bytes: graph(padding: "SAME").bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1, "Mul": 1, "Add": 1])
    }
}
