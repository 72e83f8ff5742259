/// Conv2D on packed weights: each step computes a block of output pixels (8 with
/// AVX-512, else 4; blocks run across row ends) × one 32-channel panel in vector
/// accumulators seeded with the bias. For every (ky, kx, input channel), one
/// 32-wide weight row is loaded and multiplied by each pixel's broadcast input
/// value. Inputs are read through a table of run pointers, one run per kernel row
/// (KW × C values) or per tap (`SIMDConvolutionRuns.swift`); the padding reads
/// zeros, so the inner loop has no bounds checks (XNNPACK's indirection idea).
///
/// Which micro-kernel runs (`SIMDConvolutionMicroKernels.swift`,
/// `SIMDConvolutionPortable.swift`) depends on the registers the build has:
/// AVX-512 (`TINYGRAPH_AVX512`, 32 zmm) 8 pixels × 32 channels in 16 accumulators
/// (a ymm half where a panel's second half has at most 8 channels, a map's last
/// single pixel through `onePixel`);
/// arm64 (32 NEON registers of 4 floats) two passes of 4 pixels × 16 channels;
/// other x86 builds (16 xmm or ymm) `portablePanel`. Pointwise convs run as one
/// long row, a single output pixel as a matrix-vector product (`singlePixel`).
enum SIMDConvolution {
    #if TINYGRAPH_AVX512
    static let pixelBlock = 8
    #else
    static let pixelBlock = 4
    #endif

    /// Above this many bytes of packed weights, `conv2D` runs the output channels in
    /// groups of panels this size, each over every pixel, so a group is read from
    /// memory once and then reused from L2 (Zen 5 and most ARM cores have 1 MB of L2
    /// per core or less; MobileNetV2's last 1×1 conv has 1.6 MB of weights).
    static let panelGroupBytes = 256 * 1024

    /// `threads`: split the work over a pool's threads (`ConvolutionSplit`); nil or
    /// one thread computes it all on the calling thread. Every output is computed by
    /// the same micro-kernel in the same order either way: the same bits.
    @inline(never)  // a symbol of its own: profiles and the arm64 disassembly check find it
    static func conv2D(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        geometry: ConvolutionGeometry, activation: ConvolutionOp.Activation, outputPixelStride: Int? = nil,
        threads: ThreadPool? = nil
    ) {
        // Floats from one output pixel to the next: the channel count, or more when the
        // output is a channel slice of a wider tensor (a ConcatV2 input written in place).
        let pixelStride = outputPixelStride ?? geometry.outChannels
        var g = geometry
        if g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0
            && g.outHeight == g.inHeight && g.outWidth == g.inWidth {
            // A pointwise conv is a matrix product over all pixels: one long row, so
            // pixel blocks never end half-empty at the end of a short image row.
            let pixels = g.batch &* g.inHeight &* g.inWidth
            g = ConvolutionGeometry(
                batch: 1, inHeight: 1, inWidth: pixels, inChannels: g.inChannels, kernelHeight: 1, kernelWidth: 1,
                outHeight: 1, outWidth: pixels, outChannels: g.outChannels, strideH: 1, strideW: 1,
                dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0)
        }
        if g.batch == 1 && g.outHeight == 1 && g.outWidth == 1 && g.kernelHeight == 1 && g.kernelWidth == 1
            && g.inHeight == 1 && g.inWidth == 1 {
            singlePixel(input: input, weights: weights, output: output, outChannels: g.outChannels, activation: activation,
                        threads: threads)
            return
        }
        let split = ConvolutionSplit(g, weights, threads: threads)
        let imagePixels = g.outHeight &* g.outWidth
        guard split.taskCount > 1, let threads else {
            conv2DTask(input: input, weights: weights, output: output, pixelStride: pixelStride, geometry: g,
                       activation: activation, batches: 0..<g.batch, pixels: 0..<imagePixels, panels: 0..<weights.panelCount)
            return
        }
        let workspaceBytes = rowWorkspaceBytes(g)
        threads.forEachOnThread(split.taskCount) { task, thread in
            let part = split.part(task)
            conv2DTask(input: input, weights: weights, output: output, pixelStride: pixelStride, geometry: g,
                       activation: activation, batches: part.batch..<(part.batch &+ 1), pixels: part.pixels, panels: part.panels,
                       workspace: threads.scratch(thread, byteCount: workspaceBytes))
        }
    }

    /// Output pixels `pixels` of the images `batches`, channels of `panels`: the
    /// panels in groups of at most `panelGroupBytes`, each group over every pixel.
    /// `workspace` (`rowWorkspaceBytes`) holds the row table; nil allocates one.
    static func conv2DTask(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>, pixelStride: Int,
        geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation, batches: Range<Int>, pixels: Range<Int>,
        panels: Range<Int>, workspace: UnsafeMutableRawPointer? = nil
    ) {
        guard !pixels.isEmpty, !panels.isEmpty else { return }
        let memory = workspace ?? UnsafeMutableRawPointer.allocate(byteCount: rowWorkspaceBytes(g), alignment: 64)
        defer { if workspace == nil { memory.deallocate() } }
        let table = rowWorkspace(g, in: memory)
        let panelBytes = max(weights.panelStride &* 4, 1)
        let groupPanels = max(panelGroupBytes / panelBytes, 1)
        let imagePixels = g.outHeight &* g.outWidth
        var firstPanel = panels.lowerBound
        while firstPanel < panels.upperBound {
            let group = firstPanel..<min(firstPanel &+ groupPanels, panels.upperBound)
            for n in batches {
                conv2DPixels(input: input, weights: weights, panels: group,
                             output: output + (n &* imagePixels &+ pixels.lowerBound) &* pixelStride,
                             pixelStride: pixelStride, batch: n, pixels: pixels, geometry: g, activation: activation,
                             table: table)
            }
            firstPanel = group.upperBound
        }
    }

    /// Panels of a matrix-vector product per task: whole groups of four, and enough
    /// weights (128 KiB) that a task is worth waking a thread for.
    static let singlePixelTaskPanels = 4

    /// A pointwise conv with one output pixel (a classifier's MatMul on one row): a
    /// matrix-vector product (`onePixel` over one run of K inputs).
    static func singlePixel(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>, outChannels: Int,
        activation: ConvolutionOp.Activation, threads: ThreadPool? = nil
    ) {
        // Memory-bound: split by weight bytes (each panel's weights are read once).
        let tasks = WorkSplit.taskCount(threads,
                                        units: (weights.panelCount &+ singlePixelTaskPanels &- 1) / singlePixelTaskPanels,
                                        work: weights.panelCount &* weights.panelStride &* 4,
                                        minimum: 2 &* WorkSplit.minimumParallelBytes)
        withUnsafePointer(to: input) { rows in
            guard tasks > 1, let threads else {
                onePixel(weights, 0..<weights.panelCount, rows, runs: 1, runLength: weights.inChannels, output,
                         outChannels: outChannels, activation)
                return
            }
            threads.forEach(tasks) { task in
                onePixel(weights, WorkSplit.range(task, of: tasks, count: weights.panelCount, granule: singlePixelTaskPanels),
                         rows, runs: 1, runLength: weights.inChannels, output, outChannels: outChannels, activation)
            }
        }
    }

    /// One output pixel through the panels `panels`, its run pointers at
    /// `rows[run * pixelBlock]` (as in a pixel block's table): a classifier's
    /// matrix-vector product, or in AVX-512 builds the last pixel of a map
    /// (7 × 7 = 6 × 8 + 1), which `widePanel4` would compute as 4. Four panels go at a time,
    /// so eight independent accumulator chains hide the multiply-add latency. Each
    /// output still starts from its bias and adds its products in (run, c) order:
    /// the same bits as the blocked kernels.
    @inline(never)
    static func onePixel(
        _ weights: PackedConvolutionWeights, _ panels: Range<Int>, _ rows: UnsafePointer<UnsafePointer<Float>>,
        runs: Int, runLength: Int, _ output: UnsafeMutablePointer<Float>, outChannels: Int, _ activation: ConvolutionOp.Activation
    ) {
        let panelStride = weights.panelStride
        let panelWidth = PackedConvolutionWeights.panelWidth
        let half = floatVectorWidth
        let block = pixelBlock
        func widths(_ panel: Int) -> (Int, Int) {
            let channel = panel &* panelWidth
            return (min(half, outChannels &- channel), min(half, outChannels &- channel &- half))
        }
        var panel = panels.lowerBound
        while panel &+ 4 <= panels.upperBound {
            var w0 = UnsafePointer(weights.floats + panel &* panelStride)
            var w1 = w0 + panelStride, w2 = w1 + panelStride, w3 = w2 + panelStride
            var a0 = loadVector(w0), b0 = loadVector(w0 + half), a1 = loadVector(w1), b1 = loadVector(w1 + half)
            var a2 = loadVector(w2), b2 = loadVector(w2 + half), a3 = loadVector(w3), b3 = loadVector(w3 + half)
            for run in 0..<runs {
                let input = rows[run &* block]
                for c in 0..<runLength {
                    w0 += panelWidth; w1 += panelWidth; w2 += panelWidth; w3 += panelWidth
                    let x = FloatVector(repeating: input[c])
                    a0 = multiplyAdd(a0, x, loadVector(w0)); b0 = multiplyAdd(b0, x, loadVector(w0 + half))
                    a1 = multiplyAdd(a1, x, loadVector(w1)); b1 = multiplyAdd(b1, x, loadVector(w1 + half))
                    a2 = multiplyAdd(a2, x, loadVector(w2)); b2 = multiplyAdd(b2, x, loadVector(w2 + half))
                    a3 = multiplyAdd(a3, x, loadVector(w3)); b3 = multiplyAdd(b3, x, loadVector(w3 + half))
                }
            }
            let (widthA0, widthB0) = widths(panel), (widthA1, widthB1) = widths(panel &+ 1)
            let (widthA2, widthB2) = widths(panel &+ 2), (widthA3, widthB3) = widths(panel &+ 3)
            storePixel(a0, b0, output + panel &* panelWidth, widthA0, widthB0, activation)
            storePixel(a1, b1, output + (panel &+ 1) &* panelWidth, widthA1, widthB1, activation)
            storePixel(a2, b2, output + (panel &+ 2) &* panelWidth, widthA2, widthB2, activation)
            storePixel(a3, b3, output + (panel &+ 3) &* panelWidth, widthA3, widthB3, activation)
            panel &+= 4
        }
        while panel < panels.upperBound {
            var w = UnsafePointer(weights.floats + panel &* panelStride)
            var a = loadVector(w), b = loadVector(w + half)
            for run in 0..<runs {
                let input = rows[run &* block]
                for c in 0..<runLength {
                    w += panelWidth
                    let x = FloatVector(repeating: input[c])
                    a = multiplyAdd(a, x, loadVector(w)); b = multiplyAdd(b, x, loadVector(w + half))
                }
            }
            let (widthA, widthB) = widths(panel)
            storePixel(a, b, output + panel &* panelWidth, widthA, widthB, activation)
            panel &+= 1
        }
    }

    /// Output pixels `pixels` (flat indices oy × outWidth + ox) of image `n`, the
    /// channels of `panels`, written from `output` (pixel `pixels.lowerBound`): the
    /// body of `conv2D` (a whole image at a time, so blocks run across row ends and
    /// 14-wide rows do not end in a 6-of-8 block), also called one row at a time by
    /// `conv2DMaxPool`.
    @inline(__always)
    static func conv2DPixels(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, panels: Range<Int>, output: UnsafeMutablePointer<Float>,
        pixelStride: Int, batch n: Int, pixels: Range<Int>, geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation,
        table: RunTable
    ) {
        let block = pixelBlock
        let rows = table.rows
        var first = pixels.lowerBound
        while first < pixels.upperBound {
            let valid = min(block, pixels.upperBound &- first)
            let (runs, runLength) = fillRuns(table, input: input, geometry: g, batch: n, first: first, valid: valid)
            let outputPixel = output + (first &- pixels.lowerBound) &* pixelStride
            #if TINYGRAPH_AVX512
            if valid == 1 {
                // The last pixel of a map (49 = 6 × 8 + 1): a quarter of `widePanel4`'s multiply-adds.
                onePixel(weights, panels, rows, runs: runs, runLength: runLength, outputPixel, outChannels: g.outChannels,
                         activation)
                first &+= block
                continue
            }
            #endif
            blockPanels(weights, panels, rows, runs: runs, runLength: runLength, outputPixel,
                        outChannels: g.outChannels, pixelStride: pixelStride, valid: valid, activation)
            first &+= block
        }
    }

    /// One pixel block (its run pointers in `rows`) through the panels in `panels`.
    @inline(__always)
    static func blockPanels(
        _ weights: PackedConvolutionWeights, _ panels: Range<Int>, _ rows: UnsafeMutablePointer<UnsafePointer<Float>>,
        runs: Int, runLength: Int, _ outputPixel: UnsafeMutablePointer<Float>, outChannels: Int, pixelStride: Int, valid: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let panelStride = weights.panelStride
        let panelWidth = PackedConvolutionWeights.panelWidth
        for panel in panels {
            let panelBase = UnsafePointer(weights.floats + panel &* panelStride)
            let channel = panel &* panelWidth
            let widthA = min(floatVectorWidth, outChannels &- channel)
            let widthB = min(floatVectorWidth, outChannels &- channel &- floatVectorWidth)
            if widthB <= 0 {
                // At most 16 real channels in this panel: skip the zero half.
                #if TINYGRAPH_AVX512
                if widthA <= 8 {
                    narrowPanel8(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                                 pixelStride: pixelStride, width: widthA, valid: valid, activation)
                    continue
                }
                #endif
                #if TINYGRAPH_AVX512 || arch(arm64)
                narrowPanel(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                            pixelStride: pixelStride, width: widthA, valid: valid, activation)
                #else
                // narrowPanel's four SIMD16 accumulators spill in 16 xmm registers.
                portablePanel(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                              pixelStride: pixelStride, widthA: widthA, widthB: 0, valid: valid, activation)
                #endif
                continue
            }
            #if TINYGRAPH_AVX512
            if valid <= 4 {
                // A tail block of at most 4 pixels (7×7 maps: 49 = 6 × 8 + 1): half the work.
                widePanel4(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                           pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
                continue
            }
            if widthB <= 8 {
                // At most 8 real channels in the second half (24 channels; 116 = 3 × 32 + 20).
                widePanel8Short(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                                pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
                continue
            }
            widePanel8(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                       pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
            #elseif arch(arm64)
            // Eight SIMD16 accumulators would fill all 32 NEON registers: two 4 × 16 passes.
            narrowPanel(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                        pixelStride: pixelStride, width: widthA, valid: valid, activation)
            narrowPanel(panelBase + floatVectorWidth, rows, runs: runs, runLength: runLength,
                        outputPixel + (channel &+ floatVectorWidth), pixelStride: pixelStride, width: widthB,
                        valid: valid, activation)
            #else
            portablePanel(panelBase, rows, runs: runs, runLength: runLength, outputPixel + channel,
                          pixelStride: pixelStride, widthA: widthA, widthB: widthB, valid: valid, activation)
            #endif
        }
    }
}
