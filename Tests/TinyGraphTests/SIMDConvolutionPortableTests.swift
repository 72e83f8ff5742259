import Testing
@_spi(Testing) @testable import TinyGraph

/// The Conv2D micro-kernel of x86 builds without AVX-512 (`portablePanel`): only
/// the blocking differs from the other kernels, so every output must have exactly
/// the bits of "bias, then each product in (ky, kx, c) order with `multiplyAdd`".
@Suite struct SIMDConvolutionPortableTests {
    typealias Dice = SIMDConvolutionTests.Dice

    /// One lane of `multiplyAdd`: fused exactly where the vector form is.
    private static func multiplyAddScalar(_ acc: Float, _ a: Float, _ b: Float) -> Float {
        #if arch(arm64) || TINYGRAPH_FMA
        return acc.addingProduct(a, b)
        #else
        return acc + a * b
        #endif
    }

    /// The kernels' arithmetic one output at a time: padding taps add 0 × w, as the
    /// kernels do when they read the zero row.
    private static func exactModel(
        input: [Float], filter: [Float], bias: [Float], _ g: ConvolutionGeometry, _ activation: ConvolutionOp.Activation
    ) -> [Float] {
        var output = [Float](repeating: 0, count: g.batch * g.outHeight * g.outWidth * g.outChannels)
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    for o in 0..<g.outChannels {
                        var acc = Float(0) + bias[o]  // the packed bias row is 0 + bias
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                                let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                                let inside = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth
                                for c in 0..<g.inChannels {
                                    let x = inside ? input[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + c] : 0
                                    let w = filter[((ky * g.kernelWidth + kx) * g.inChannels + c) * g.outChannels + o]
                                    acc = multiplyAddScalar(acc, x, w)
                                }
                            }
                        }
                        let index = ((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + o
                        output[index] = activate(FloatVector(repeating: acc), activation)[0]
                    }
                }
            }
        }
        return output
    }

    private static func randomGeometry(_ dice: inout Dice, index: Int) -> ConvolutionGeometry {
        let channelChoices = [1, 3, 15, 17, 33, 70]
        // Odd channel counts first (every in × out pairing over the first cases), then random ones.
        let inChannels = index < 36 ? channelChoices[index / 6] : dice.roll(1...80)
        let outChannels = index < 36 ? channelChoices[index % 6] : dice.roll(1...80)
        let pointwise = dice.roll(0...2) == 0
        let kernelHeight = pointwise ? 1 : dice.roll(1...3), kernelWidth = pointwise ? 1 : dice.roll(1...3)
        let dilationH = pointwise ? 1 : dice.roll(1...2), dilationW = pointwise ? 1 : dice.roll(1...2)
        let strideH = pointwise ? 1 : dice.roll(1...2), strideW = pointwise ? 1 : dice.roll(1...3)
        let padTop = pointwise ? 0 : dice.roll(0...2), padLeft = pointwise ? 0 : dice.roll(0...2)
        let inHeight = (kernelHeight - 1) * dilationH + 1 + dice.roll(0...5)
        let inWidth = (kernelWidth - 1) * dilationW + 1 + dice.roll(0...7)
        let outHeight = pointwise ? inHeight : (inHeight + padTop + dice.roll(0...2) - ((kernelHeight - 1) * dilationH + 1)) / strideH + 1
        let outWidth = pointwise ? inWidth : (inWidth + padLeft + dice.roll(0...2) - ((kernelWidth - 1) * dilationW + 1)) / strideW + 1
        return ConvolutionGeometry(
            batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, outHeight: outHeight, outWidth: outWidth,
            outChannels: outChannels, strideH: strideH, strideW: strideW,
            dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)
    }

    @Test func conv2DEqualsTheExactModelAndTheReference() {
        var dice = Dice(state: 4242)
        let activations = SIMDConvolutionTests.activations
        for index in 0..<72 {
            let g = Self.randomGeometry(&dice, index: index)
            let activation = activations[index % activations.count]
            let filterShape = [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]
            // Inputs up to ±3 so sums cross relu6's 6 and leaky ReLU's 0 often.
            let input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: 500 &+ UInt64(index)).map { $0 * 3 }
            let filter = OpTest.randomFloats(filterShape.reduce(1, *), seed: 600 &+ UInt64(index))
            let bias = OpTest.randomFloats(g.outChannels, seed: 700 &+ UInt64(index))
            let outputCount = g.batch * g.outHeight * g.outWidth * g.outChannels
            var fast = [Float](repeating: .nan, count: outputCount)
            var reference = [Float](repeating: 0, count: outputCount)
            let packed = filter.withUnsafeBufferPointer { PackedConvolutionWeights.conv2D(filter: $0.baseAddress!, shape: filterShape) }
            bias.withUnsafeBufferPointer { packed.addBias($0.baseAddress!) }
            input.withUnsafeBufferPointer { i in
                fast.withUnsafeMutableBufferPointer {
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: $0.baseAddress!, geometry: g, activation: activation)
                }
                filter.withUnsafeBufferPointer { f in
                    reference.withUnsafeMutableBufferPointer {
                        ReferenceConvolution.conv2D(input: i.baseAddress!, filter: f.baseAddress!, output: $0.baseAddress!, geometry: g)
                    }
                }
            }
            let exact = Self.exactModel(input: input, filter: filter, bias: bias, g, activation)
            let mismatches = zip(fast, exact).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "case \(index): \(g) \(activation): \(mismatches) of \(outputCount) outputs differ in bits")
            let want = reference.indices.map { ReferenceConvolution.activate(reference[$0] + bias[$0 % bias.count], activation) }
            let tolerance = 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) })
            let error = OpTest.compare(fast, want)
            #expect(error <= tolerance, "case \(index): \(g) \(activation): \(error)")
        }
    }

    /// The micro-kernel alone against the previous blocking (`widePanel4`, still the
    /// AVX-512 build's tail kernel) on one panel: the same bits, and nothing written
    /// past `valid` pixels or the panel's widths.
    @Test func panelEqualsTheFourByThirtyTwoKernelBitForBit() {
        var dice = Dice(state: 99)
        let block = SIMDConvolution.pixelBlock
        let panelWidth = PackedConvolutionWeights.panelWidth
        let activations = SIMDConvolutionTests.activations
        for index in 0..<120 {
            let runs = dice.roll(1...3), runLength = dice.roll(1...40)
            let valid = dice.roll(1...4)
            let widthA = index % 3 == 0 ? dice.roll(1...16) : 16
            let widthB = widthA < 16 ? 0 : [-3, 0, 1, 7, 15, 16, 16, 16][dice.roll(0...7)]
            let activation = activations[index % activations.count]
            let weights = OpTest.randomFloats(panelWidth * (1 + runs * runLength), seed: 900 &+ UInt64(index))
            let input = OpTest.randomFloats(runs * block * runLength, seed: 1900 &+ UInt64(index)).map { $0 * 3 }
            let zeros = [Float](repeating: 0, count: runLength)
            let pixelStride = panelWidth + dice.roll(0...5)  // wider than the panel: a channel slice
            var old = [Float](repeating: .nan, count: 4 * pixelStride)
            var new = old
            input.withUnsafeBufferPointer { i in
                zeros.withUnsafeBufferPointer { z in
                    weights.withUnsafeBufferPointer { w in
                        // Distinct runs per pixel (some in the padding); pixels past `valid` repeat the last.
                        let rows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: runs * block)
                        defer { rows.deallocate() }
                        for run in 0..<runs {
                            for m in 0..<block {
                                let pixel = min(m, valid - 1)
                                rows[run * block + m] = (run + pixel) % 5 == 4 ? z.baseAddress! : i.baseAddress! + (run * block + pixel) * runLength
                            }
                        }
                        old.withUnsafeMutableBufferPointer {
                            SIMDConvolution.widePanel4(w.baseAddress!, rows, runs: runs, runLength: runLength, $0.baseAddress!,
                                                       pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
                        }
                        new.withUnsafeMutableBufferPointer {
                            SIMDConvolution.portablePanel(w.baseAddress!, rows, runs: runs, runLength: runLength, $0.baseAddress!,
                                                          pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
                        }
                    }
                }
            }
            let mismatches = zip(old, new).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "case \(index): runs \(runs) × \(runLength), widths \(widthA)/\(widthB), valid \(valid), \(activation)")
            // The stored area is the valid pixels' real channels, nothing else (outputs are finite).
            let stored = new.indices.filter { !new[$0].isNaN }
            var expected: [Int] = []
            for m in 0..<valid {
                expected += (0..<widthA).map { m * pixelStride + $0 }
                expected += (0..<max(widthB, 0)).map { m * pixelStride + 16 + $0 }
            }
            #expect(stored == expected, "case \(index): stored \(stored.count) floats, want \(expected.count)")
        }
    }
}
