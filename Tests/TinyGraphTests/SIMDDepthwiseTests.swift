import Testing
@_spi(Testing) @testable import TinyGraph

/// `SIMDDepthwise.depthwise` against `ReferenceConvolution.depthwise` on the shapes
/// its paths split on: channel counts below, at and past one vector (tails that
/// overlap the previous vector), 3×3 stride 1 and 2 blocks, the generic tap loop
/// (5×5, 1×1, dilation 2), padding columns and rows, rows shorter than a block.
@Suite struct SIMDDepthwiseTests {
    /// Deterministic small integers for choosing shapes.
    struct Dice {
        var state: UInt64
        mutating func roll(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
    }

    static let channelCounts = [1, 3, 15, 16, 17, 58, 116, 232]
    static let activations: [ConvolutionOp.Activation] = [.none, .relu, .relu6, .leakyRelu(alpha: 0.1)]

    /// One kernel shape and padding scheme.
    struct Kernel: CustomStringConvertible {
        var size: Int
        var stride: Int
        var dilation = 1
        var same: Bool
        var description: String { "\(size)×\(size)/\(stride) dilation \(dilation) \(same ? "SAME" : "VALID")" }
    }

    static let kernels = [
        Kernel(size: 3, stride: 1, same: true), Kernel(size: 3, stride: 2, same: true),
        Kernel(size: 3, stride: 1, same: false), Kernel(size: 3, stride: 2, same: false),
        Kernel(size: 5, stride: 1, same: true), Kernel(size: 5, stride: 2, same: true),
        Kernel(size: 1, stride: 1, same: true), Kernel(size: 1, stride: 2, same: false),
        Kernel(size: 3, stride: 1, dilation: 2, same: true), Kernel(size: 3, stride: 2, dilation: 2, same: false),
    ]

    /// TensorFlow's output size and padding for one dimension.
    static func dimension(input: Int, kernel: Int, stride: Int, dilation: Int, same: Bool) -> (output: Int, padBefore: Int) {
        let extent = (kernel - 1) * dilation + 1
        guard same else { return ((input - extent) / stride + 1, 0) }
        let output = (input + stride - 1) / stride
        let padTotal = max((output - 1) * stride + extent - input, 0)
        return (output, padTotal / 2)
    }

    static func geometry(batch: Int, height: Int, width: Int, channels: Int, _ k: Kernel) -> ConvolutionGeometry {
        let rows = dimension(input: height, kernel: k.size, stride: k.stride, dilation: k.dilation, same: k.same)
        let columns = dimension(input: width, kernel: k.size, stride: k.stride, dilation: k.dilation, same: k.same)
        return ConvolutionGeometry(
            batch: batch, inHeight: height, inWidth: width, inChannels: channels, kernelHeight: k.size, kernelWidth: k.size,
            outHeight: rows.output, outWidth: columns.output, outChannels: channels, strideH: k.stride, strideW: k.stride,
            dilationH: k.dilation, dilationW: k.dilation, padTop: rows.padBefore, padLeft: columns.padBefore)
    }

    /// Runs both kernels (bias and activation applied to the reference afterwards)
    /// and returns the SIMD kernel's largest error, the tolerance, and whether it
    /// wrote outside its output (guard floats on both sides must keep their value).
    static func compare(_ g: ConvolutionGeometry, _ activation: ConvolutionOp.Activation, seed: UInt64)
        -> (error: ValueComparison, tolerance: Float, wroteOutside: Bool) {
        let filterShape = [g.kernelHeight, g.kernelWidth, g.inChannels, 1]
        let input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: seed)
        let filter = OpTest.randomFloats(filterShape.reduce(1, *), seed: seed &+ 1000)
        let bias = OpTest.randomFloats(g.outChannels, seed: seed &+ 2000)
        let outputCount = g.batch * g.outHeight * g.outWidth * g.outChannels
        var reference = [Float](repeating: 0, count: outputCount)
        let guardCount = 32, sentinel: Float = -12345
        var fast = [Float](repeating: sentinel, count: outputCount + 2 * guardCount)

        let packed = filter.withUnsafeBufferPointer { PackedConvolutionWeights.depthwise(filter: $0.baseAddress!, shape: filterShape) }
        bias.withUnsafeBufferPointer { packed.addBias($0.baseAddress!) }
        input.withUnsafeBufferPointer { i in
            filter.withUnsafeBufferPointer { f in
                reference.withUnsafeMutableBufferPointer { r in
                    ReferenceConvolution.depthwise(input: i.baseAddress!, filter: f.baseAddress!, output: r.baseAddress!, geometry: g)
                }
            }
            fast.withUnsafeMutableBufferPointer { o in
                SIMDDepthwise.depthwise(input: i.baseAddress!, weights: packed, output: o.baseAddress! + guardCount, geometry: g, activation: activation)
            }
        }
        let want = reference.indices.map { ReferenceConvolution.activate(reference[$0] + bias[$0 % bias.count], activation) }
        let got = Array(fast[guardCount..<guardCount + outputCount])
        let wroteOutside = fast[..<guardCount].contains { $0 != sentinel } || fast[(guardCount + outputCount)...].contains { $0 != sentinel }
        // The same tolerance as SIMDConvolutionTests: the SIMD kernel adds the bias
        // first and may fuse multiply-adds, so its rounding differs from the reference.
        let tolerance = 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) })
        return (OpTest.compare(got, want), tolerance, wroteOutside)
    }

    @Test(arguments: channelCounts)
    func everyKernelAndActivationMatchesReference(channels: Int) {
        var seed = UInt64(channels) &* 7919
        for kernel in Self.kernels {
            for activation in Self.activations {
                seed &+= 1
                // Odd sizes: the 3×3 blocks of 4 pixels end with single interior pixels.
                let g = Self.geometry(batch: 1, height: 11, width: 13, channels: channels, kernel)
                let result = Self.compare(g, activation, seed: seed)
                #expect(result.error <= result.tolerance, "\(channels) channels, \(kernel), \(activation): \(result.error)")
                #expect(!result.wroteOutside, "\(channels) channels, \(kernel), \(activation): wrote outside the output")
            }
        }
    }

    /// Images narrower than a block, or than the kernel (every column an edge), a
    /// batch of two, and wide rows (several blocks).
    @Test func smallAndWideImagesMatchReference() {
        let sizes = [(1, 1), (2, 3), (3, 2), (4, 4), (5, 7), (7, 7), (6, 21), (9, 37)]
        var seed: UInt64 = 501
        for (height, width) in sizes {
            for kernel in Self.kernels {
                for channels in [3, 16, 58] {
                    seed &+= 1
                    let g = Self.geometry(batch: 2, height: height, width: width, channels: channels, kernel)
                    guard g.outHeight > 0 && g.outWidth > 0 else { continue }  // VALID with a kernel larger than the image
                    let activation = Self.activations[Int(seed % 4)]
                    let result = Self.compare(g, activation, seed: seed)
                    #expect(result.error <= result.tolerance, "\(height)×\(width)×\(channels), \(kernel), \(activation): \(result.error)")
                    #expect(!result.wroteOutside, "\(height)×\(width)×\(channels), \(kernel): wrote outside the output")
                }
            }
        }
    }

    /// Explicit paddings the TensorFlow schemes never produce: different strides per
    /// axis, padding wider than the kernel (output rows and columns that see no
    /// input at all, so bias only), and outputs that stop short of the input's end.
    @Test func randomExplicitGeometriesMatchReference() {
        var dice = Dice(state: 77)
        for index in 0..<120 {
            let channels = Self.channelCounts[dice.roll(0...Self.channelCounts.count - 1)]
            let kernelHeight = dice.roll(1...5), kernelWidth = dice.roll(1...5)
            let dilationH = dice.roll(1...2), dilationW = dice.roll(1...2)
            let strideH = dice.roll(1...3), strideW = dice.roll(1...3)
            let padTop = dice.roll(0...kernelHeight + 1), padLeft = dice.roll(0...kernelWidth + 1)
            let inHeight = dice.roll(1...9), inWidth = dice.roll(1...17)
            let outHeight = max(1, (inHeight + padTop + dice.roll(0...4) - ((kernelHeight - 1) * dilationH + 1)) / strideH + 1)
            let outWidth = max(1, (inWidth + padLeft + dice.roll(0...4) - ((kernelWidth - 1) * dilationW + 1)) / strideW + 1)
            let g = ConvolutionGeometry(
                batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: channels,
                kernelHeight: kernelHeight, kernelWidth: kernelWidth, outHeight: outHeight, outWidth: outWidth,
                outChannels: channels, strideH: strideH, strideW: strideW,
                dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)
            let activation = Self.activations[index % Self.activations.count]
            let result = Self.compare(g, activation, seed: 9000 &+ UInt64(index))
            #expect(result.error <= result.tolerance, "case \(index): \(g) \(activation): \(result.error)")
            #expect(!result.wroteOutside, "case \(index): \(g): wrote outside the output")
        }
    }
}
