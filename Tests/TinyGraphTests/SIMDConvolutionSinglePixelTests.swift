import Testing
@_spi(Testing) @testable import TinyGraph

/// The one-pixel pointwise path (`SIMDConvolution.singlePixel`, a classifier's
/// MatMul on one row) against the blocked kernel and the reference kernel.
@Suite struct SIMDConvolutionSinglePixelTests {
    typealias Dice = SIMDConvolutionTests.Dice

    @Test func equalsTheBlockedKernelBitForBitAndTheReference() {
        var dice = Dice(state: 271)
        let activations = SIMDConvolutionTests.activations
        // Depths and widths around the panel (32) and four-panel (128) boundaries.
        for index in 0..<60 {
            let depth = index < 6 ? [1, 2, 31, 1024, 1280, 17][index] : dice.roll(1...300)
            let width = index < 6 ? [1, 1000, 129, 128, 16, 33][index] : dice.roll(1...300)
            let activation = activations[index % activations.count]
            let x = OpTest.randomFloats(depth, seed: 10 &+ UInt64(index)).map { $0 * 2 }
            let filter = OpTest.randomFloats(depth * width, seed: 20 &+ UInt64(index))
            let bias = OpTest.randomFloats(width, seed: 30 &+ UInt64(index))
            let packed = filter.withUnsafeBufferPointer { PackedConvolutionWeights.conv2D(filter: $0.baseAddress!, shape: [1, 1, depth, width]) }
            bias.withUnsafeBufferPointer { packed.addBias($0.baseAddress!) }
            func geometry(pixels: Int) -> ConvolutionGeometry {
                ConvolutionGeometry(batch: 1, inHeight: 1, inWidth: pixels, inChannels: depth, kernelHeight: 1, kernelWidth: 1,
                                    outHeight: 1, outWidth: pixels, outChannels: width, strideH: 1, strideW: 1,
                                    dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0)
            }
            var single = [Float](repeating: .nan, count: width)
            var blocked = [Float](repeating: .nan, count: 2 * width)  // two pixels: the blocked kernel
            var reference = [Float](repeating: 0, count: width)
            let twoPixels = x + x
            x.withUnsafeBufferPointer { i in
                single.withUnsafeMutableBufferPointer {
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: $0.baseAddress!, geometry: geometry(pixels: 1), activation: activation)
                }
                filter.withUnsafeBufferPointer { f in
                    reference.withUnsafeMutableBufferPointer {
                        ReferenceConvolution.conv2D(input: i.baseAddress!, filter: f.baseAddress!, output: $0.baseAddress!, geometry: geometry(pixels: 1))
                    }
                }
            }
            twoPixels.withUnsafeBufferPointer { i in
                blocked.withUnsafeMutableBufferPointer {
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: $0.baseAddress!, geometry: geometry(pixels: 2), activation: activation)
                }
            }
            #expect(single.map(\.bitPattern) == blocked.prefix(width).map(\.bitPattern), "case \(index): K \(depth) N \(width) \(activation)")
            let want = reference.indices.map { ReferenceConvolution.activate(reference[$0] + bias[$0], activation) }
            let tolerance = 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) })
            #expect(OpTest.compare(single, want) <= tolerance, "case \(index): K \(depth) N \(width) \(activation)")
        }
    }
}
