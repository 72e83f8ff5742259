/// Quantized MAX_POOL_2D, AVERAGE_POOL_2D and MEAN, 16 channels at a time (the
/// channel tail through a 16-byte copy, so no read goes past a pixel's channels).
enum SIMDQuantizedPooling {
    @_transparent
    static func load(_ p: UnsafePointer<UInt8>, count: Int) -> SIMD16<UInt8> {
        if count >= 16 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self) }
        var v = SIMD16<UInt8>()
        for lane in 0..<count { v[lane] = p[lane] }
        return v
    }

    @inline(never)
    static func maxPool(input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, geometry g: PoolingGeometry,
                        minimum: UInt8, maximum: UInt8) {
        let low = SIMD16<UInt8>(repeating: minimum), high = SIMD16<UInt8>(repeating: maximum)
        let channels = g.channels
        var out = output
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let y0 = max(oy &* g.strideH &- g.padTop, 0), y1 = min(oy &* g.strideH &- g.padTop &+ g.windowHeight, g.inHeight)
                for ox in 0..<g.outWidth {
                    let x0 = max(ox &* g.strideW &- g.padLeft, 0), x1 = min(ox &* g.strideW &- g.padLeft &+ g.windowWidth, g.inWidth)
                    var c = 0
                    while c < channels {
                        let count = min(16, channels &- c)
                        var best = low  // TFLite's max starts at the type's lowest, then is clamped below by `minimum`
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let position: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ c
                                let v = load(input + position, count: count)
                                best.replace(with: v, where: v .> best)
                            }
                        }
                        best.replace(with: high, where: best .> high)
                        storeBytes(best, out + c, count: count)
                        c &+= 16
                    }
                    out += channels
                }
            }
        }
    }

    @inline(never)
    static func averagePool(input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, geometry g: PoolingGeometry,
                            isSigned: Bool, minimum: UInt8, maximum: UInt8) {
        let channels = g.channels
        let offset: Int32 = isSigned ? 128 : 0
        var sums = [Int32](repeating: 0, count: 16)
        var out = output
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let y0 = max(oy &* g.strideH &- g.padTop, 0), y1 = min(oy &* g.strideH &- g.padTop &+ g.windowHeight, g.inHeight)
                for ox in 0..<g.outWidth {
                    let x0 = max(ox &* g.strideW &- g.padLeft, 0), x1 = min(ox &* g.strideW &- g.padLeft &+ g.windowWidth, g.inWidth)
                    let positions = Int32((y1 &- y0) &* (x1 &- x0))
                    var c = 0
                    while c < channels {
                        let count = min(16, channels &- c)
                        var sum = QuantizedVector()
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let position: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ c
                                sum &+= loadWidened(load(input + position, count: count))
                            }
                        }
                        // The file's values (int8: stored − 128), TFLite's rounding division.
                        sum &-= QuantizedVector(repeating: offset &* positions)
                        for lane in 0..<count { sums[lane] = sum[lane] }
                        for lane in 0..<count {
                            let total = sums[lane]
                            let average = total > 0 ? (total &+ positions / 2) / positions : (total &- positions / 2) / positions
                            out[c &+ lane] = UInt8(min(max(average &+ offset, Int32(minimum)), Int32(maximum)))
                        }
                        c &+= 16
                    }
                    out += channels
                }
            }
        }
    }

    /// MEAN of [outer, reduced, inner] over the middle, `inner` (> 1) channels at a time.
    @inline(never)
    static func mean(input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, outer: Int, reduced: Int, inner: Int,
                     _ p: MeanParameters) {
        for o in 0..<outer {
            var c = 0
            while c < inner {
                let count = min(16, inner &- c)
                var sum = QuantizedVector()
                let start: Int = o &* reduced &* inner &+ c
                var row = input + start
                for _ in 0..<reduced {
                    sum &+= loadWidened(load(row, count: count))
                    row += inner
                }
                for lane in 0..<count { output[o &* inner &+ c &+ lane] = p.finish(sum[lane]) }
                c &+= 16
            }
        }
    }
}

@_transparent
func loadWidened(_ v: SIMD16<UInt8>) -> QuantizedVector {
    QuantizedVector(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]),
                    Int32(v[8]), Int32(v[9]), Int32(v[10]), Int32(v[11]), Int32(v[12]), Int32(v[13]), Int32(v[14]), Int32(v[15]))
}
