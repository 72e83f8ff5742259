import Testing
@_spi(Testing) @testable import TinyGraph

/// Transpose → Reshape → Split (a ShuffleNetV2 channel shuffle then split) runs as
/// one step; its outputs are checked against the shuffle written out by hand.
@Suite struct ShuffleSplitFusionTests {
    private func ints(_ dims: [Int]) -> GraphBuilder.TensorSpec { .int32s(dims.map(Int64.init), [Int64(dims.count)]) }

    /// Neg → Reshape [1, H, W, G, C/G] → Transpose → Reshape [1, H, W, C] → SplitV(parts) → Neg each.
    private func graph(pixels: Int, groups: Int, parts: [Int], extraReaderOfShuffle: Bool = false) -> GraphBuilder {
        let channels = parts.reduce(0, +)
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, Int64(pixels), 1, Int64(channels)])
        graph.const("grouped_shape", ints([1, pixels, 1, groups, channels / groups]))
        graph.const("perm", ints([0, 1, 2, 4, 3]))
        graph.const("flat_shape", ints([1, pixels, 1, channels]))
        graph.const("sizes", ints(parts))
        graph.const("axis", .int32s([3], []))
        graph.node("x", "Neg", inputs: ["Placeholder"])
        graph.node("grouped", "Reshape", inputs: ["x", "grouped_shape"])
        graph.node("shuffle", "Transpose", inputs: ["grouped", "perm"])
        graph.node("flat", "Reshape", inputs: ["shuffle", "flat_shape"])
        graph.node("split", "SplitV", inputs: ["flat", "sizes", "axis"], attrs: [("num_split", .int(Int64(parts.count)))])
        for k in parts.indices { graph.node("out\(k)", "Neg", inputs: [k == 0 ? "split" : "split:\(k)"]) }
        if extraReaderOfShuffle { graph.node("other", "Relu", inputs: ["shuffle"]) }
        return graph
    }

    /// Output k of the shuffled-then-split input, computed index by index.
    private func expected(_ input: [Float], pixels: Int, groups: Int, parts: [Int]) -> [[Float]] {
        let channels = parts.reduce(0, +), perGroup = channels / groups
        var outputs: [[Float]] = []
        var first = 0
        for part in parts {
            var values: [Float] = []
            for pixel in 0..<pixels {
                for j in first..<(first + part) {
                    let (r, g) = (j / groups, j % groups)
                    values.append(input[pixel * channels + g * perGroup + r])
                }
            }
            outputs.append(values)
            first += part
        }
        return outputs
    }

    @Test(arguments: [(2, [58, 58]), (2, [2, 6]), (3, [12, 24, 3]), (4, [64, 4]), (2, [18, 18]), (4, [8, 8, 8, 8])])
    func fusesAndMatchesTheShuffle(_ groups: Int, _ parts: [Int]) throws {
        let pixels = 5
        let names = parts.indices.map { "out\($0)" }
        let model = try Model(bytes: graph(pixels: pixels, groups: groups, parts: parts).bytes, options: LoadOptions(outputNames: names))
        #expect(model.summary.runtimeOpCounts["Transpose+Split"] == 1)
        #expect(model.summary.runtimeOpCounts["Transpose"] == nil && model.summary.runtimeOpCounts["SplitV"] == nil)
        let channels = parts.reduce(0, +)
        let input = (0..<(pixels * channels)).map { Float($0) * 0.5 - 7 }
        let outputs = try model.run(input)
        // Neg before and after the shuffle cancel.
        for (output, want) in zip(outputs, expected(input, pixels: pixels, groups: groups, parts: parts)) {
            #expect(output.values == want)
        }
    }

    /// A shuffle whose result has another reader runs alone as a one-part shuffle
    /// (threaded like the fused one): still reported as a Transpose, same values.
    @Test func shuffleWithAnotherReaderMatchesTheTranspose() throws {
        let (pixels, groups, parts) = (3, 2, [4, 6])
        let model = try Model(bytes: graph(pixels: pixels, groups: groups, parts: parts, extraReaderOfShuffle: true).bytes,
                              options: LoadOptions(outputNames: ["other"]))
        #expect(model.summary.runtimeOpCounts["Transpose"] == 1)
        let oneParts = model.plan.steps.compactMap { step -> [Int]? in
            guard case .layout(let op) = step.operation, case .shuffleSplit(_, _, let parts) = op.kind else { return nil }
            return parts
        }
        #expect(oneParts == [[10]])
        let input = (0..<(pixels * 10)).map { Float($0) * 0.5 - 7 }
        // other = Relu(shuffle(Neg(input))).
        let shuffled = expected(input.map { -$0 }, pixels: pixels, groups: groups, parts: [10])[0]
        #expect(try model.run(input)[0].values == shuffled.map { max($0, 0) })
    }

    @Test func leavesSharedOrMisalignedShufflesAlone() throws {
        // The shuffled tensor has another reader.
        let shared = try Model(bytes: graph(pixels: 3, groups: 2, parts: [4, 4], extraReaderOfShuffle: true).bytes,
                               options: LoadOptions(outputNames: ["out0", "out1", "other"]))
        #expect(shared.summary.runtimeOpCounts["Transpose+Split"] == nil)
        // A part that is not a whole number of groups ([3, 3] of 2 groups).
        let misaligned = try Model(bytes: graph(pixels: 3, groups: 2, parts: [3, 3]).bytes, options: LoadOptions(outputNames: ["out0", "out1"]))
        #expect(misaligned.summary.runtimeOpCounts["Transpose+Split"] == nil)
        let input = (0..<18).map { Float($0) }
        let outputs = try misaligned.run(input)
        let want = expected(input, pixels: 3, groups: 2, parts: [3, 3])
        #expect(outputs[0].values == want[0] && outputs[1].values == want[1])
        // Five groups have no vector interleave.
        let five = try Model(bytes: graph(pixels: 2, groups: 5, parts: [5, 5]).bytes, options: LoadOptions(outputNames: ["out0", "out1"]))
        #expect(five.summary.runtimeOpCounts["Transpose+Split"] == nil)
    }
}
