/// The Conv2D micro-kernel of x86 builds without AVX-512, sized to 16 vector
/// registers. `widePanel4`'s eight SIMD16 accumulators are 32 xmm (SSE) or 16 ymm
/// (AVX2): LLVM spills them every multiply-add. Here a 32-channel panel runs as
/// passes over narrower slices with 8 registers of accumulators. Each output still
/// starts from its bias and adds its products in (run, c) order with the same
/// `multiplyAdd`, so the results are bit-identical; only the blocking changes.
///
/// GFLOP/s in a micro-benchmark of MobileNetV2's pointwise shapes (2 noisy cores):
///
///     build                  4 px × 32 (old)   2 px × 16   4 px × 16   4 px × 8
///     portable (SSE2)             30–34           45–51       24–29       44–49
///     -target-cpu haswell         49–57           60–114      96–129      68–103
///     haswell + TINYGRAPH_FMA     67–75           58–97      101–124      58–89
///
/// Swift has no `#if` for target-cpu features, so a build without TINYGRAPH_FMA
/// takes the SSE-sized kernel; one with it has AVX2 (16 ymm) and takes 4 × 16.
/// MobileNetV2 medians: portable 19.8 → 14.3 ms, haswell 12.1 → 7.0 ms, haswell +
/// FMA 12.3 → 6.0 ms.
extension SIMDConvolution {
    /// One panel of a pixel block (`valid` of its pixels stored); `widthB` ≤ 0 means
    /// the panel's second 16 channels are past the end and are skipped.
    @inline(__always)
    static func portablePanel(
        _ panelBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, widthA: Int, widthB: Int, valid: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        #if TINYGRAPH_FMA
        // AVX2: four SIMD16 accumulators are 8 ymm; two passes of 4 pixels × 16 channels.
        narrowPanel(panelBase, rows, runs: runs, runLength: runLength, output,
                    pixelStride: pixelStride, width: widthA, valid: valid, activation)
        if widthB > 0 {
            narrowPanel(panelBase + floatVectorWidth, rows, runs: runs, runLength: runLength, output + floatVectorWidth,
                        pixelStride: pixelStride, width: widthB, valid: valid, activation)
        }
        #else
        // SSE: two SIMD16 accumulators are 8 xmm, the weight vector 4 more, the two
        // broadcasts 2. Pairs past `valid` (a short block's repeats) are skipped.
        for half in 0..<(widthB > 0 ? 2 : 1) {
            let channel = half &* floatVectorWidth
            let width = half == 0 ? widthA : widthB
            if width <= 8 {
                // At most 8 real channels (e.g. the last 8 of 24): one 4 × 8 pass, not 16 lanes of zeros.
                quadSlice8(panelBase + channel, rows, runs: runs, runLength: runLength, output + channel,
                           pixelStride: pixelStride, width: width, valid: valid, activation)
                continue
            }
            var first = 0
            while first < valid {
                pairSlice(panelBase + channel, rows + first, runs: runs, runLength: runLength,
                          output + (first &* pixelStride &+ channel), pixelStride: pixelStride,
                          width: width, valid: valid &- first, activation)
                first &+= 2
            }
        }
        #endif
    }

    /// Two pixels (run pointers `rows[run * pixelBlock]` and the next) × 16 channels
    /// starting at `sliceBase` (a lane of the panel's bias row).
    @inline(__always)
    static func pairSlice(
        _ sliceBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, width: Int, valid: Int, _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        var acc0 = loadVector(sliceBase)
        var acc1 = acc0
        var weightRow = sliceBase + panelWidth
        for run in 0..<runs {
            let row0 = rows[run &* block]
            let row1 = rows[run &* block &+ 1]
            for c in 0..<runLength {
                let w = loadVector(weightRow)
                acc0 = multiplyAdd(acc0, FloatVector(repeating: row0[c]), w)
                acc1 = multiplyAdd(acc1, FloatVector(repeating: row1[c]), w)
                weightRow += panelWidth
            }
        }
        store(activate(acc0, activation), output, width: width)
        if valid > 1 { store(activate(acc1, activation), output + pixelStride, width: width) }
    }

    /// Four pixels × 8 channels (SIMD8: 8 xmm accumulators, 2 for the weights) of a
    /// slice with at most `width` ≤ 8 real channels.
    @inline(__always)
    static func quadSlice8(
        _ sliceBase: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, runs: Int, runLength: Int,
        _ output: UnsafeMutablePointer<Float>, pixelStride: Int, width: Int, valid: Int, _ activation: ConvolutionOp.Activation
    ) {
        let panelWidth = PackedConvolutionWeights.panelWidth
        let block = pixelBlock
        var acc0 = load8(sliceBase)
        var acc1 = acc0, acc2 = acc0, acc3 = acc0
        var weightRow = sliceBase + panelWidth
        for run in 0..<runs {
            let row0 = rows[run &* block], row1 = rows[run &* block &+ 1]
            let row2 = rows[run &* block &+ 2], row3 = rows[run &* block &+ 3]
            for c in 0..<runLength {
                let w = load8(weightRow)
                acc0 = multiplyAdd(acc0, SIMD8(repeating: row0[c]), w)
                acc1 = multiplyAdd(acc1, SIMD8(repeating: row1[c]), w)
                acc2 = multiplyAdd(acc2, SIMD8(repeating: row2[c]), w)
                acc3 = multiplyAdd(acc3, SIMD8(repeating: row3[c]), w)
                weightRow += panelWidth
            }
        }
        store8(acc0, output, width: width, activation)
        if valid > 1 { store8(acc1, output + pixelStride, width: width, activation) }
        if valid > 2 { store8(acc2, output + 2 &* pixelStride, width: width, activation) }
        if valid > 3 { store8(acc3, output + 3 &* pixelStride, width: width, activation) }
    }

    @inline(__always)
    static func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// The first `width` ≤ 8 lanes, activated (through the 16-lane `activate`: lane-wise, same bits).
    @_transparent  // as `storePixel`: out of line otherwise
    static func store8(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, width: Int, _ activation: ConvolutionOp.Activation) {
        let activated = activate(FloatVector(lowHalf: vector, highHalf: SIMD8()), activation).lowHalf
        if width == 8 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: activated, as: SIMD8<Float>.self)
        } else {
            for lane in 0..<width { pointer[lane] = activated[lane] }
        }
    }
}
