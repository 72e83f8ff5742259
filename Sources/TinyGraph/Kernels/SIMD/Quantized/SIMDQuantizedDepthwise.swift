/// Quantized DEPTHWISE_CONV_2D (multiplier 1) on packed weights, 16 channels at a
/// time: for each group of 16 channels the bias, the requantization and (3×3) the
/// nine taps' weights stay in registers while the kernel walks every output pixel;
/// each tap adds input bytes times int16 weights widened to int32 (both fit 16
/// bits: x86 `pmaddwd`/`vpdpwssd`, arm64 `smlal`). Taps in the padding read the
/// input's zero point, which the folded bias cancels. Windows that lie inside the
/// input (almost all of them) take a path without bounds checks.
enum SIMDQuantizedDepthwise {
    @inline(never)
    static func depthwise(input: UnsafePointer<UInt8>, weights: PackedQuantizedWeights, output: UnsafeMutablePointer<UInt8>,
                          geometry g: ConvolutionGeometry, epilogue: QuantizedOutput, channels: Range<Int>? = nil) {
        // Channels first ..< end (all, or one thread's groups of 16).
        let first = channels?.lowerBound ?? 0, end = channels?.upperBound ?? g.inChannels
        #if TINYGRAPH_VNNI
        let vnniChannels = weights.isInt8Groups ? min(g.inChannels / 16 * 16, end) : first
        if vnniChannels > first {
            let zeroRow = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
            defer { zeroRow.deallocate() }
            zeroRow.initialize(repeating: UInt8(truncatingIfNeeded: weights.inputZeroPoint), count: 16)
            let kernel = DepthwiseColumns(weights, epilogue, g, input: input, zeroRow: zeroRow)
            for n in 0..<g.batch {
                for oy in 0..<g.outHeight {
                    let rowStart: Int = ((n &* g.outHeight &+ oy) &* g.outWidth) &* g.outChannels
                    var c = first
                    while c < vnniChannels {
                        let target: Int = rowStart &+ c
                        SIMDQuantizedDepthwiseVNNI.row(kernel, n: n, oy: oy, channel: c, output + target)
                        c &+= 16
                    }
                }
            }
        }
        var c = max(vnniChannels, first)
        #else
        var c = first
        #endif
        while c < end {
            let count = min(16, end &- c)
            if g.kernelHeight == 3 && g.kernelWidth == 3 && count == 16 {
                group3x3(input, weights, output, g, epilogue, channel: c)
            } else {
                groupGeneric(input, weights, output, g, epilogue, channel: c, count: count)
            }
            c &+= 16
        }
    }

    /// The output columns whose windows lie inside the input horizontally, and the
    /// same for rows: [first, end).
    @_transparent
    static func interior(outSize: Int, inSize: Int, stride: Int, pad: Int, kernel: Int, dilation: Int) -> (Int, Int) {
        // ox·stride − pad ≥ 0  and  ox·stride − pad + (kernel − 1)·dilation < inSize.
        let first = min((pad &+ stride &- 1) / stride, outSize)
        let span = inSize &+ pad &- (kernel &- 1) &* dilation
        let end = span > 0 ? min((span &- 1) / stride &+ 1, outSize) : 0
        return (first, max(end, first))
    }

    @_transparent
    static func requantizer(_ weights: PackedQuantizedWeights, _ channel: Int, _ epilogue: QuantizedOutput) -> QuantizedRequantizer {
        SIMDQuantizedConvolution.requantizer(weights, channel: channel, epilogue)
    }

    /// 3×3, a full group of 16 channels: the weights in nine registers.
    @inline(never)
    static func group3x3(_ input: UnsafePointer<UInt8>, _ weights: PackedQuantizedWeights, _ output: UnsafeMutablePointer<UInt8>,
                         _ g: ConvolutionGeometry, _ epilogue: QuantizedOutput, channel c: Int) {
        let padded = weights.paddedChannels
        let taps = UnsafeRawPointer(weights.bytes + 4 &* padded)
        @_transparent func tap(_ index: Int) -> QuantizedVector { loadWidened(int16s: taps + 2 &* (index &* padded &+ c)) }
        let w0 = tap(0), w1 = tap(1), w2 = tap(2), w3 = tap(3), w4 = tap(4), w5 = tap(5), w6 = tap(6), w7 = tap(7), w8 = tap(8)
        let bias = UnsafeRawPointer(weights.bytes).loadUnaligned(fromByteOffset: 4 &* c, as: QuantizedVector.self)
        let requantizer = requantizer(weights, c, epilogue)
        let zero = QuantizedVector(repeating: weights.inputZeroPoint)
        let channels = g.inChannels
        let (columnStart, columnEnd) = interior(outSize: g.outWidth, inSize: g.inWidth, stride: g.strideW, pad: g.padLeft,
                                                kernel: 3, dilation: g.dilationW)
        let rowStride = g.inWidth &* channels
        let (dx, dy) = (g.dilationW &* channels, g.dilationH &* rowStride)
        let stepX = g.strideW &* channels
        @_transparent func x(_ p: UnsafePointer<UInt8>) -> QuantizedVector { loadWidened(bytes: p) }
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let top = oy &* g.strideH &- g.padTop
                let rowsInside = top >= 0 && top &+ 2 &* g.dilationH < g.inHeight
                let outStart: Int = ((n &* g.outHeight &+ oy) &* g.outWidth) &* g.outChannels &+ c
                var out = output + outStart
                var ox = 0
                while ox < g.outWidth {
                    let left = ox &* g.strideW &- g.padLeft
                    if rowsInside && ox >= columnStart && ox &+ 1 < columnEnd {
                        // Two windows inside the input: two independent chains of nine
                        // multiply-adds (one chain would wait on each one's latency).
                        let start: Int = ((n &* g.inHeight &+ top) &* g.inWidth &+ left) &* channels &+ c
                        let p0 = input + start, p1 = p0 + dy, p2 = p1 + dy
                        let q0 = p0 + stepX, q1 = p1 + stepX, q2 = p2 + stepX
                        let dx2: Int = 2 &* dx
                        var a = bias, b = bias
                        a &+= x(p0) &* w0; b &+= x(q0) &* w0
                        a &+= x(p0 + dx) &* w1; b &+= x(q0 + dx) &* w1
                        a &+= x(p0 + dx2) &* w2; b &+= x(q0 + dx2) &* w2
                        a &+= x(p1) &* w3; b &+= x(q1) &* w3
                        a &+= x(p1 + dx) &* w4; b &+= x(q1 + dx) &* w4
                        a &+= x(p1 + dx2) &* w5; b &+= x(q1 + dx2) &* w5
                        a &+= x(p2) &* w6; b &+= x(q2) &* w6
                        a &+= x(p2 + dx) &* w7; b &+= x(q2 + dx) &* w7
                        a &+= x(p2 + dx2) &* w8; b &+= x(q2 + dx2) &* w8
                        storeBytes(requantizer.bytes(a), out, count: 16)
                        storeBytes(requantizer.bytes(b), out + g.outChannels, count: 16)
                        out += 2 &* g.outChannels
                        ox &+= 2
                        continue
                    }
                    var acc = bias
                    if rowsInside && ox >= columnStart && ox < columnEnd {
                        let start: Int = ((n &* g.inHeight &+ top) &* g.inWidth &+ left) &* channels &+ c
                        let p0 = input + start, p1 = p0 + dy, p2 = p1 + dy
                        let dx2: Int = 2 &* dx
                        acc &+= x(p0) &* w0
                        acc &+= x(p0 + dx) &* w1
                        acc &+= x(p0 + dx2) &* w2
                        acc &+= x(p1) &* w3
                        acc &+= x(p1 + dx) &* w4
                        acc &+= x(p1 + dx2) &* w5
                        acc &+= x(p2) &* w6
                        acc &+= x(p2 + dx) &* w7
                        acc &+= x(p2 + dx2) &* w8
                    } else {
                        let ws = (w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        for ky in 0..<3 {
                            let iy = top &+ ky &* g.dilationH
                            for kx in 0..<3 {
                                let ix = left &+ kx &* g.dilationW
                                let w: QuantizedVector
                                switch ky &* 3 &+ kx {
                                case 0: w = ws.0
                                case 1: w = ws.1
                                case 2: w = ws.2
                                case 3: w = ws.3
                                case 4: w = ws.4
                                case 5: w = ws.5
                                case 6: w = ws.6
                                case 7: w = ws.7
                                default: w = ws.8
                                }
                                if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth {
                                    let offset: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ c
                                    acc &+= x(input + offset) &* w
                                } else {
                                    acc &+= zero &* w
                                }
                            }
                        }
                    }
                    storeBytes(requantizer.bytes(acc), out, count: 16)
                    out += g.outChannels
                    ox &+= 1
                }
            }
        }
    }

    /// Any kernel size, and the last group of fewer than 16 channels (read through a
    /// copy, so no load passes a pixel's last channel).
    @inline(never)
    static func groupGeneric(_ input: UnsafePointer<UInt8>, _ weights: PackedQuantizedWeights, _ output: UnsafeMutablePointer<UInt8>,
                             _ g: ConvolutionGeometry, _ epilogue: QuantizedOutput, channel c: Int, count: Int) {
        let padded = weights.paddedChannels
        let taps = UnsafeRawPointer(weights.bytes + 4 &* padded)
        let bias = UnsafeRawPointer(weights.bytes).loadUnaligned(fromByteOffset: 4 &* c, as: QuantizedVector.self)
        let requantizer = requantizer(weights, c, epilogue)
        let zero = QuantizedVector(repeating: weights.inputZeroPoint)
        let channels = g.inChannels
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                let outStart: Int = ((n &* g.outHeight &+ oy) &* g.outWidth) &* g.outChannels &+ c
                var out = output + outStart
                for ox in 0..<g.outWidth {
                    var acc = bias
                    for ky in 0..<g.kernelHeight {
                        let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                        for kx in 0..<g.kernelWidth {
                            let ix = ox &* g.strideW &- g.padLeft &+ kx &* g.dilationW
                            let tap: Int = (ky &* g.kernelWidth &+ kx) &* padded &+ c
                            let w = loadWidened(int16s: taps + 2 &* tap)
                            if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth {
                                let offset: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ c
                                acc &+= loadWidened(SIMDQuantizedPooling.load(input + offset, count: count)) &* w
                            } else {
                                acc &+= zero &* w
                            }
                        }
                    }
                    storeBytes(requantizer.bytes(acc), out, count: count)
                    out += g.outChannels
                }
            }
        }
    }
}
