import Testing
@_spi(Testing) @testable import TinyGraph

/// Zero Pad → VALID Conv2D becomes one convolution that pads by itself.
@Suite struct PadFoldingTests {
    private func graph(padOp: String = "Pad", paddings: [Int64] = [0, 0, 1, 2, 2, 1, 0, 0], fill: Float? = nil,
                       depthwise: Bool = false, secondReader: Bool = false) -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 6, 7, 3])
        graph.const("paddings", .int32s(paddings, [4, 2]))
        if let fill {
            graph.const("fill", .floats([fill], []))
            graph.node("padded", padOp, inputs: ["Placeholder", "paddings", "fill"])
        } else {
            graph.node("padded", padOp, inputs: ["Placeholder", "paddings"])
        }
        let filterShape: [Int64] = depthwise ? [3, 3, 3, 1] : [3, 3, Int64(paddings[6] + paddings[7] + 3), 5]
        graph.const("filter", .floats(OpTest.randomFloats(Int(filterShape.reduce(1, *)), seed: 4), filterShape))
        graph.node("conv", depthwise ? "DepthwiseConv2dNative" : "Conv2D", inputs: ["padded", "filter"],
                   attrs: [("strides", .ints([1, 2, 2, 1])), ("padding", .string("VALID"))])
        if secondReader { graph.node("other", "Neg", inputs: ["padded"]) }
        return graph
    }

    /// Output of the graph with the pad kept as a step (outputs requested at the pad too).
    private func unfolded(_ graph: GraphBuilder, _ input: [Float]) throws -> [Float] {
        let model = try Model(bytes: graph.bytes, options: LoadOptions(outputNames: ["conv", "padded"]))
        #expect(model.summary.runtimeOpCounts.keys.contains { $0.hasPrefix("Pad") })
        return try model.run(input)[0].values
    }

    @Test(arguments: [false, true])
    func foldsAZeroPadOfHeightAndWidth(depthwise: Bool) throws {
        let graph = graph(depthwise: depthwise)
        let model = try Model(bytes: graph.bytes)
        #expect(model.summary.runtimeOpCounts == [depthwise ? "DepthwiseConv2dNative" : "Conv2D": 1])
        let input = OpTest.randomFloats(6 * 7 * 3, seed: 5)
        #expect(try model.run(input)[0].values == unfolded(graph, input))
    }

    @Test func keepsPadsThatAreNotZeroOrTouchChannelsOrHaveOtherReaders() throws {
        let nonZero = try Model(bytes: graph(padOp: "PadV2", fill: 1).bytes)
        #expect(nonZero.summary.runtimeOpCounts["PadV2"] == 1)
        let channels = try Model(bytes: graph(paddings: [0, 0, 1, 1, 1, 1, 1, 0]).bytes)
        #expect(channels.summary.runtimeOpCounts["Pad"] == 1)
        let shared = try Model(bytes: graph(secondReader: true).bytes, options: LoadOptions(outputNames: ["conv", "other"]))
        #expect(shared.summary.runtimeOpCounts["Pad"] == 1)
    }
}
