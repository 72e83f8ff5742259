/// Depthwise convolution (multiplier 1) on weights packed by `PackedConvolutionWeights.depthwise`.
///
/// Each output row runs in blocks of 4 adjacent pixels × one channel vector, kernel
/// rows in the padding skipped for the whole row. A 3-wide kernel with stride 1 or
/// 2 (all of MobileNet's and ShuffleNet's) loads each input column of a block once
/// per kernel row and multiplies it into every pixel that uses it; a block that
/// overhangs the input's left or right edge skips the columns outside, and the last
/// block of a row is moved left to end at the row's end (overlapping the one
/// before), so there is no one-pixel path. Other kernels run a tap loop in blocks
/// over the interior columns and one pixel at a time at the edges. Wide layers run
/// in channel tiles (`tileChannels`) so the input rows a tile reuses stay in L1.
///
/// Channels run innermost in whole vectors. A channel count that is not a multiple
/// of 16 ends with a vector that overlaps the one before it (channels C-16..<C).
/// Overlapped pixels and channels are computed twice in the same order, so they get
/// the same bits, and no load or store leaves the pixel (no lane loops). Fewer than
/// 16 channels take a partial-vector path.
///
/// Each output is the bias, then the taps inside the input in (ky, kx) order, as
/// the reference sums them.
enum SIMDDepthwise {
    /// `threads`: split the output rows over a pool's threads; nil or one thread
    /// computes them all on the calling thread. Rows are independent: the same bits.
    static func depthwise(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation, threads: ThreadPool? = nil
    ) {
        guard g.inChannels > 0, g.outWidth > 0 else { return }
        let rows = g.batch &* g.outHeight
        let multiplyAdds = rows &* g.outWidth &* g.inChannels &* g.kernelHeight &* g.kernelWidth
        let tasks = WorkSplit.taskCount(threads, units: rows, work: multiplyAdds,
                                        minimum: WorkSplit.minimumParallelMultiplyAdds)
        guard tasks > 1, let threads else {
            depthwise(input: input, weights: weights, output: output, geometry: g, activation: activation, rows: 0..<rows)
            return
        }
        threads.forEach(tasks) { task in
            depthwise(input: input, weights: weights, output: output, geometry: g, activation: activation,
                      rows: WorkSplit.range(task, of: tasks, count: rows))
        }
    }

    /// Output rows `rows` (flat indices n × outHeight + oy).
    @inline(never)  // a symbol of its own for profiles
    static func depthwise(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation, rows: Range<Int>
    ) {
        if g.inChannels < floatVectorWidth {
            narrow(input: input, weights: weights, output: output, geometry: g, activation: activation, rows: rows)
            return
        }
        let threeWide = g.kernelWidth == 3 && g.dilationW == 1 && g.outWidth >= 4
        let tile = tileChannels(g)
        var tileStart = 0
        while tileStart < g.inChannels {
            let tileEnd = min(tileStart &+ tile, g.inChannels)
            for flat in rows {
                let n = flat / g.outHeight
                var row = Row(g, weights, input: input, output: output, n: n, oy: flat &- n &* g.outHeight)
                row.firstChannel = tileStart
                row.endChannel = tileEnd
                switch (threeWide ? g.strideW : 0, row.rows) {
                case (1, 3): row3(Block3Stride1.self, AllKernelRows.self, row, g, activation)
                case (1, _): row3(Block3Stride1.self, SomeKernelRows.self, row, g, activation)
                case (2, 3): row3(Block3Stride2.self, AllKernelRows.self, row, g, activation)
                case (2, _): row3(Block3Stride2.self, SomeKernelRows.self, row, g, activation)
                default: rowGeneric(row, g, activation)
                }
            }
            tileStart = tileEnd
        }
    }

    /// Channels per pass over the image: as many whole vectors as keep the kernel's
    /// input rows (their slice of channels) within `tileBytes`, so each input row
    /// comes from L2 once and its reuse by the next output rows hits L1 (14×14×576:
    /// 26 → 16 µs). At least `minimumTileChannels`: a pass that reads only a few
    /// lines of each pixel streams worse than it gains (112×112×32 in one vector per
    /// pass: 55 → 62 µs).
    static let tileBytes = 24 * 1024
    static let minimumTileChannels = 4 * floatVectorWidth

    static func tileChannels(_ g: ConvolutionGeometry) -> Int {
        if g.strideH > 1 { return g.inChannels }
        let bytesPerChannel = 4 &* g.kernelHeight &* g.inWidth
        let vectors = tileBytes / max(bytesPerChannel, 1) / floatVectorWidth
        return max(minimumTileChannels, vectors &* floatVectorWidth)
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
        /// The channels this pass computes, in vectors from firstChannel (the last
        /// one clamped to end at `channels`).
        var firstChannel = 0
        var endChannel: Int

        @inline(__always)
        init(_ g: ConvolutionGeometry, _ packed: PackedConvolutionWeights, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, n: Int, oy: Int) {
            let top = oy &* g.strideH &- g.padTop
            var first = 0
            while first < g.kernelHeight && top &+ first &* g.dilationH < 0 { first &+= 1 }
            var end = g.kernelHeight
            while end > first && top &+ (end &- 1) &* g.dilationH >= g.inHeight { end &-= 1 }
            channels = g.inChannels
            endChannel = channels
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

    /// Calls `body(c)` for every channel vector's first channel, the last one
    /// overlapping the one before when the count is not a multiple of 16.
    @inline(__always)
    static func forEachChannelVector(_ row: Row, _ body: (Int) -> Void) {
        var channel = row.firstChannel
        while channel < row.endChannel {
            body(min(channel, row.channels &- floatVectorWidth))
            channel &+= floatVectorWidth
        }
    }

    /// A row of a 3-wide kernel with dilation 1 and stride 1 or 2, at least 4 output
    /// pixels wide: every pixel in blocks, the last block moved left to end at the
    /// row's end.
    ///
    /// Generic so that each block kernel and kernel-row count gets its own
    /// specialised copy with the stride and row count as constants (rows unrolled,
    /// padding checks folded). Plain parameters relied on inlining, and the inliner
    /// stopped at this size and kept one copy with everything dynamic (1.3× slower).
    /// 8-pixel blocks under TINYGRAPH_AVX512 measured no faster than 4: the kernel
    /// waits on memory, not on multiply-adds.
    @inline(never)
    static func row3<Block: DepthwiseBlock3, Rows: DepthwiseKernelRows>(
        _: Block.Type, _: Rows.Type, _ row: Row, _ g: ConvolutionGeometry, _ activation: ConvolutionOp.Activation
    ) {
        var ox = 0
        while ox < g.outWidth {
            let first = min(ox, g.outWidth &- Block.pixels)
            blocks3(Block.self, Rows.self, row, g, first: first, activation)
            ox = first &+ Block.pixels
        }
    }

    /// One block of output pixels from column `first`, every channel vector.
    @inline(__always)
    static func blocks3<Block: DepthwiseBlock3, Rows: DepthwiseKernelRows>(
        _: Block.Type, _: Rows.Type, _ row: Row, _ g: ConvolutionGeometry, first: Int, _ activation: ConvolutionOp.Activation
    ) {
        let rows = Rows.count(row)
        let columns = (Block.pixels &- 1) &* Block.stride &+ 3  // input columns the block reads
        let x = first &* Block.stride &- g.padLeft
        let out = row.output + first &* row.channels
        if x >= 0 && x &+ columns <= g.inWidth {
            forEachChannelVector(row) { c in Block.run(row, rows, x, 0, columns, out, c, activation) }
        } else {
            // Only input columns x + lo ..< x + hi lie inside the input.
            let lo = max(0, -x), hi = min(columns, g.inWidth &- x)
            forEachChannelVector(row) { c in Block.run(row, rows, x, lo, hi, out, c, activation) }
        }
    }

    /// Pixels per block of `blockGeneric`.
    static let pixelBlock = 4

    /// Any kernel: blocks over the columns whose kernel columns all lie inside the
    /// input, single pixels elsewhere.
    @inline(__always)
    static func rowGeneric(_ row: Row, _ g: ConvolutionGeometry, _ activation: ConvolutionOp.Activation) {
        let columns = interiorColumns(g)
        for ox in 0..<columns.lowerBound { edgePixel(row, g, ox: ox, activation) }
        var ox = columns.lowerBound
        while ox &+ pixelBlock <= columns.upperBound {
            let x = ox &* g.strideW &- g.padLeft
            let out = row.output + ox &* row.channels
            forEachChannelVector(row) { c in
                blockGeneric(row, x, out, c, kernelWidth: g.kernelWidth, stride: g.strideW, dilation: g.dilationW, activation)
            }
            ox &+= pixelBlock
        }
        while ox < columns.upperBound {
            let x = ox &* g.strideW &- g.padLeft
            pixel(row, x: x, kx: 0..<g.kernelWidth, dilation: g.dilationW, out: row.output + ox &* row.channels, activation)
            ox &+= 1
        }
        for ox in columns.upperBound..<g.outWidth { edgePixel(row, g, ox: ox, activation) }
    }

    /// Output columns whose kernel columns all lie inside the input.
    static func interiorColumns(_ g: ConvolutionGeometry) -> Range<Int> {
        let first = min((g.padLeft &+ g.strideW &- 1) / g.strideW, g.outWidth)
        let span = (g.kernelWidth &- 1) &* g.dilationW
        let lastStart = g.inWidth &- 1 &- span &+ g.padLeft  // largest ox * strideW that fits
        let end = lastStart < 0 ? 0 : min(lastStart / g.strideW &+ 1, g.outWidth)
        return first..<max(first, end)
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
        forEachChannelVector(row) { c in
            var acc = loadVector(row.bias + c)
            for r in 0..<row.rows {
                let input = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
                let weights = row.weights + (r &* row.weightRowStep &+ c)
                for kx in taps {
                    acc = multiplyAdd(acc, loadVector(input + kx &* dilation &* channels), loadVector(weights + kx &* row.tapStride))
                }
            }
            storeVector(activate(acc, activation), out + c)
        }
    }

    /// Fewer channels than a vector: one pixel at a time in partial vectors (the
    /// loads and stores must not touch the neighbouring pixels).
    static func narrow(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation, rows: Range<Int>
    ) {
        let channels = g.inChannels
        for flat in rows {
            do {
                let n = flat / g.outHeight
                let row = Row(g, weights, input: input, output: output, n: n, oy: flat &- n &* g.outHeight)
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
