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
        geometry g: ConvolutionGeometry, epilogue: QuantizedOutput, outputPixelStride: Int
    ) {
        let rows = g.kernelHeight &* g.kernelWidth &* g.inChannels
        let depth = weights.depth
        let pixels = g.batch &* g.outHeight &* g.outWidth
        let pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideH == 1 && g.strideW == 1
            && g.padTop == 0 && g.padLeft == 0 && g.outHeight == g.inHeight && g.outWidth == g.inWidth
        // Pointwise inputs are the rows themselves (when the weights need no padding of K).
        let direct = pointwise && depth == rows
        #if TINYGRAPH_VNNI
        let block = weights.isInt8Groups ? SIMDQuantizedConvolutionVNNI.pixelBlock : pixelBlock
        #else
        let block = pixelBlock
        #endif
        let scratch = direct ? nil : UnsafeMutablePointer<UInt8>.allocate(capacity: max(block &* depth, 1))
        defer { scratch?.deallocate() }
        if let scratch, depth > rows {
            // The padding rows of int8 groups meet zero weights: any byte will do.
            scratch.initialize(repeating: 0, count: block &* depth)
        }
        let rowPointers = UnsafeMutablePointer<UnsafePointer<UInt8>>.allocate(capacity: block)
        defer { rowPointers.deallocate() }
        let inputZeroPoint = UInt8(truncatingIfNeeded: weights.inputZeroPoint)
        let panels = QuantizedPanels(weights, epilogue)
        #if TINYGRAPH_VNNI
        let int8Groups = weights.isInt8Groups
        #endif
        var first = 0
        while first < pixels {
            let valid = min(block, pixels &- first)
            for m in 0..<block {
                let pixel = first &+ min(m, valid &- 1)  // a short block repeats its last pixel
                if direct {
                    rowPointers[m] = input + pixel &* rows
                } else {
                    let row = scratch! + m &* depth
                    gatherRow(input: input, pixel: pixel, geometry: g, zeroPoint: inputZeroPoint, into: row)
                    rowPointers[m] = UnsafePointer(row)
                }
            }
            let out = output + first &* outputPixelStride
            #if TINYGRAPH_VNNI
            if int8Groups {
                SIMDQuantizedConvolutionVNNI.block(panels, rowPointers, valid: valid, out, pixelStride: outputPixelStride)
                first &+= block
                continue
            }
            #endif
            blockPanels(panels, rowPointers, valid: valid, out, pixelStride: outputPixelStride)
            first &+= block
        }
    }

    /// The K input bytes of output pixel `pixel` (flat over batch and image), in the
    /// weights' (ky, kx, c) order; taps in the padding read the zero point.
    @_transparent
    static func gatherRow(input: UnsafePointer<UInt8>, pixel: Int, geometry g: ConvolutionGeometry, zeroPoint: UInt8,
                          into row: UnsafeMutablePointer<UInt8>) {
        let imagePixels = g.outHeight &* g.outWidth
        let n = pixel / imagePixels
        let oy = (pixel &- n &* imagePixels) / g.outWidth
        let ox = pixel &- n &* imagePixels &- oy &* g.outWidth
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
                copy(input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ left) &* channels, to: target, count: runLength)
            } else {
                for kx in 0..<g.kernelWidth {
                    let ix = left &+ kx &* g.dilationW
                    if ix >= 0 && ix < g.inWidth {
                        copy(input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels, to: target + kx &* channels, count: channels)
                    } else {
                        (target + kx &* channels).update(repeating: zeroPoint, count: channels)
                    }
                }
            }
            target += runLength
        }
    }

    /// Short runs (a first layer's 3 channels) byte by byte: a memcpy call costs more.
    @_transparent
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        if count >= 32 {
            target.update(from: source, count: count)
            return
        }
        for i in 0..<count { target[i] = source[i] }
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
            let channel = panel &* width
            let count = min(width, panels.outChannels &- channel)
            let out = output + channel
            let requantizer = panels.requantizer(channel: channel)
            panels.store(a0, requantizer, channel: channel, count: count, out)
            if valid > 1 { panels.store(a1, requantizer, channel: channel, count: count, out + pixelStride) }
            if valid > 2 { panels.store(a2, requantizer, channel: channel, count: count, out + 2 &* pixelStride) }
            if valid > 3 { panels.store(a3, requantizer, channel: channel, count: count, out + 3 &* pixelStride) }
        }
    }

    @_transparent
    static func requantizer(_ weights: PackedQuantizedWeights, channel: Int, _ epilogue: QuantizedOutput) -> QuantizedRequantizer {
        QuantizedRequantizer(multipliers: weights.multipliers + channel, leftShifts: weights.leftShifts + channel,
                             rightShifts: weights.rightShifts + channel, zeroPoint: epilogue.zeroPoint,
                             minimum: epilogue.minimum, maximum: epilogue.maximum)
    }
}
