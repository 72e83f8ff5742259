import Testing
@_spi(Testing) @testable import TinyGraph

/// The SIMD kernels split over threads give exactly the bits they give on one
/// thread, on random geometries: with the engine's splitting and with every kernel
/// split into as many tasks as it has units (`splitsAllWork`). Output buffers start
/// as NaN, so an output no task writes shows.
@Suite struct ThreadedKernelTests {
    typealias Dice = SIMDConvolutionTests.Dice

    /// Pools of 2 and 3 threads, each splitting as the engine does and splitting everything.
    static func pools() throws -> [ThreadPool] {
        [try ThreadPool(threads: 2), try ThreadPool(threads: 3), try ThreadPool(threads: 2, splitsAllWork: true),
         try ThreadPool(threads: 3, splitsAllWork: true)]
    }

    /// Runs `kernel` once without threads and once on each pool into NaN-filled
    /// buffers of `count` floats; every threaded result must be the same bits.
    private func expectSameBits(count: Int, _ label: String, _ kernel: (UnsafeMutablePointer<Float>, ThreadPool?) -> Void) throws {
        var expected = [Float](repeating: .nan, count: count)
        expected.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, nil) }
        for pool in try Self.pools() {
            var got = [Float](repeating: .nan, count: count)
            got.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, pool) }
            #expect(got.map(\.bitPattern) == expected.map(\.bitPattern),
                    "\(label), \(pool.threadCount) threads, split all \(pool.splitsAllWork): \(OpTest.compare(got, expected))")
        }
    }

    private func randomConvolution(_ dice: inout Dice, depthwise: Bool) -> ConvolutionGeometry {
        let inChannels = depthwise ? dice.roll(1...80) : dice.roll(1...40)
        let kernelHeight = dice.roll(1...4), kernelWidth = dice.roll(1...4)
        let dilationH = dice.roll(1...2), dilationW = depthwise ? 1 : dice.roll(1...2)
        let strideH = dice.roll(1...2), strideW = depthwise ? strideH : dice.roll(1...3)
        let padTop = dice.roll(0...1), padLeft = dice.roll(0...1)
        let inHeight = (kernelHeight - 1) * dilationH + 1 + dice.roll(0...20)
        let inWidth = (kernelWidth - 1) * dilationW + 1 + dice.roll(0...20)
        return ConvolutionGeometry(
            batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            outHeight: (inHeight + padTop - ((kernelHeight - 1) * dilationH + 1)) / strideH + 1,
            outWidth: (inWidth + padLeft - ((kernelWidth - 1) * dilationW + 1)) / strideW + 1,
            outChannels: depthwise ? inChannels : dice.roll(1...100), strideH: strideH, strideW: strideW,
            dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)
    }

    private func packed(_ g: ConvolutionGeometry, depthwise: Bool, seed: UInt64) -> PackedConvolutionWeights {
        let shape = [g.kernelHeight, g.kernelWidth, g.inChannels, depthwise ? 1 : g.outChannels]
        let filter = OpTest.randomFloats(shape.reduce(1, *), seed: seed)
        let bias = OpTest.randomFloats(g.outChannels, seed: seed &+ 1)
        let weights = filter.withUnsafeBufferPointer {
            depthwise ? PackedConvolutionWeights.depthwise(filter: $0.baseAddress!, shape: shape)
                      : PackedConvolutionWeights.conv2D(filter: $0.baseAddress!, shape: shape)
        }
        bias.withUnsafeBufferPointer { weights.addBias($0.baseAddress!) }
        return weights
    }

    @Test func conv2DAndDepthwise() throws {
        var dice = Dice(state: 1601)
        for index in 0..<60 {
            for depthwise in [false, true] {
                let g = randomConvolution(&dice, depthwise: depthwise)
                let activation = SIMDConvolutionTests.activations[index % 4]
                let weights = packed(g, depthwise: depthwise, seed: UInt64(index) &* 7)
                let input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: UInt64(index))
                // Conv2D also writes into a wider tensor's channel slice (a fused concatenation).
                let pixelStride = depthwise || index % 3 != 0 ? g.outChannels : g.outChannels + dice.roll(1...20)
                let count = g.batch * g.outHeight * g.outWidth * pixelStride
                try input.withUnsafeBufferPointer { x in
                    try expectSameBits(count: count, "case \(index) depthwise \(depthwise) \(g)") { output, threads in
                        if depthwise {
                            SIMDDepthwise.depthwise(input: x.baseAddress!, weights: weights, output: output, geometry: g,
                                                    activation: activation, threads: threads)
                        } else {
                            SIMDConvolution.conv2D(input: x.baseAddress!, weights: weights, output: output, geometry: g,
                                                   activation: activation, outputPixelStride: pixelStride, threads: threads)
                        }
                    }
                }
            }
        }
    }

    /// Layers big enough that the engine's own split applies (pixel-first and panel-first).
    @Test(arguments: [(56, 56, 24, 144, 1), (7, 7, 320, 1280, 1), (14, 14, 96, 576, 3), (28, 28, 32, 32, 3)])
    func realLayerShapes(_ height: Int, _ width: Int, _ inChannels: Int, _ outChannels: Int, _ kernel: Int) throws {
        let g = ConvolutionGeometry(
            batch: 1, inHeight: height, inWidth: width, inChannels: inChannels, kernelHeight: kernel, kernelWidth: kernel,
            outHeight: height, outWidth: width, outChannels: outChannels, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
            padTop: kernel / 2, padLeft: kernel / 2)
        let weights = packed(g, depthwise: false, seed: 77)
        let input = OpTest.randomFloats(height * width * inChannels, seed: 78)
        try input.withUnsafeBufferPointer { x in
            try expectSameBits(count: height * width * outChannels, "\(g)") { output, threads in
                SIMDConvolution.conv2D(input: x.baseAddress!, weights: weights, output: output, geometry: g, activation: .relu6,
                                       threads: threads)
            }
        }
    }

    /// A classifier's MatMul: one pixel, the matrix-vector kernel split by panels.
    @Test(arguments: [1, 31, 32, 100, 1000])
    func singlePixel(_ outChannels: Int) throws {
        let g = ConvolutionGeometry(
            batch: 1, inHeight: 1, inWidth: 1, inChannels: 1280, kernelHeight: 1, kernelWidth: 1, outHeight: 1, outWidth: 1,
            outChannels: outChannels, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0)
        let weights = packed(g, depthwise: false, seed: 5)
        let input = OpTest.randomFloats(1280, seed: 6)
        try input.withUnsafeBufferPointer { x in
            try expectSameBits(count: outChannels, "\(outChannels) outputs") { output, threads in
                SIMDConvolution.conv2D(input: x.baseAddress!, weights: weights, output: output, geometry: g, activation: .none,
                                       threads: threads)
            }
        }
    }

    @Test func poolingAndConvolutionStreamedIntoPooling() throws {
        var dice = Dice(state: 1602)
        for index in 0..<40 {
            let conv = randomConvolution(&dice, depthwise: false)
            let windowHeight = dice.roll(1...min(3, conv.outHeight)), windowWidth = dice.roll(1...min(3, conv.outWidth))
            let strideH = dice.roll(1...2), strideW = dice.roll(1...2)
            let pool = PoolingGeometry(
                batch: conv.batch, inHeight: conv.outHeight, inWidth: conv.outWidth, channels: conv.outChannels,
                windowHeight: windowHeight, windowWidth: windowWidth,
                outHeight: (conv.outHeight - windowHeight) / strideH + 1, outWidth: (conv.outWidth - windowWidth) / strideW + 1,
                strideH: strideH, strideW: strideW, padTop: 0, padLeft: 0)
            let pooledCount = pool.batch * pool.outHeight * pool.outWidth * pool.channels
            let convolvedCount = conv.batch * conv.outHeight * conv.outWidth * conv.outChannels
            let convolved = OpTest.randomFloats(convolvedCount, seed: UInt64(index) &+ 300)
            try convolved.withUnsafeBufferPointer { x in
                try expectSameBits(count: pooledCount, "max pool case \(index) \(pool)") { output, threads in
                    SIMDPooling.maxPool(input: x.baseAddress!, output: output, geometry: pool, threads: threads)
                }
                try expectSameBits(count: pooledCount, "average pool case \(index) \(pool)") { output, threads in
                    SIMDPooling.avgPool(input: x.baseAddress!, output: output, geometry: pool, threads: threads)
                }
            }
            let weights = packed(conv, depthwise: false, seed: UInt64(index) &+ 400)
            let input = OpTest.randomFloats(conv.batch * conv.inHeight * conv.inWidth * conv.inChannels, seed: UInt64(index) &+ 500)
            let ringCount = SIMDConvolution.ringRowCount(poolWindowHeight: windowHeight, convolutionHeight: conv.outHeight)
                * conv.outWidth * conv.outChannels
            var ring = [Float](repeating: .nan, count: ringCount)
            try input.withUnsafeBufferPointer { x in
                try expectSameBits(count: pooledCount, "conv + max pool case \(index) \(conv) \(pool)") { output, threads in
                    ring.withUnsafeMutableBufferPointer { r in
                        SIMDConvolution.conv2DMaxPool(input: x.baseAddress!, weights: weights, output: output, ring: r.baseAddress!,
                                                      geometry: conv, activation: .relu, pool: pool, threads: threads)
                    }
                }
            }
        }
    }

    /// Every convolution split covers each (image, pixel, panel) exactly once.
    @Test func convolutionSplitsTileTheOutput() throws {
        var dice = Dice(state: 1603)
        let pools = try Self.pools() + [try ThreadPool(threads: 4)]
        for _ in 0..<50 {
            let g = randomConvolution(&dice, depthwise: false)
            let weights = packed(g, depthwise: false, seed: 9)
            for pool in pools {
                let split = ConvolutionSplit(g, weights, threads: pool)
                let pixels = g.outHeight * g.outWidth
                var covered = [Int](repeating: 0, count: (split.taskCount > 1 ? g.batch : 1) * pixels * weights.panelCount)
                for task in 0..<split.taskCount {
                    let part = split.part(task)
                    if split.taskCount > 1 { #expect(part.pixels.isEmpty || part.pixels.lowerBound % SIMDConvolution.pixelBlock == 0) }
                    for pixel in part.pixels {
                        for panel in part.panels { covered[(part.batch * pixels + pixel) * weights.panelCount + panel] += 1 }
                    }
                }
                #expect(covered.allSatisfy { $0 == 1 }, "\(g), \(pool.threadCount) threads: \(split)")
            }
        }
    }
}
