/// The register-blocked inner loops of `SIMDConvolution`: one pixel block × one
/// 32-channel panel each, accumulators seeded with the bias, one fused (or plain)
/// multiply-add per weight vector and pixel, activation in the store. Written out
/// per block size because each accumulator must be its own variable to stay in a
/// register.
extension SIMDConvolution {
    /// Four pixels × 32 channels: eight accumulators (8 zmm with AVX-512, 16 ymm with AVX2).
    @inline(__always)
    static func widePanel4(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, widthA: Int, widthB: Int, valid: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        var acc0a = loadVector(panelBase), acc0b = loadVector(panelBase + floatVectorWidth)
        var acc1a = acc0a, acc1b = acc0b
        var acc2a = acc0a, acc2b = acc0b
        var acc3a = acc0a, acc3b = acc0b
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let row0 = rows[run &* block]
            let row1 = rows[run &* block &+ 1]
            let row2 = rows[run &* block &+ 2]
            let row3 = rows[run &* block &+ 3]
            for c in 0..<runLength {
                let wa = loadVector(weightRow)
                let wb = loadVector(weightRow + floatVectorWidth)
                let x0 = FloatVector(repeating: row0[c])
                acc0a = multiplyAdd(acc0a, x0, wa)
                acc0b = multiplyAdd(acc0b, x0, wb)
                let x1 = FloatVector(repeating: row1[c])
                acc1a = multiplyAdd(acc1a, x1, wa)
                acc1b = multiplyAdd(acc1b, x1, wb)
                let x2 = FloatVector(repeating: row2[c])
                acc2a = multiplyAdd(acc2a, x2, wa)
                acc2b = multiplyAdd(acc2b, x2, wb)
                let x3 = FloatVector(repeating: row3[c])
                acc3a = multiplyAdd(acc3a, x3, wa)
                acc3b = multiplyAdd(acc3b, x3, wb)
                weightRow += panelWidth
            }
        }
        storePixel(acc0a, acc0b, output, widthA, widthB, activation)
        if valid > 1 { storePixel(acc1a, acc1b, output + pixelStride, widthA, widthB, activation) }
        if valid > 2 { storePixel(acc2a, acc2b, output + 2 &* pixelStride, widthA, widthB, activation) }
        if valid > 3 { storePixel(acc3a, acc3b, output + 3 &* pixelStride, widthA, widthB, activation) }
    }

    #if TINYGRAPH_AVX512
    /// Eight pixels × 32 channels: sixteen zmm accumulators of AVX-512's 32.
    @inline(__always)
    static func widePanel8(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, widthA: Int, widthB: Int, valid: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        var a0 = loadVector(panelBase), b0 = loadVector(panelBase + floatVectorWidth)
        var a1 = a0, b1 = b0, a2 = a0, b2 = b0, a3 = a0, b3 = b0
        var a4 = a0, b4 = b0, a5 = a0, b5 = b0, a6 = a0, b6 = b0, a7 = a0, b7 = b0
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let r = rows + run &* block
            let row0 = r[0], row1 = r[1], row2 = r[2], row3 = r[3]
            let row4 = r[4], row5 = r[5], row6 = r[6], row7 = r[7]
            for c in 0..<runLength {
                let wa = loadVector(weightRow)
                let wb = loadVector(weightRow + floatVectorWidth)
                var x = FloatVector(repeating: row0[c])
                a0 = multiplyAdd(a0, x, wa); b0 = multiplyAdd(b0, x, wb)
                x = FloatVector(repeating: row1[c])
                a1 = multiplyAdd(a1, x, wa); b1 = multiplyAdd(b1, x, wb)
                x = FloatVector(repeating: row2[c])
                a2 = multiplyAdd(a2, x, wa); b2 = multiplyAdd(b2, x, wb)
                x = FloatVector(repeating: row3[c])
                a3 = multiplyAdd(a3, x, wa); b3 = multiplyAdd(b3, x, wb)
                x = FloatVector(repeating: row4[c])
                a4 = multiplyAdd(a4, x, wa); b4 = multiplyAdd(b4, x, wb)
                x = FloatVector(repeating: row5[c])
                a5 = multiplyAdd(a5, x, wa); b5 = multiplyAdd(b5, x, wb)
                x = FloatVector(repeating: row6[c])
                a6 = multiplyAdd(a6, x, wa); b6 = multiplyAdd(b6, x, wb)
                x = FloatVector(repeating: row7[c])
                a7 = multiplyAdd(a7, x, wa); b7 = multiplyAdd(b7, x, wb)
                weightRow += panelWidth
            }
        }
        if valid == block && widthB == floatVectorWidth {
            // The common case: whole block, whole panel, no partial stores.
            let stride = pixelStride
            storeVector(activate(a0, activation), output)
            storeVector(activate(b0, activation), output + floatVectorWidth)
            storeVector(activate(a1, activation), output + stride)
            storeVector(activate(b1, activation), output + (stride &+ floatVectorWidth))
            storeVector(activate(a2, activation), output + 2 &* stride)
            storeVector(activate(b2, activation), output + (2 &* stride &+ floatVectorWidth))
            storeVector(activate(a3, activation), output + 3 &* stride)
            storeVector(activate(b3, activation), output + (3 &* stride &+ floatVectorWidth))
            storeVector(activate(a4, activation), output + 4 &* stride)
            storeVector(activate(b4, activation), output + (4 &* stride &+ floatVectorWidth))
            storeVector(activate(a5, activation), output + 5 &* stride)
            storeVector(activate(b5, activation), output + (5 &* stride &+ floatVectorWidth))
            storeVector(activate(a6, activation), output + 6 &* stride)
            storeVector(activate(b6, activation), output + (6 &* stride &+ floatVectorWidth))
            storeVector(activate(a7, activation), output + 7 &* stride)
            storeVector(activate(b7, activation), output + (7 &* stride &+ floatVectorWidth))
            return
        }
        storePixel(a0, b0, output, widthA, widthB, activation)
        if valid > 1 { storePixel(a1, b1, output + pixelStride, widthA, widthB, activation) }
        if valid > 2 { storePixel(a2, b2, output + 2 &* pixelStride, widthA, widthB, activation) }
        if valid > 3 { storePixel(a3, b3, output + 3 &* pixelStride, widthA, widthB, activation) }
        if valid > 4 { storePixel(a4, b4, output + 4 &* pixelStride, widthA, widthB, activation) }
        if valid > 5 { storePixel(a5, b5, output + 5 &* pixelStride, widthA, widthB, activation) }
        if valid > 6 { storePixel(a6, b6, output + 6 &* pixelStride, widthA, widthB, activation) }
        if valid > 7 { storePixel(a7, b7, output + 7 &* pixelStride, widthA, widthB, activation) }
    }

    /// Eight pixels × 24 channels (one zmm and one ymm per pixel): a panel whose
    /// second half has at most 8 real channels (a 24-channel stem, the last panel
    /// of 116 channels). Where AVX-512 runs on 256-bit pipes (Zen 4) a ymm
    /// multiply-add costs half a zmm one, so this is 3/4 of `widePanel8`'s work, and
    /// the second half stores whole when it has 8 channels. Same products in the
    /// same order as `widePanel8`: the same bits.
    @inline(__always)
    static func widePanel8Short(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, widthA: Int, widthB: Int, valid: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        let half = floatVectorWidth
        var a0 = loadVector(panelBase), b0 = load8(panelBase + half)
        var a1 = a0, b1 = b0, a2 = a0, b2 = b0, a3 = a0, b3 = b0
        var a4 = a0, b4 = b0, a5 = a0, b5 = b0, a6 = a0, b6 = b0, a7 = a0, b7 = b0
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let r = rows + run &* block
            let row0 = r[0], row1 = r[1], row2 = r[2], row3 = r[3]
            let row4 = r[4], row5 = r[5], row6 = r[6], row7 = r[7]
            for c in 0..<runLength {
                let wa = loadVector(weightRow)
                let wb = load8(weightRow + half)
                var x = row0[c]
                a0 = multiplyAdd(a0, FloatVector(repeating: x), wa); b0 = multiplyAdd(b0, SIMD8(repeating: x), wb)
                x = row1[c]
                a1 = multiplyAdd(a1, FloatVector(repeating: x), wa); b1 = multiplyAdd(b1, SIMD8(repeating: x), wb)
                x = row2[c]
                a2 = multiplyAdd(a2, FloatVector(repeating: x), wa); b2 = multiplyAdd(b2, SIMD8(repeating: x), wb)
                x = row3[c]
                a3 = multiplyAdd(a3, FloatVector(repeating: x), wa); b3 = multiplyAdd(b3, SIMD8(repeating: x), wb)
                x = row4[c]
                a4 = multiplyAdd(a4, FloatVector(repeating: x), wa); b4 = multiplyAdd(b4, SIMD8(repeating: x), wb)
                x = row5[c]
                a5 = multiplyAdd(a5, FloatVector(repeating: x), wa); b5 = multiplyAdd(b5, SIMD8(repeating: x), wb)
                x = row6[c]
                a6 = multiplyAdd(a6, FloatVector(repeating: x), wa); b6 = multiplyAdd(b6, SIMD8(repeating: x), wb)
                x = row7[c]
                a7 = multiplyAdd(a7, FloatVector(repeating: x), wa); b7 = multiplyAdd(b7, SIMD8(repeating: x), wb)
                weightRow += panelWidth
            }
        }
        storeShortPixel(a0, b0, output, widthA, widthB, activation)
        if valid > 1 { storeShortPixel(a1, b1, output + pixelStride, widthA, widthB, activation) }
        if valid > 2 { storeShortPixel(a2, b2, output + 2 &* pixelStride, widthA, widthB, activation) }
        if valid > 3 { storeShortPixel(a3, b3, output + 3 &* pixelStride, widthA, widthB, activation) }
        if valid > 4 { storeShortPixel(a4, b4, output + 4 &* pixelStride, widthA, widthB, activation) }
        if valid > 5 { storeShortPixel(a5, b5, output + 5 &* pixelStride, widthA, widthB, activation) }
        if valid > 6 { storeShortPixel(a6, b6, output + 6 &* pixelStride, widthA, widthB, activation) }
        if valid > 7 { storeShortPixel(a7, b7, output + 7 &* pixelStride, widthA, widthB, activation) }
    }

    /// One pixel of `widePanel8Short`: 16 lanes, then at most 8.
    @_transparent
    static func storeShortPixel(
        _ a: FloatVector, _ b: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, _ widthA: Int, _ widthB: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        store(activate(a, activation), pointer, width: widthA)
        store8(b, pointer + floatVectorWidth, width: widthB, activation)
    }

    /// Eight pixels × 8 channels (ymm accumulators): a last panel with at most 8
    /// real channels (232 = 7 × 32 + 8), half of `narrowPanel`'s work.
    @inline(__always)
    static func narrowPanel8(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, width: Int, valid: Int, _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        var acc0 = load8(panelBase)
        var acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let r = rows + run &* block
            let row0 = r[0], row1 = r[1], row2 = r[2], row3 = r[3]
            let row4 = r[4], row5 = r[5], row6 = r[6], row7 = r[7]
            for c in 0..<runLength {
                let w = load8(weightRow)
                acc0 = multiplyAdd(acc0, SIMD8(repeating: row0[c]), w)
                acc1 = multiplyAdd(acc1, SIMD8(repeating: row1[c]), w)
                acc2 = multiplyAdd(acc2, SIMD8(repeating: row2[c]), w)
                acc3 = multiplyAdd(acc3, SIMD8(repeating: row3[c]), w)
                acc4 = multiplyAdd(acc4, SIMD8(repeating: row4[c]), w)
                acc5 = multiplyAdd(acc5, SIMD8(repeating: row5[c]), w)
                acc6 = multiplyAdd(acc6, SIMD8(repeating: row6[c]), w)
                acc7 = multiplyAdd(acc7, SIMD8(repeating: row7[c]), w)
                weightRow += panelWidth
            }
        }
        store8(acc0, output, width: width, activation)
        if valid > 1 { store8(acc1, output + pixelStride, width: width, activation) }
        if valid > 2 { store8(acc2, output + 2 &* pixelStride, width: width, activation) }
        if valid > 3 { store8(acc3, output + 3 &* pixelStride, width: width, activation) }
        if valid > 4 { store8(acc4, output + 4 &* pixelStride, width: width, activation) }
        if valid > 5 { store8(acc5, output + 5 &* pixelStride, width: width, activation) }
        if valid > 6 { store8(acc6, output + 6 &* pixelStride, width: width, activation) }
        if valid > 7 { store8(acc7, output + 7 &* pixelStride, width: width, activation) }
    }
    #endif

    /// Four pixels × one vector of output channels over 16 lanes of each 32-wide
    /// weight row: a panel with at most 16 real channels, or one half of a panel on
    /// arm64 (`panelBase` then points at the half's first lane).
    @inline(__always)
    static func narrowPanel(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, width: Int, valid: Int, _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        #if TINYGRAPH_AVX512
        var acc0 = loadVector(panelBase)
        var acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let r = rows + run &* block
            let row0 = r[0], row1 = r[1], row2 = r[2], row3 = r[3]
            let row4 = r[4], row5 = r[5], row6 = r[6], row7 = r[7]
            for c in 0..<runLength {
                let w = loadVector(weightRow)
                acc0 = multiplyAdd(acc0, FloatVector(repeating: row0[c]), w)
                acc1 = multiplyAdd(acc1, FloatVector(repeating: row1[c]), w)
                acc2 = multiplyAdd(acc2, FloatVector(repeating: row2[c]), w)
                acc3 = multiplyAdd(acc3, FloatVector(repeating: row3[c]), w)
                acc4 = multiplyAdd(acc4, FloatVector(repeating: row4[c]), w)
                acc5 = multiplyAdd(acc5, FloatVector(repeating: row5[c]), w)
                acc6 = multiplyAdd(acc6, FloatVector(repeating: row6[c]), w)
                acc7 = multiplyAdd(acc7, FloatVector(repeating: row7[c]), w)
                weightRow += panelWidth
            }
        }
        store(activate(acc0, activation), output, width: width)
        if valid > 1 { store(activate(acc1, activation), output + pixelStride, width: width) }
        if valid > 2 { store(activate(acc2, activation), output + 2 &* pixelStride, width: width) }
        if valid > 3 { store(activate(acc3, activation), output + 3 &* pixelStride, width: width) }
        if valid > 4 { store(activate(acc4, activation), output + 4 &* pixelStride, width: width) }
        if valid > 5 { store(activate(acc5, activation), output + 5 &* pixelStride, width: width) }
        if valid > 6 { store(activate(acc6, activation), output + 6 &* pixelStride, width: width) }
        if valid > 7 { store(activate(acc7, activation), output + 7 &* pixelStride, width: width) }
        #else
        var acc0 = loadVector(panelBase)
        var acc1 = acc0
        var acc2 = acc0
        var acc3 = acc0
        var weightRow = panelBase + panelWidth
        for run in 0..<runs {
            let row0 = rows[run &* block]
            let row1 = rows[run &* block &+ 1]
            let row2 = rows[run &* block &+ 2]
            let row3 = rows[run &* block &+ 3]
            for c in 0..<runLength {
                let w = loadVector(weightRow)
                acc0 = multiplyAdd(acc0, FloatVector(repeating: row0[c]), w)
                acc1 = multiplyAdd(acc1, FloatVector(repeating: row1[c]), w)
                acc2 = multiplyAdd(acc2, FloatVector(repeating: row2[c]), w)
                acc3 = multiplyAdd(acc3, FloatVector(repeating: row3[c]), w)
                weightRow += panelWidth
            }
        }
        store(activate(acc0, activation), output, width: width)
        if valid > 1 { store(activate(acc1, activation), output + pixelStride, width: width) }
        if valid > 2 { store(activate(acc2, activation), output + 2 &* pixelStride, width: width) }
        if valid > 3 { store(activate(acc3, activation), output + 3 &* pixelStride, width: width) }
        #endif
    }

    /// One pixel's two output vectors; the second may be partial or absent (width ≤ 0).
    /// Transparent: with `@inline(__always)` Swift 6.3 still called it out of line
    /// from `widePanel4`, `widePanel8`'s partial path and `onePixel`, passing each
    /// vector in four xmm pieces.
    @_transparent
    static func storePixel(
        _ a: FloatVector, _ b: FloatVector, _ pointer: UnsafeMutablePointer<Float>, _ widthA: Int, _ widthB: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        store(activate(a, activation), pointer, width: widthA)
        if widthB > 0 { store(activate(b, activation), pointer + floatVectorWidth, width: widthB) }
    }

    @_transparent
    static func store(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>, width: Int) {
        if width == floatVectorWidth {
            storeVector(vector, pointer)
        } else {
            storePartialVector(vector, pointer, count: width)
        }
    }
}
