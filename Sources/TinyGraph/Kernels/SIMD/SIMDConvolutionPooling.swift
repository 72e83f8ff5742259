/// Conv2D streamed into a MaxPool (`PoolFusion`): convolution rows are computed by
/// the same kernel as `conv2D`, one row at a time, into a ring of `ringRowCount` rows, and each
/// pool output row is taken, with `SIMDPooling.maxPoolRow`, from the ring rows
/// under its window as soon as they exist. Every convolution row the pool reads is
/// computed once; rows no window covers (pool stride above the window) are skipped.
/// Results equal `conv2D` followed by `maxPool` exactly: same arithmetic per output,
/// same window order.
extension SIMDConvolution {
    /// Rows the ring holds: one window's worth, or the whole output if smaller.
    /// Rows under a window are consecutive, so `row % ringRowCount` never collides.
    static func ringRowCount(poolWindowHeight: Int, convolutionHeight: Int) -> Int {
        max(min(poolWindowHeight, convolutionHeight), 1)
    }

    /// `g` is the convolution (its output size is the pool's input size), `p` the
    /// pool; `ring` holds `ringRowCount(...) × g.outWidth × g.outChannels` floats.
    /// With `threads`, bands of pool output rows run as tasks, each on a ring of its
    /// thread's own (`ThreadPool.scratch`); a convolution row under two bands'
    /// windows is computed by both (the same code: the same bits).
    @inline(never)  // a symbol of its own, like conv2D
    static func conv2DMaxPool(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        ring: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation,
        pool p: PoolingGeometry, threads: ThreadPool? = nil
    ) {
        let poolRows = g.batch &* p.outHeight
        let multiplyAdds = g.batch &* g.outHeight &* g.outWidth &* g.outChannels &* g.kernelHeight &* g.kernelWidth &* g.inChannels
        // Few bands: each boundary between two computes a convolution row twice.
        let tasks = WorkSplit.taskCount(threads, units: poolRows, work: multiplyAdds,
                                        minimum: WorkSplit.minimumParallelMultiplyAdds, tasksPerThread: 3)
        guard tasks > 1, let threads else {
            conv2DMaxPoolRows(input: input, weights: weights, output: output, ring: ring, geometry: g, activation: activation,
                              pool: p, rows: 0..<poolRows)
            return
        }
        let ringFloats = ringRowCount(poolWindowHeight: p.windowHeight, convolutionHeight: g.outHeight) &* g.outWidth &* g.outChannels
        threads.forEachOnThread(tasks) { task, thread in
            let ring = threads.scratch(thread, byteCount: 4 &* ringFloats).assumingMemoryBound(to: Float.self)
            conv2DMaxPoolRows(input: input, weights: weights, output: output, ring: ring, geometry: g, activation: activation,
                              pool: p, rows: WorkSplit.range(task, of: tasks, count: poolRows))
        }
    }

    /// Pool output rows `rows` (flat indices n × pool height + py), computing the
    /// convolution rows under their windows into `ring`.
    static func conv2DMaxPoolRows(
        input: UnsafePointer<Float>, weights: PackedConvolutionWeights, output: UnsafeMutablePointer<Float>,
        ring: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry, activation: ConvolutionOp.Activation,
        pool p: PoolingGeometry, rows poolRows: Range<Int>
    ) {
        guard !poolRows.isEmpty, p.outHeight > 0 else { return }
        let ringRows = ringRowCount(poolWindowHeight: p.windowHeight, convolutionHeight: g.outHeight)
        let rowFloats = g.outWidth &* g.outChannels
        let workspace = UnsafeMutableRawPointer.allocate(byteCount: rowWorkspaceBytes(g), alignment: 64)
        let table = rowWorkspace(g, in: workspace)
        // A window never covers more rows than exist (a hostile file may declare a huge one).
        let windowRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: max(min(p.windowHeight, g.outHeight), 1))
        defer {
            workspace.deallocate()
            windowRows.deallocate()
        }
        var computed = 0  // convolution rows below this are done (or skipped), in image `image`
        var image = -1
        for flat in poolRows {
            let n = flat / p.outHeight
            let py = flat &- n &* p.outHeight
            if n != image {
                image = n
                computed = 0
            }
            let yStart = py &* p.strideH &- p.padTop
            let y0 = min(max(yStart, 0), g.outHeight)
            let y1 = max(min(yStart &+ p.windowHeight, g.outHeight), y0)
            var row = max(computed, y0)
            while row < y1 {
                conv2DPixels(input: input, weights: weights, panels: 0..<weights.panelCount, output: ring + (row % ringRows) &* rowFloats,
                             pixelStride: g.outChannels, batch: n, pixels: (row &* g.outWidth)..<((row &+ 1) &* g.outWidth),
                             geometry: g, activation: activation, table: table)
                row &+= 1
            }
            computed = max(computed, y1)
            for iy in y0..<y1 { windowRows[iy &- y0] = UnsafePointer(ring + (iy % ringRows) &* rowFloats) }
            SIMDPooling.maxPoolRow(windowRows, rowCount: y1 &- y0, output + ((n &* p.outHeight &+ py) &* p.outWidth) &* p.channels,
                                   geometry: p)
        }
    }
}
