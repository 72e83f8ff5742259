/// Depthwise convolution (multiplier 1) on weights packed by `PackedConvolutionWeights.depthwise`.
enum SIMDDepthwise {
    /// Depthwise convolution with multiplier 1: blocks of 4 output pixels of a row ×
    /// 16 channels in four independent accumulators where the block's windows lie
    /// inside the input horizontally; a checked one-pixel path at the edges.
    @inline(never)
    static func depthwise(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation
    ) {
        let channels = g.inChannels
        let padded = weights.paddedChannels
        let packed = UnsafePointer(weights.floats)
        let span = (g.kernelWidth &- 1) &* g.dilationW
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                var ox = 0
                while ox < g.outWidth {
                    let firstX = ox &* g.strideW &- g.padLeft
                    let lastX = (ox &+ 3) &* g.strideW &- g.padLeft &+ span
                    let outputPixel = output + (((n &* g.outHeight &+ oy) &* g.outWidth &+ ox) &* channels)
                    guard ox &+ 4 <= g.outWidth, firstX >= 0, lastX < g.inWidth else {
                        depthwisePixel(input, packed, outputPixel, n, oy, ox, g, padded, activation)
                        ox &+= 1
                        continue
                    }
                    let pixelStride = g.strideW &* channels
                    var channel = 0
                    while channel < channels {
                        let width = min(floatVectorWidth, channels &- channel)
                        var acc0 = loadVector(packed + channel)
                        var acc1 = acc0
                        var acc2 = acc0
                        var acc3 = acc0
                        for ky in 0..<g.kernelHeight {
                            let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                            if iy < 0 || iy >= g.inHeight { continue }
                            let rowOffset: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ firstX) &* channels &+ channel
                            for kx in 0..<g.kernelWidth {
                                let weightOffset: Int = padded &* (1 &+ ky &* g.kernelWidth &+ kx) &+ channel
                                let w = loadVector(packed + weightOffset)
                                let p0 = input + (rowOffset &+ kx &* g.dilationW &* channels)
                                if width == floatVectorWidth {
                                    acc0 = multiplyAdd(acc0, loadVector(p0), w)
                                    acc1 = multiplyAdd(acc1, loadVector(p0 + pixelStride), w)
                                    acc2 = multiplyAdd(acc2, loadVector(p0 + 2 &* pixelStride), w)
                                    acc3 = multiplyAdd(acc3, loadVector(p0 + 3 &* pixelStride), w)
                                } else {
                                    acc0 = multiplyAdd(acc0, loadPartialVector(p0, count: width), w)
                                    acc1 = multiplyAdd(acc1, loadPartialVector(p0 + pixelStride, count: width), w)
                                    acc2 = multiplyAdd(acc2, loadPartialVector(p0 + 2 &* pixelStride, count: width), w)
                                    acc3 = multiplyAdd(acc3, loadPartialVector(p0 + 3 &* pixelStride, count: width), w)
                                }
                            }
                        }
                        let out = outputPixel + channel
                        SIMDConvolution.store(activate(acc0, activation), out, width: width)
                        SIMDConvolution.store(activate(acc1, activation), out + channels, width: width)
                        SIMDConvolution.store(activate(acc2, activation), out + 2 &* channels, width: width)
                        SIMDConvolution.store(activate(acc3, activation), out + 3 &* channels, width: width)
                        channel &+= floatVectorWidth
                    }
                    ox &+= 4
                }
            }
        }
    }

    /// One output pixel of a depthwise convolution, every tap bounds-checked.
    @inline(__always)
    private static func depthwisePixel(
        _ input: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ outputPixel: UnsafeMutablePointer<Float>,
        _ n: Int, _ oy: Int, _ ox: Int, _ g: ConvolutionGeometry, _ padded: Int, _ activation: ConvolutionOp.Activation
    ) {
        let channels = g.inChannels
        var channel = 0
        while channel < channels {
            let width = min(floatVectorWidth, channels &- channel)
            var acc = loadVector(packed + channel)
            for ky in 0..<g.kernelHeight {
                let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                if iy < 0 || iy >= g.inHeight { continue }
                for kx in 0..<g.kernelWidth {
                    let ix = ox &* g.strideW &- g.padLeft &+ kx &* g.dilationW
                    if ix < 0 || ix >= g.inWidth { continue }
                    let pixelIndex: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ channel
                    let weightIndex: Int = padded &* (1 &+ ky &* g.kernelWidth &+ kx) &+ channel
                    let pixel = input + pixelIndex
                    let x = width == floatVectorWidth ? loadVector(pixel) : loadPartialVector(pixel, count: width)
                    acc = multiplyAdd(acc, x, loadVector(packed + weightIndex))
                }
            }
            SIMDConvolution.store(activate(acc, activation), outputPixel + channel, width: width)
            channel &+= floatVectorWidth
        }
    }
}
