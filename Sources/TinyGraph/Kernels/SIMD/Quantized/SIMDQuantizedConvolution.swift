/// Quantized CONV_2D and FULLY_CONNECTED on packed weights (`PackedQuantizedWeights`).
///
/// Output pixels go in blocks; each block's inputs are rows of the weights' depth
/// (K = KH·KW·C bytes, (ky, kx, c) order): the input pixels themselves for a
/// pointwise convolution, else gathered into a small scratch buffer (im2col of one
/// block), with the input's zero point standing in for padding. Each 16-channel
/// panel then accumulates int32 sums seeded with the folded bias, and
/// `QuantizedRequantizer` turns them into bytes.
///
/// Two micro-kernels: `TINYGRAPH_VNNI` builds multiply 4 input bytes by 4 int8
/// weights per lane in one AVX-512 VNNI `vpdpbusd` (SIMDQuantizedConvolutionVNNI.swift);
/// every other build multiplies a broadcast input byte by 16 int16 weights widened
/// to int32 (`&*` of two values that fit 16 bits: x86 `pmaddwd`, arm64 `smlal`).
enum SIMDQuantizedConvolution {
    /// Output pixels per block of the portable micro-kernel.
    static let pixelBlock = 4

    @inline(never)  // a symbol of its own: profiles and the disassembly checks find it
    static func conv2D(
        input: UnsafePointer<UInt8>, weights: PackedQuantizedWeights, output: UnsafeMutablePointer<UInt8>,
        geometry g: ConvolutionGeometry, epilogue: QuantizedOutput, outputPixelStride: Int, pixels range: Range<Int>? = nil
    ) {
        let rows = g.kernelHeight &* g.kernelWidth &* g.inChannels
        let depth = weights.depth
        // Output pixels first ..< pixels (all, or one thread's share).
        let pixels = range?.upperBound ?? g.batch &* g.outHeight &* g.outWidth
        let pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideH == 1 && g.strideW == 1
            && g.padTop == 0 && g.padLeft == 0 && g.outHeight == g.inHeight && g.outWidth == g.inWidth
        // Pointwise inputs are the rows themselves (when the weights need no padding of K).
        let direct = pointwise && depth == rows
        let block = blockSize(weights)
        // Rows are gathered a chunk of blocks at a time, so the micro-kernel reads
        // them after their stores have left the store buffer (a 4-byte load of bytes
        // from several recent stores stalls store forwarding), at most ~64 KB.
        let blocksPerChunk = max(1, min(8, (64 &* 1024) / max(block &* depth, 1)))
        let chunkPixels = block &* blocksPerChunk
        // 16 bytes of slack: short runs are copied as whole 16-byte vectors.
        let scratch = direct ? nil : UnsafeMutablePointer<UInt8>.allocate(capacity: chunkPixels &* depth &+ 16)
        defer { scratch?.deallocate() }
        // The padding rows of int8 groups meet zero weights: any byte will do, but defined.
        scratch?.initialize(repeating: 0, count: chunkPixels &* depth &+ 16)
        let inputEnd = input + g.batch &* g.inHeight &* g.inWidth &* g.inChannels
        // A first layer's kernel rows (3 × 3 channels: 9 bytes) are copied without
        // gatherRow's general case checks, for pixels whose window is inside the input.
        let runLength = g.kernelWidth &* g.inChannels
        let shortRuns = !direct && g.dilationW == 1 && runLength <= 16
        let lastRowOffset = (g.kernelHeight &- 1) &* g.dilationH
        let rowStep = g.dilationH &* g.inWidth &* g.inChannels
        let rowPointers = UnsafeMutablePointer<UnsafePointer<UInt8>>.allocate(capacity: chunkPixels)
        defer { rowPointers.deallocate() }
        let inputZeroPoint = UInt8(truncatingIfNeeded: weights.inputZeroPoint)
        let panels = QuantizedPanels(weights, epilogue)
        #if TINYGRAPH_VNNI
        let int8Groups = weights.isInt8Groups
        #endif
        var first = range?.lowerBound ?? 0
        // The next pixel to gather, as (image, row, column): counted, not divided.
        var (n, oy, ox) = (first / max(g.outHeight &* g.outWidth, 1), first / max(g.outWidth, 1) % max(g.outHeight, 1),
                           first % max(g.outWidth, 1))
        while first < pixels {
            let chunk = min(chunkPixels, pixels &- first)
            for m in 0..<chunk {
                if direct {
                    rowPointers[m] = input + (first &+ m) &* rows
                    continue
                }
                let row = scratch! + m &* depth
                let top = oy &* g.strideH &- g.padTop, left = ox &* g.strideW &- g.padLeft
                if shortRuns && top >= 0 && top &+ lastRowOffset < g.inHeight && left >= 0 && left &+ g.kernelWidth <= g.inWidth
                    && inputEnd - (input + ((n &* g.inHeight &+ top &+ lastRowOffset) &* g.inWidth &+ left) &* g.inChannels) >= 16 {
                    // Inside the input: each kernel row's run as one 16-byte copy.
                    var source = input + ((n &* g.inHeight &+ top) &* g.inWidth &+ left) &* g.inChannels
                    var target = UnsafeMutableRawPointer(row)
                    for _ in 0..<g.kernelHeight {
                        target.storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                        source += rowStep
                        target += runLength
                    }
                } else {
                    gatherRow(input: input, end: inputEnd, n: n, oy: oy, ox: ox, geometry: g, zeroPoint: inputZeroPoint, into: row)
                }
                rowPointers[m] = UnsafePointer(row)
                ox &+= 1
                if ox == g.outWidth {
                    ox = 0
                    oy &+= 1
                    if oy == g.outHeight { oy = 0; n &+= 1 }
                }
            }
            // A short last block repeats its last row (only valid pixels are stored).
            for m in chunk..<((chunk &+ block &- 1) / block &* block) { rowPointers[m] = rowPointers[chunk &- 1] }
            var start = 0
            while start < chunk {
                let valid = min(block, chunk &- start)
                let out = output + (first &+ start) &* outputPixelStride
                if valid == 1 {
                    // FULLY_CONNECTED's single row: a block would compute it `block` times.
                    onePixel(panels, rowPointers[start], out)
                    break
                }
                #if TINYGRAPH_VNNI
                if int8Groups {
                    SIMDQuantizedConvolutionVNNI.block(panels, rowPointers + start, valid: valid, out, pixelStride: outputPixelStride)
                    start &+= block
                    continue
                }
                #endif
                blockPanels(panels, rowPointers + start, valid: valid, out, pixelStride: outputPixelStride)
                start &+= block
            }
            first &+= chunk
        }
    }

    /// Output pixels per micro-kernel block for these weights (thread shares are
    /// whole blocks).
    static func blockSize(_ weights: PackedQuantizedWeights) -> Int {
        #if TINYGRAPH_VNNI
        return weights.isInt8Groups ? SIMDQuantizedConvolutionVNNI.pixelBlock : pixelBlock
        #else
        return pixelBlock
        #endif
    }

    /// The K input bytes of output pixel (n, oy, ox), in the weights' (ky, kx, c)
    /// order; taps in the padding read the zero point.
    @_transparent
    static func gatherRow(input: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, n: Int, oy: Int, ox: Int, geometry g: ConvolutionGeometry,
                          zeroPoint: UInt8, into row: UnsafeMutablePointer<UInt8>) {
        let channels = g.inChannels
        let runLength = g.kernelWidth &* channels
        var target = row
        for ky in 0..<g.kernelHeight {
            let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
            let left = ox &* g.strideW &- g.padLeft
            if iy < 0 || iy >= g.inHeight {
                target.update(repeating: zeroPoint, count: runLength)
            } else if g.dilationW == 1 && left >= 0 && left &+ g.kernelWidth <= g.inWidth {
                // The kernel row's KW × C inputs are contiguous in NHWC.
                copy(input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ left) &* channels, end: end, to: target, count: runLength)
            } else {
                for kx in 0..<g.kernelWidth {
                    let ix = left &+ kx &* g.dilationW
                    if ix >= 0 && ix < g.inWidth {
                        copy(input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels, end: end, to: target + kx &* channels,
                             count: channels)
                    } else {
                        (target + kx &* channels).update(repeating: zeroPoint, count: channels)
                    }
                }
            }
            target += runLength
        }
    }

    /// Copies a run of input bytes into the gathered row. Short runs (a first layer's
    /// 3 or 9 bytes) go as whole 16-byte vectors, which may write past the run (into
    /// the row's next run, or the scratch's slack) and read past it while inside the
    /// input: byte stores that 4-byte loads then read would stall store forwarding,
    /// and a memcpy call costs more than the copy.
    @_transparent
    static func copy(_ source: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        if count >= 32 {
            target.update(from: source, count: count)
        } else if count >= 16 {
            let raw = UnsafeMutableRawPointer(target)
            raw.storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
            (raw + (count &- 16)).storeBytes(of: UnsafeRawPointer(source + (count &- 16)).loadUnaligned(as: SIMD16<UInt8>.self),
                                            as: SIMD16<UInt8>.self)
        } else if end - source >= 16 {
            UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt8>.self),
                                                       as: SIMD16<UInt8>.self)
        } else {
            for i in 0..<count { target[i] = source[i] }
        }
    }

    /// One block of `pixelBlock` rows through every panel (int16 weights).
    @inline(never)
    static func blockPanels(
        _ panels: QuantizedPanels, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int
    ) {
        let depth = panels.depth
        let width = PackedQuantizedWeights.panelWidth
        let (r0, r1, r2, r3) = (rows[0], rows[1], rows[2], rows[3])
        for panel in 0..<panels.panelCount {
            let base = panels.panel(panel)
            let bias = base.loadUnaligned(as: QuantizedVector.self)
            var a0 = bias, a1 = bias, a2 = bias, a3 = bias
            var w = base + 4 &* width
            for k in 0..<depth {
                let vector = loadWidened(int16s: w)
                a0 &+= QuantizedVector(repeating: Int32(r0[k])) &* vector
                a1 &+= QuantizedVector(repeating: Int32(r1[k])) &* vector
                a2 &+= QuantizedVector(repeating: Int32(r2[k])) &* vector
                a3 &+= QuantizedVector(repeating: Int32(r3[k])) &* vector
                w += 2 &* width
            }
            var accumulators = (a0, a1, a2, a3)
            withUnsafePointer(to: &accumulators) { tuple in
                tuple.withMemoryRebound(to: QuantizedVector.self, capacity: 4) {
                    panels.storeBlock($0, valid: valid, channel: panel &* width, output, pixelStride: pixelStride)
                }
            }
        }
    }

    /// One row through every panel: four panels at a time, so four independent
    /// accumulators hide the multiply-add latency.
    @inline(never)
    static func onePixel(_ panels: QuantizedPanels, _ row: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>) {
        var panel = 0
        while panel < panels.panelCount {
            let count = min(4, panels.panelCount &- panel)
            var accumulators = (QuantizedVector(), QuantizedVector(), QuantizedVector(), QuantizedVector())
            withUnsafeMutablePointer(to: &accumulators) { tuple in
                tuple.withMemoryRebound(to: QuantizedVector.self, capacity: 4) { sums in
                    #if TINYGRAPH_VNNI
                    if panels.isInt8Groups {
                        SIMDQuantizedConvolutionVNNI.onePixel(panels, first: panel, count: count, row, into: sums)
                    } else {
                        onePixelInt16(panels, first: panel, count: count, row, into: sums)
                    }
                    #else
                    onePixelInt16(panels, first: panel, count: count, row, into: sums)
                    #endif
                    for index in 0..<count {
                        panels.storeBlock(sums + index, valid: 1, channel: (panel &+ index) &* PackedQuantizedWeights.panelWidth,
                                          output, pixelStride: 0)
                    }
                }
            }
            panel &+= count
        }
    }

    /// Sums of one row for panels `first ..< first + count` (at most 4), int16 weights.
    @_transparent
    static func onePixelInt16(_ panels: QuantizedPanels, first: Int, count: Int, _ row: UnsafePointer<UInt8>,
                              into sums: UnsafeMutablePointer<QuantizedVector>) {
        let width = PackedQuantizedWeights.panelWidth
        let bases = panels.fourPanels(first: first, count: count)
        var a0 = bases.0.loadUnaligned(as: QuantizedVector.self), a1 = bases.1.loadUnaligned(as: QuantizedVector.self)
        var a2 = bases.2.loadUnaligned(as: QuantizedVector.self), a3 = bases.3.loadUnaligned(as: QuantizedVector.self)
        var offset = 4 &* width
        for k in 0..<panels.depth {
            let x = QuantizedVector(repeating: Int32(row[k]))
            a0 &+= x &* loadWidened(int16s: bases.0 + offset)
            a1 &+= x &* loadWidened(int16s: bases.1 + offset)
            a2 &+= x &* loadWidened(int16s: bases.2 + offset)
            a3 &+= x &* loadWidened(int16s: bases.3 + offset)
            offset &+= 2 &* width
        }
        (sums[0], sums[1], sums[2], sums[3]) = (a0, a1, a2, a3)
    }

    @_transparent
    static func requantizer(_ weights: PackedQuantizedWeights, channel: Int, _ epilogue: QuantizedOutput) -> QuantizedRequantizer {
        QuantizedRequantizer(weights.requantizationTable.pointer, group: channel, zeroPoint: epilogue.zeroPoint,
                             minimum: epilogue.minimum, maximum: epilogue.maximum)
    }
}
