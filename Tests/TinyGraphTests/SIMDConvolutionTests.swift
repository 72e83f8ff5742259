import Testing
@_spi(Testing) @testable import TinyGraph

/// The SIMD convolution kernels against the reference kernels on random shapes,
/// strides, dilations, paddings, biases and fused activations.
@Suite struct SIMDConvolutionTests {
    /// Deterministic small integers for choosing shapes.
    struct Dice {
        var state: UInt64
        mutating func roll(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
    }

    static let activations: [ConvolutionOp.Activation] = [.none, .relu, .relu6, .leakyRelu(alpha: 0.1)]

    private func randomGeometry(_ dice: inout Dice, depthwise: Bool) -> ConvolutionGeometry {
        let inChannels = dice.roll(1...37)
        let kernelHeight = dice.roll(1...5), kernelWidth = dice.roll(1...5)
        let dilationH = dice.roll(1...2), dilationW = dice.roll(1...2)
        let strideH = dice.roll(1...3)
        let strideW = depthwise ? strideH : dice.roll(1...3)
        let padTop = dice.roll(0...2), padLeft = dice.roll(0...2)
        let inHeight = (kernelHeight - 1) * dilationH + 1 + dice.roll(0...9)
        let inWidth = (kernelWidth - 1) * dilationW + 1 + dice.roll(0...9)
        let outHeight = (inHeight + padTop + dice.roll(0...2) - ((kernelHeight - 1) * dilationH + 1)) / strideH + 1
        let outWidth = (inWidth + padLeft + dice.roll(0...2) - ((kernelWidth - 1) * dilationW + 1)) / strideW + 1
        return ConvolutionGeometry(
            batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, outHeight: outHeight, outWidth: outWidth,
            outChannels: depthwise ? inChannels : dice.roll(1...37), strideH: strideH, strideW: strideW,
            dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)
    }

    /// Reference result plus bias, then the activation: what the fused SIMD epilogue must give.
    private func expected(_ reference: [Float], bias: [Float], _ activation: ConvolutionOp.Activation) -> [Float] {
        reference.indices.map { ReferenceConvolution.activate(reference[$0] + bias[$0 % bias.count], activation) }
    }

    private func check(depthwise: Bool, seed: UInt64, cases: Int) {
        var dice = Dice(state: seed)
        check(depthwise: depthwise, seed: seed, geometries: (0..<cases).map { _ in randomGeometry(&dice, depthwise: depthwise) })
    }

    private func check(depthwise: Bool, seed: UInt64, geometries: [ConvolutionGeometry]) {
        for (index, g) in geometries.enumerated() {
            let activation = Self.activations[index % Self.activations.count]
            let filterShape = [g.kernelHeight, g.kernelWidth, g.inChannels, depthwise ? 1 : g.outChannels]
            var input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: seed &+ UInt64(index))
            var filter = OpTest.randomFloats(filterShape.reduce(1, *), seed: seed &+ 1000 &+ UInt64(index))
            var bias = OpTest.randomFloats(g.outChannels, seed: seed &+ 2000 &+ UInt64(index))
            let outputCount = g.batch * g.outHeight * g.outWidth * g.outChannels
            var reference = [Float](repeating: 0, count: outputCount)
            var fast = [Float](repeating: .nan, count: outputCount)

            let packed = filter.withUnsafeBufferPointer { f in
                depthwise ? PackedConvolutionWeights.depthwise(filter: f.baseAddress!, shape: filterShape)
                          : PackedConvolutionWeights.conv2D(filter: f.baseAddress!, shape: filterShape)
            }
            bias.withUnsafeMutableBufferPointer { packed.addBias($0.baseAddress!) }
            input.withUnsafeMutableBufferPointer { i in
                filter.withUnsafeMutableBufferPointer { f in
                    reference.withUnsafeMutableBufferPointer { r in
                        fast.withUnsafeMutableBufferPointer { o in
                            if depthwise {
                                ReferenceConvolution.depthwise(input: i.baseAddress!, filter: f.baseAddress!, output: r.baseAddress!, geometry: g)
                                SIMDDepthwise.depthwise(input: i.baseAddress!, weights: packed, output: o.baseAddress!, geometry: g, activation: activation)
                            } else {
                                ReferenceConvolution.conv2D(input: i.baseAddress!, filter: f.baseAddress!, output: r.baseAddress!, geometry: g)
                                SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: o.baseAddress!, geometry: g, activation: activation)
                            }
                        }
                    }
                }
            }
            let want = expected(reference, bias: bias, activation)
            // The SIMD kernel adds the bias first and may fuse multiply-adds, so the
            // rounding differs from the reference: the engine's logits tolerance applies.
            let tolerance = 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) })
            let error = OpTest.compare(fast, want)
            #expect(error <= tolerance, "case \(index): \(g) \(activation): \(error)")
        }
    }

    @Test func conv2DMatchesReferenceOnRandomShapes() { check(depthwise: false, seed: 11, cases: 60) }

    @Test func depthwiseMatchesReferenceOnRandomShapes() { check(depthwise: true, seed: 29, cases: 60) }

    /// The AVX-512 build's special micro-kernels: panels with at most 8 channels in
    /// their second half (24, 116 = 3 × 32 + 20) or at most 8 in all (232 = 7 × 32 + 8),
    /// and the one-pixel tail of a 7 × 7 map (49 = 6 × 8 + 1), on 1×1 and 3×3 kernels,
    /// with and without padding; the other builds take their general kernels here.
    @Test func conv2DMatchesReferenceOnShortPanelsAndOnePixelTails() {
        var geometries: [ConvolutionGeometry] = []
        for outChannels in [8, 20, 24, 40, 116, 232] {
            for (kernel, stride, pad, size) in [(1, 1, 0, 7), (3, 1, 1, 7), (3, 2, 0, 15), (3, 2, 0, 17)] {
                let outSize = (size + 2 * pad - kernel) / stride + 1
                geometries.append(ConvolutionGeometry(
                    batch: 1, inHeight: size, inWidth: size, inChannels: kernel == 1 ? 19 : 3, kernelHeight: kernel,
                    kernelWidth: kernel, outHeight: outSize, outWidth: outSize, outChannels: outChannels,
                    strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padTop: pad, padLeft: pad))
            }
        }
        check(depthwise: false, seed: 41, geometries: geometries)
    }

    /// Padding wider than the kernel: some windows lie wholly in the side padding,
    /// in blocks that run across row ends (the windows way of `fillRuns`).
    @Test func conv2DMatchesReferenceWhereWholeWindowsLieInThePadding() {
        var geometries: [ConvolutionGeometry] = []
        for (kernel, pad, width, channels) in [(1, 2, 5, 3), (2, 3, 6, 3), (3, 4, 7, 5), (2, 3, 9, 15)] {
            let outSize = width + 2 * pad - kernel + 1
            geometries.append(ConvolutionGeometry(
                batch: 1, inHeight: width, inWidth: width, inChannels: channels, kernelHeight: kernel, kernelWidth: kernel,
                outHeight: outSize, outWidth: outSize, outChannels: 24, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
                padTop: pad, padLeft: pad))
        }
        check(depthwise: false, seed: 43, geometries: geometries)
    }

    @Test func frozenGraphConvolutionsUsePackedWeights() throws {
        let node = try OpTest.resolve("Conv2D", [OpTest.activation([1, 5, 5, 3]), OpTest.floats(OpTest.randomFloats(54, seed: 1), [3, 3, 3, 2])],
                                      ["strides": OpTest.ints([1, 1, 1, 1]), "padding": .string("SAME")])
        guard case .convolution(let op) = node.operation else { Issue.record("not a convolution"); return }
        #expect(op.packedWeights != nil)
        #expect(node.runtimeInputs == [0])
    }
}
