/// MaxPool and AvgPool, 16 channels at a time. Windows are visited in the reference
/// kernels' order, so results are identical to theirs.
enum SIMDPooling {
    /// Output rows split over `threads` when given (rows are independent: the same bits).
    static func maxPool(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: PoolingGeometry, threads: ThreadPool? = nil
    ) {
        forEachRowRange(g, threads) { rows in maxPool(input: input, output: output, geometry: g, rows: rows) }
    }

    /// Output rows `rows` (flat indices n × outHeight + oy).
    @inline(never)
    static func maxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: PoolingGeometry, rows: Range<Int>) {
        guard g.outHeight > 0 else { return }
        // The input rows under the current window row band: never more than the input
        // has, however large the declared window (a hostile file may ask for 2^30 rows).
        let windowRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: max(min(g.windowHeight, g.inHeight), 1))
        defer { windowRows.deallocate() }
        let rowStride = g.inWidth &* g.channels
        for flat in rows {
            let n = flat / g.outHeight
            let oy = flat &- n &* g.outHeight
            let yStart = oy &* g.strideH &- g.padTop
            let y0 = max(yStart, 0)
            let y1 = max(min(yStart &+ g.windowHeight, g.inHeight), y0)
            for iy in y0..<y1 { windowRows[iy &- y0] = input + (n &* g.inHeight &+ iy) &* rowStride }
            maxPoolRow(windowRows, rowCount: y1 &- y0, output + flat &* g.outWidth &* g.channels, geometry: g)
        }
    }

    /// Calls `body` with ranges of output rows (flat n × outHeight + oy) covering
    /// them all: one range on the calling thread for a small pool, else one per task.
    private static func forEachRowRange(_ g: PoolingGeometry, _ threads: ThreadPool?, _ body: @escaping (Range<Int>) -> Void) {
        let rows = g.batch &* g.outHeight
        // Bytes read (each window element once) and written.
        let bytes = 4 &* rows &* g.outWidth &* g.channels &* (1 &+ g.windowHeight &* g.windowWidth)
        let tasks = WorkSplit.taskCount(threads, units: rows, work: bytes,
                                        minimum: WorkSplit.minimumParallelBytes)
        guard tasks > 1, let threads else {
            body(0..<rows)
            return
        }
        threads.forEach(tasks) { task in body(WorkSplit.range(task, of: tasks, count: rows)) }
    }

    /// One output row of a max pool: `windowRows` points at the `rowCount` input rows
    /// (each `inWidth` pixels of `channels`) under the window, top to bottom; an
    /// empty window gives the lowest finite float, as in the reference kernel.
    /// Shared by `maxPool` and the fused `conv2DMaxPool`, which passes rows of its ring.
    @inline(__always)
    static func maxPoolRow(
        _ windowRows: UnsafePointer<UnsafePointer<Float>>, rowCount: Int, _ rowOutput: UnsafeMutablePointer<Float>,
        geometry g: PoolingGeometry
    ) {
        for ox in 0..<g.outWidth {
            let xStart = ox &* g.strideW &- g.padLeft
            let x0 = max(xStart, 0)
            let x1 = max(min(xStart &+ g.windowWidth, g.inWidth), x0)
            var channel = 0
            // Four vectors (64 channels) at a time: four independent max chains, where
            // one chain would wait out vmaxps's latency at every window position.
            while channel &+ 4 &* floatVectorWidth <= g.channels {
                var best0 = FloatVector(repeating: -Float.greatestFiniteMagnitude)
                var best1 = best0, best2 = best0, best3 = best0
                for row in 0..<rowCount {
                    let rowBase = windowRows[row] + channel
                    for ix in x0..<x1 {
                        let pixel = rowBase + ix &* g.channels
                        let x0 = loadVector(pixel), x1 = loadVector(pixel + floatVectorWidth)
                        let x2 = loadVector(pixel + 2 &* floatVectorWidth), x3 = loadVector(pixel + 3 &* floatVectorWidth)
                        best0 = best0.replacing(with: x0, where: x0 .> best0)
                        best1 = best1.replacing(with: x1, where: x1 .> best1)
                        best2 = best2.replacing(with: x2, where: x2 .> best2)
                        best3 = best3.replacing(with: x3, where: x3 .> best3)
                    }
                }
                let out = rowOutput + (ox &* g.channels &+ channel)
                storeVector(best0, out)
                storeVector(best1, out + floatVectorWidth)
                storeVector(best2, out + 2 &* floatVectorWidth)
                storeVector(best3, out + 3 &* floatVectorWidth)
                channel &+= 4 &* floatVectorWidth
            }
            // Then two whole vectors at a time while more than one vector's worth is
            // left; the second may be the overlapping last vector (24 = 16 + 8).
            while g.channels &- channel > floatVectorWidth {
                let second = min(channel &+ floatVectorWidth, g.channels &- floatVectorWidth)
                var best0 = FloatVector(repeating: -Float.greatestFiniteMagnitude)
                var best1 = best0
                for row in 0..<rowCount {
                    let rowBase = windowRows[row]
                    for ix in x0..<x1 {
                        let pixel = rowBase + ix &* g.channels
                        let x0 = loadVector(pixel + channel), x1 = loadVector(pixel + second)
                        best0 = best0.replacing(with: x0, where: x0 .> best0)
                        best1 = best1.replacing(with: x1, where: x1 .> best1)
                    }
                }
                let out = rowOutput + ox &* g.channels
                storeVector(best0, out + channel)
                storeVector(best1, out + second)
                channel = second &+ floatVectorWidth
            }
            while channel < g.channels {
                // A channel tail (24 = 16 + 8) is done as the last whole vector, which
                // overlaps the previous one: pooling is per channel, so the lanes
                // written twice get the same value, and there are no lane loops.
                if g.channels &- channel < floatVectorWidth && g.channels >= floatVectorWidth { channel = g.channels &- floatVectorWidth }
                let width = min(floatVectorWidth, g.channels &- channel)
                // TensorFlow's CPU kernel starts from the lowest finite float.
                var best = FloatVector(repeating: -Float.greatestFiniteMagnitude)
                for row in 0..<rowCount {
                    let rowBase = windowRows[row] + channel
                    for ix in x0..<x1 {
                        let pixel = rowBase + ix &* g.channels
                        let x = width == floatVectorWidth ? loadVector(pixel) : loadPartialVector(pixel, count: width)
                        best = best.replacing(with: x, where: x .> best)
                    }
                }
                SIMDConvolution.store(best, rowOutput + (ox &* g.channels &+ channel), width: width)
                channel &+= floatVectorWidth
            }
        }
    }

    /// The mean over the window's positions inside the input (TensorFlow's SAME rule);
    /// output rows split over `threads` when given.
    static func avgPool(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: PoolingGeometry, threads: ThreadPool? = nil
    ) {
        forEachRowRange(g, threads) { rows in avgPool(input: input, output: output, geometry: g, rows: rows) }
    }

    /// Output rows `rows` (flat indices n × outHeight + oy).
    @inline(never)
    static func avgPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: PoolingGeometry, rows: Range<Int>) {
        forEachWindow(g, rows: rows) { outputPixel, y0, y1, x0, x1, n in
            let count = max(y1 &- y0, 0) &* max(x1 &- x0, 0)
            let divisor = FloatVector(repeating: Float(max(count, 1)))
            var channel = 0
            while channel < g.channels {
                // The overlapping last vector, as in maxPoolRow.
                if g.channels &- channel < floatVectorWidth && g.channels >= floatVectorWidth { channel = g.channels &- floatVectorWidth }
                let width = min(floatVectorWidth, g.channels &- channel)
                var sum = FloatVector()
                for iy in y0..<y1 {
                    for ix in x0..<x1 {
                        let pixel = input + (((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* g.channels &+ channel)
                        sum += width == floatVectorWidth ? loadVector(pixel) : loadPartialVector(pixel, count: width)
                    }
                }
                SIMDConvolution.store(sum / divisor, output + (outputPixel &* g.channels &+ channel), width: width)
                channel &+= floatVectorWidth
            }
        }
    }

    /// Calls `body(outputPixel, y0, y1, x0, x1, batch)` for every output position of
    /// the rows `rows` (flat n × outHeight + oy) with its window clipped to the input.
    @inline(__always)
    private static func forEachWindow(_ g: PoolingGeometry, rows: Range<Int>, _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        guard g.outHeight > 0 else { return }
        for flat in rows {
            let n = flat / g.outHeight
            let oy = flat &- n &* g.outHeight
            let yStart = oy &* g.strideH &- g.padTop
            let y0 = max(yStart, 0)
            let y1 = max(min(yStart &+ g.windowHeight, g.inHeight), y0)
            for ox in 0..<g.outWidth {
                let xStart = ox &* g.strideW &- g.padLeft
                let x0 = max(xStart, 0)
                let x1 = max(min(xStart &+ g.windowWidth, g.inWidth), x0)
                body(flat &* g.outWidth &+ ox, y0, y1, x0, x1, n)
            }
        }
    }
}
