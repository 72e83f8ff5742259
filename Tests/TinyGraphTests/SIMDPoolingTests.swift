import Testing
@_spi(Testing) @testable import TinyGraph

/// The SIMD pooling kernels against the reference kernels on random geometries:
/// same visiting order, so the results must be identical.
@Suite struct SIMDPoolingTests {
    /// Every third case has 60–150 channels: MaxPool's four-vector groups, then tails.
    @Test func maxAndAveragePoolMatchTheReferenceExactly() {
        var dice = SIMDConvolutionTests.Dice(state: 41)
        for index in 0..<80 {
            let windowHeight = dice.roll(1...5), windowWidth = dice.roll(1...5)
            let strideH = dice.roll(1...3), strideW = dice.roll(1...3)
            let inHeight = windowHeight + dice.roll(0...9), inWidth = windowWidth + dice.roll(0...9)
            let padTop = dice.roll(0...(windowHeight - 1)), padLeft = dice.roll(0...(windowWidth - 1))
            let outHeight = (inHeight + padTop + dice.roll(0...1) - windowHeight) / strideH + 1
            let outWidth = (inWidth + padLeft + dice.roll(0...1) - windowWidth) / strideW + 1
            let g = PoolingGeometry(batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, channels: index % 3 == 0 ? dice.roll(60...150) : dice.roll(1...41),
                                    windowHeight: windowHeight, windowWidth: windowWidth, outHeight: outHeight, outWidth: outWidth,
                                    strideH: strideH, strideW: strideW, padTop: padTop, padLeft: padLeft)
            var input = OpTest.randomFloats(g.batch * inHeight * inWidth * g.channels, seed: UInt64(index))
            let count = g.batch * outHeight * outWidth * g.channels
            var reference = [Float](repeating: 0, count: count), fast = [Float](repeating: .nan, count: count)
            for average in [false, true] {
                input.withUnsafeMutableBufferPointer { i in
                    reference.withUnsafeMutableBufferPointer { r in
                        fast.withUnsafeMutableBufferPointer { f in
                            if average {
                                ReferencePooling.avgPool(input: i.baseAddress!, output: r.baseAddress!, geometry: g)
                                SIMDPooling.avgPool(input: i.baseAddress!, output: f.baseAddress!, geometry: g)
                            } else {
                                ReferencePooling.maxPool(input: i.baseAddress!, output: r.baseAddress!, geometry: g)
                                SIMDPooling.maxPool(input: i.baseAddress!, output: f.baseAddress!, geometry: g)
                            }
                        }
                    }
                }
                #expect(fast == reference, "case \(index) average=\(average): \(g)")
            }
        }
    }
}
