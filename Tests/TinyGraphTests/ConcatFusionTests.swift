import Testing
@_spi(Testing) @testable import TinyGraph

/// Channel ConcatV2 computed in place: the Conv2D kernel writing with a wider pixel
/// stride, the rewrite's conditions, fire-module graphs against op-by-op runs, and
/// what it does to the real export's steps and arena.
@Suite struct ConcatFusionTests {
    typealias Dice = SIMDConvolutionTests.Dice

    /// A random Conv2D; every third one pointwise (1×1, stride 1, no padding: the
    /// kernel's flattened path).
    private func randomGeometry(_ dice: inout Dice, index: Int) -> ConvolutionGeometry {
        let pointwise = index % 3 == 0
        let kernelHeight = pointwise ? 1 : dice.roll(1...3), kernelWidth = pointwise ? 1 : dice.roll(1...3)
        let stride = pointwise ? 1 : dice.roll(1...2)
        let padTop = pointwise ? 0 : dice.roll(0...1), padLeft = pointwise ? 0 : dice.roll(0...1)
        let inHeight = kernelHeight + dice.roll(0...9), inWidth = kernelWidth + dice.roll(0...17)
        return ConvolutionGeometry(
            batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: dice.roll(1...21),
            kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            outHeight: (inHeight + 2 * padTop - kernelHeight) / stride + 1, outWidth: (inWidth + 2 * padLeft - kernelWidth) / stride + 1,
            outChannels: dice.roll(1...70), strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padTop: padTop, padLeft: padLeft)
    }

    @Test func stridedOutputEqualsDenseOutputAndLeavesOtherChannelsAlone() {
        var dice = Dice(state: 131)
        let activations = SIMDConvolutionTests.activations
        for index in 0..<90 {
            let g = randomGeometry(&dice, index: index)
            let activation = activations[index % activations.count]
            let filterShape = [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]
            let input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: 40 &+ UInt64(index)).map { $0 * 2 }
            let filter = OpTest.randomFloats(filterShape.reduce(1, *), seed: 140 &+ UInt64(index))
            let packed = filter.withUnsafeBufferPointer { PackedConvolutionWeights.conv2D(filter: $0.baseAddress!, shape: filterShape) }
            let pixels = g.batch * g.outHeight * g.outWidth
            let before = dice.roll(0...20), after = dice.roll(0...20)
            let stride = before + g.outChannels + after
            var dense = [Float](repeating: .nan, count: pixels * g.outChannels)
            var strided = [Float](repeating: .nan, count: pixels * stride)
            input.withUnsafeBufferPointer { i in
                dense.withUnsafeMutableBufferPointer {
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: $0.baseAddress!, geometry: g, activation: activation)
                }
                strided.withUnsafeMutableBufferPointer {
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: $0.baseAddress! + before, geometry: g,
                                           activation: activation, outputPixelStride: stride)
                }
            }
            var mismatches = 0, overwritten = 0
            for pixel in 0..<pixels {
                for channel in 0..<stride {
                    let value = strided[pixel * stride + channel]
                    let inside = channel >= before && channel < before + g.outChannels
                    if inside {
                        // Same arithmetic per output: the same bits.
                        if value.bitPattern != dense[pixel * g.outChannels + channel - before].bitPattern { mismatches += 1 }
                    } else if !value.isNaN {
                        overwritten += 1
                    }
                }
            }
            #expect(mismatches == 0, "case \(index): \(g) \(activation)")
            #expect(overwritten == 0, "case \(index): wrote outside its channels")
        }
    }

    /// A fire module: squeeze 1×1 → (expand 1×1 ‖ expand 3×3) → ConcatV2 on axis 3
    /// (or -1), each conv with bias and ReLU; `extra` adds a third concat input
    /// that is not a convolution (the placeholder itself, squeezed to its channels).
    private func fireModule(input: [Int], squeeze: Int, expand1: Int, expand3: Int, axis: Int64, extra: Bool) -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: input.map { Int64($0) })
        func conv(_ name: String, _ from: String, _ kernel: Int, _ inC: Int, _ outC: Int, seed: UInt64) {
            let filter = [kernel, kernel, inC, outC]
            graph.const(name + "/w", .floats(OpTest.randomFloats(filter.reduce(1, *), seed: seed), filter.map { Int64($0) }))
            graph.const(name + "/b", .floats(OpTest.randomFloats(outC, seed: seed + 1), [Int64(outC)]))
            graph.node(name + "/conv", "Conv2D", inputs: [from, name + "/w"],
                       attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("SAME"))])
            graph.node(name + "/bias", "BiasAdd", inputs: [name + "/conv", name + "/b"])
            graph.node(name, "Relu", inputs: [name + "/bias"])
        }
        conv("squeeze", "Placeholder", 1, input[3], squeeze, seed: 10)
        conv("expand1", "squeeze", 1, squeeze, expand1, seed: 20)
        conv("expand3", "squeeze", 3, squeeze, expand3, seed: 30)
        graph.const("axis", .int32s([axis], []))
        graph.node("concat", "ConcatV2", inputs: (extra ? ["expand1", "Placeholder", "expand3"] : ["expand1", "expand3"]) + ["axis"],
                   attrs: [("N", .int(extra ? 3 : 2))])
        return graph
    }

    /// The same module op by op (each op alone, unfused).
    private func expectedFire(_ values: [Float], input: [Int], squeeze: Int, expand1: Int, expand3: Int, extra: Bool) throws -> [Float] {
        func conv(_ x: [Float], _ shape: [Int], _ kernel: Int, _ outC: Int, seed: UInt64) throws -> OpTest.Output {
            let filter = [kernel, kernel, shape[3], outC]
            let convolved = try OpTest.run("Conv2D", [OpTest.floats(x, shape), OpTest.floats(OpTest.randomFloats(filter.reduce(1, *), seed: seed), filter)],
                                           ["strides": OpTest.ints([1, 1, 1, 1]), "padding": .string("SAME")])[0]
            let biased = try OpTest.run("BiasAdd", [OpTest.floats(convolved.floats, convolved.shape), OpTest.floats(OpTest.randomFloats(outC, seed: seed + 1), [outC])])[0]
            return try OpTest.run("Relu", [OpTest.floats(biased.floats, biased.shape)])[0]
        }
        let squeezed = try conv(values, input, 1, squeeze, seed: 10)
        let e1 = try conv(squeezed.floats, squeezed.shape, 1, expand1, seed: 20)
        let e3 = try conv(squeezed.floats, squeezed.shape, 3, expand3, seed: 30)
        var parts = [OpTest.floats(e1.floats, e1.shape, name: "e1")]
        if extra { parts.append(OpTest.floats(values, input, name: "x")) }
        parts.append(OpTest.floats(e3.floats, e3.shape, name: "e3"))
        return try OpTest.run("ConcatV2", parts + [OpTest.int32s([3], [])])[0].floats
    }

    @Test(arguments: [
        // SqueezeNet fire2 in small, odd sizes, channel counts off the 16/32 grid, both axis spellings, a copied part.
        ([1, 9, 11, 16], 8, 32, 32, Int64(3), false),
        ([1, 7, 5, 3], 5, 17, 21, Int64(-1), false),
        ([2, 6, 13, 6], 16, 64, 40, Int64(3), true),
        ([1, 14, 14, 24], 12, 7, 70, Int64(-1), true),
    ])
    func fireModuleRunsItsExpandConvolutionsInsideTheConcatenation(
        _ input: [Int], _ squeeze: Int, _ expand1: Int, _ expand3: Int, _ axis: Int64, _ extra: Bool
    ) throws {
        let model = try Model(bytes: fireModule(input: input, squeeze: squeeze, expand1: expand1, expand3: expand3, axis: axis, extra: extra).bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 1, "Conv2D+ConcatV2": 1])
        let values = OpTest.randomFloats(input.reduce(1, *), seed: 3).map { $0 * 4 }
        let output = try model.run(values)[0]
        #expect(output.shape == [input[0], input[1], input[2], expand1 + expand3 + (extra ? input[3] : 0)])
        // With the expands as outputs too, nothing is absorbed: the same kernels write
        // dense tensors and ConcatV2 copies them. Same arithmetic: the same bits.
        let unfused = try Model(bytes: fireModule(input: input, squeeze: squeeze, expand1: expand1, expand3: expand3, axis: axis, extra: extra).bytes,
                                options: LoadOptions(outputNames: ["concat", "expand1", "expand3"]))
        #expect(unfused.summary.runtimeOpCounts == ["Conv2D": 3, "ConcatV2": 1])
        #expect(output.values.map(\.bitPattern) == (try unfused.run(values)[0]).values.map(\.bitPattern))
        // And within the engine's tolerance of each op run alone (bias added after, not seeded).
        let want = try expectedFire(values, input: input, squeeze: squeeze, expand1: expand1, expand3: expand3, extra: extra)
        #expect(OpTest.compare(output.values, want) <= 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) }))
        // Every convolution is still counted.
        let pixels = input[0] * input[1] * input[2]
        #expect(model.summary.multiplyAdds == pixels * (input[3] * squeeze + squeeze * expand1 + 9 * squeeze * expand3))
    }

    @Test func theArenaHoldsNoExpandOutputs() throws {
        let model = try Model(bytes: fireModule(input: [1, 9, 11, 16], squeeze: 8, expand1: 32, expand3: 32, axis: 3, extra: false).bytes)
        // Input, squeeze output and the concatenation: no 9×11×32 expand tensors.
        let lifetimes = MemoryPlanner.lifetimes(model.graph)
        #expect(lifetimes.map(\.byteCount).sorted() == [9 * 11 * 16 * 4, 9 * 11 * 8 * 4, 9 * 11 * 64 * 4].map(MemoryPlanner.align).sorted())
    }

    @Test func leavesConvolutionsReadElsewhereOrAsOutputsToACopy() throws {
        var shared = fireModule(input: [1, 6, 7, 8], squeeze: 4, expand1: 16, expand3: 16, axis: 3, extra: false)
        shared.node("other", "Neg", inputs: ["expand1"])
        let model = try Model(bytes: shared.bytes, options: LoadOptions(outputNames: ["concat", "other"]))
        // expand1 is read twice, so only expand3 moves into the concatenation.
        #expect(model.summary.runtimeOpCounts == ["Conv2D": 2, "Conv2D+ConcatV2": 1, "Neg": 1])
        let values = OpTest.randomFloats(6 * 7 * 8, seed: 5)
        let outputs = try model.run(values)
        let want = try expectedFire(values, input: [1, 6, 7, 8], squeeze: 4, expand1: 16, expand3: 16, extra: false)
        #expect(OpTest.compare(outputs[0].values, want) <= 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) }))
        // The other reader sees expand1 itself: the concatenation's first 16 channels, negated.
        let expand1 = (0..<(6 * 7)).flatMap { pixel in outputs[0].values[(pixel * 32)..<(pixel * 32 + 16)] }
        #expect(outputs[1].values == expand1.map { -$0 })

        let asOutput = try Model(bytes: fireModule(input: [1, 6, 7, 8], squeeze: 4, expand1: 16, expand3: 16, axis: 3, extra: false).bytes,
                                 options: LoadOptions(outputNames: ["expand3", "concat"]))
        #expect(asOutput.summary.runtimeOpCounts == ["Conv2D": 2, "Conv2D+ConcatV2": 1])
    }

    /// A concatenation on another axis is left to the copy kernel.
    @Test func leavesOtherAxesAlone() throws {
        let model = try Model(bytes: fireModule(input: [1, 6, 7, 8], squeeze: 4, expand1: 16, expand3: 16, axis: 3, extra: false).bytes)
        #expect(model.steps.last?.opType == "Conv2D+ConcatV2")
        var heightConcat = GraphBuilder()
        heightConcat.placeholder(shape: [1, 4, 5, 3])
        heightConcat.const("w", .floats(OpTest.randomFloats(3 * 6, seed: 1), [1, 1, 3, 6]))
        heightConcat.node("a", "Conv2D", inputs: ["Placeholder", "w"], attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("SAME"))])
        heightConcat.node("b", "Conv2D", inputs: ["Placeholder", "w"], attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("SAME"))])
        heightConcat.const("axis", .int32s([1], []))
        heightConcat.node("concat", "ConcatV2", inputs: ["a", "b", "axis"], attrs: [("N", .int(2))])
        let rows = try Model(bytes: heightConcat.bytes)
        #expect(rows.summary.runtimeOpCounts == ["Conv2D": 2, "ConcatV2": 1])
    }

    /// The real export: every fire module's expands run inside its concatenation.
    @Test func realExportComputesEveryFireConcatenationInPlace() throws {
        let model = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        #expect(model.summary.runtimeOpCounts["Conv2D+ConcatV2"] == 8)
        #expect(model.summary.runtimeOpCounts["ConcatV2"] == nil)
        #expect(model.summary.runtimeOpCounts["Conv2D"] == 8)  // the squeezes
    }
}
