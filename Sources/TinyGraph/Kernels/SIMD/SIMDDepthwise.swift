/// Depthwise convolution (multiplier 1) on weights packed by `PackedConvolutionWeights.depthwise`.
///
/// Each output row is split by column: the interior, where every kernel column
/// lies inside the input, runs in blocks of `pixelBlock` pixels (3×3 stride 1 and
/// 2 reuse each loaded input vector for every output that needs it; other kernels
/// run a generic tap loop), and the few padding columns at either end run a
/// one-pixel path that visits only the taps inside the input. Kernel rows in the
/// padding are skipped per output row, so no tap is bounds-checked in a block.
///
/// Channels run innermost in whole vectors. A channel count that is not a multiple
/// of 16 ends with a vector that overlaps the one before it (channels C-16..<C):
/// the overlapped channels are computed twice in the same order, so they get the
/// same bits, and no load or store leaves the pixel (no lane loops). Fewer than 16
/// channels take a partial-vector path.
///
/// Each output is bias, then the taps in (ky, kx) order, as the reference sums them.
enum SIMDDepthwise {
    @inline(never)  // a symbol of its own for profiles
    static func depthwise(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation
    ) {
        guard g.inChannels > 0, g.outWidth > 0 else { return }
        if g.inChannels < floatVectorWidth {
            narrow(input: input, weights: weights, output: output, geometry: g, activation: activation)
            return
        }
        let columns = interiorColumns(g)
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let row = Row(g, weights, input: input, output: output, n: n, oy: oy)
                for ox in 0..<columns.lowerBound { edgePixel(row, g, ox: ox, activation) }
                switch (g.kernelWidth, g.strideW, g.dilationW) {
                case (3, 1, 1):
                    interior(row, g, columns, activation) { row, x, out, c in block3Stride1(row, x, out, c, activation) }
                case (3, 2, 1):
                    interior(row, g, columns, activation) { row, x, out, c in block3Stride2(row, x, out, c, activation) }
                default:
                    interior(row, g, columns, activation) { row, x, out, c in
                        blockGeneric(row, x, out, c, kernelWidth: g.kernelWidth, stride: g.strideW, dilation: g.dilationW, activation)
                    }
                }
                for ox in columns.upperBound..<g.outWidth { edgePixel(row, g, ox: ox, activation) }
            }
        }
    }

    /// Output columns whose kernel columns all lie inside the input.
    static func interiorColumns(_ g: ConvolutionGeometry) -> Range<Int> {
        let first = min((g.padLeft &+ g.strideW &- 1) / g.strideW, g.outWidth)
        let span = (g.kernelWidth &- 1) &* g.dilationW
        let lastStart = g.inWidth &- 1 &- span &+ g.padLeft  // largest ox * strideW that fits
        let end = lastStart < 0 ? 0 : min(lastStart / g.strideW &+ 1, g.outWidth)
        return first..<max(first, end)
    }

    /// What one output row reads: the kernel rows inside the input and where they start.
    struct Row {
        /// Input row of the first kernel row inside the input, at x = 0, channel 0.
        var input: UnsafePointer<Float>
        /// Floats from one used input row to the next (dilationH rows).
        var inputRowStep: Int
        /// Packed weights of that kernel row at kx = 0, channel 0.
        var weights: UnsafePointer<Float>
        /// Floats from one kernel row's weights to the next.
        var weightRowStep: Int
        /// Kernel rows inside the input (0 if the row lies wholly in the padding).
        var rows: Int
        /// Floats from one tap's weights to the next (the padded channel count).
        var tapStride: Int
        /// The bias (channel 0).
        var bias: UnsafePointer<Float>
        /// Output row at ox = 0.
        var output: UnsafeMutablePointer<Float>
        var channels: Int

        @inline(__always)
        init(_ g: ConvolutionGeometry, _ packed: PackedConvolutionWeights, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, n: Int, oy: Int) {
            let top = oy &* g.strideH &- g.padTop
            var first = 0
            while first < g.kernelHeight && top &+ first &* g.dilationH < 0 { first &+= 1 }
            var end = g.kernelHeight
            while end > first && top &+ (end &- 1) &* g.dilationH >= g.inHeight { end &-= 1 }
            channels = g.inChannels
            let rowFloats = g.inWidth &* channels
            self.input = input + (n &* g.inHeight &+ top &+ first &* g.dilationH) &* rowFloats
            inputRowStep = g.dilationH &* rowFloats
            tapStride = packed.paddedChannels
            bias = UnsafePointer(packed.floats)
            weights = bias + tapStride &* (1 &+ first &* g.kernelWidth)
            weightRowStep = tapStride &* g.kernelWidth
            rows = end &- first
            self.output = output + (n &* g.outHeight &+ oy) &* g.outWidth &* channels
        }
    }

    /// The interior columns of a row: blocks of `pixelBlock` pixels, each over every
    /// channel vector, then single pixels. `block(row, x, out, c)` computes the block
    /// whose first window starts at input column x into `out`, channels c..<c+16.
    @inline(__always)
    static func interior(
        _ row: Row, _ g: ConvolutionGeometry, _ columns: Range<Int>, _ activation: ConvolutionOp.Activation,
        _ block: (Row, Int, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        let channels = row.channels
        var ox = columns.lowerBound
        while ox &+ pixelBlock <= columns.upperBound {
            let x = ox &* g.strideW &- g.padLeft
            let out = row.output + ox &* channels
            var channel = 0
            while channel < channels {
                block(row, x, out, min(channel, channels &- floatVectorWidth))
                channel &+= floatVectorWidth
            }
            ox &+= pixelBlock
        }
        while ox < columns.upperBound {
            pixel(row, x: ox &* g.strideW &- g.padLeft, kx: 0..<g.kernelWidth, dilation: g.dilationW, out: row.output + ox &* channels, activation)
            ox &+= 1
        }
    }

    /// A column in the padding: only the kernel columns inside the input.
    @inline(__always)
    static func edgePixel(_ row: Row, _ g: ConvolutionGeometry, ox: Int, _ activation: ConvolutionOp.Activation) {
        let left = ox &* g.strideW &- g.padLeft
        var first = 0
        while first < g.kernelWidth && left &+ first &* g.dilationW < 0 { first &+= 1 }
        var end = g.kernelWidth
        while end > first && left &+ (end &- 1) &* g.dilationW >= g.inWidth { end &-= 1 }
        pixel(row, x: left, kx: first..<end, dilation: g.dilationW, out: row.output + ox &* row.channels, activation)
    }

    /// One output pixel (all channel vectors) from kernel columns `kx`; the window starts at input column x.
    @inline(__always)
    static func pixel(
        _ row: Row, x: Int, kx taps: Range<Int>, dilation: Int, out: UnsafeMutablePointer<Float>, _ activation: ConvolutionOp.Activation
    ) {
        let channels = row.channels
        var channel = 0
        while channel < channels {
            let c = min(channel, channels &- floatVectorWidth)
            var acc = loadVector(row.bias + c)
            for r in 0..<row.rows {
                let input = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
                let weights = row.weights + (r &* row.weightRowStep &+ c)
                for kx in taps {
                    acc = multiplyAdd(acc, loadVector(input + kx &* dilation &* channels), loadVector(weights + kx &* row.tapStride))
                }
            }
            storeVector(activate(acc, activation), out + c)
            channel &+= floatVectorWidth
        }
    }

    /// Fewer channels than a vector: one pixel at a time in partial vectors (the
    /// loads and stores must not touch the neighbouring pixels).
    static func narrow(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation
    ) {
        let channels = g.inChannels
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let row = Row(g, weights, input: input, output: output, n: n, oy: oy)
                for ox in 0..<g.outWidth {
                    let left = ox &* g.strideW &- g.padLeft
                    var acc = loadVector(row.bias)
                    for r in 0..<row.rows {
                        for kx in 0..<g.kernelWidth {
                            let ix = left &+ kx &* g.dilationW
                            if ix < 0 || ix >= g.inWidth { continue }
                            let x = loadPartialVector(row.input + (r &* row.inputRowStep &+ ix &* channels), count: channels)
                            acc = multiplyAdd(acc, x, loadVector(row.weights + (r &* row.weightRowStep &+ kx &* row.tapStride)))
                        }
                    }
                    storePartialVector(activate(acc, activation), row.output + ox &* channels, count: channels)
                }
            }
        }
    }
}
