#if TINYGRAPH_VNNI
/// The 3×3 depthwise convolution with AVX-512 VNNI (`TINYGRAPH_VNNI` builds, int8
/// weights): per 16 channels, an input column is the three input rows' bytes of
/// one pixel interleaved per channel, (x(y0), x(y1), x(y2), 0); one vpdpbusd with
/// the packed kernel column (w(0, kx), w(1, kx), w(2, kx), 0) adds three taps.
/// So an output takes three vpdpbusd instead of nine widening multiply-adds, and
/// each input column serves the neighbouring outputs too (stride 1: three of
/// them, stride 2: two). Rows and columns outside the input read the zero point.
enum SIMDQuantizedDepthwiseVNNI {
    /// One output row, channels `c ..< c + 16`.
    @inline(never)
    static func row(_ kernel: DepthwiseColumns, n: Int, oy: Int, channel c: Int, _ output: UnsafeMutablePointer<UInt8>) {
        let g = kernel.geometry
        let columns = kernel.columns + 4 &* c
        let w0 = UnsafeRawPointer(columns).loadUnaligned(as: QuantizedVector.self)
        let w1 = UnsafeRawPointer(columns + 4 &* kernel.padded).loadUnaligned(as: QuantizedVector.self)
        let w2 = UnsafeRawPointer(columns + 8 &* kernel.padded).loadUnaligned(as: QuantizedVector.self)
        let bias = UnsafeRawPointer(kernel.biases).loadUnaligned(fromByteOffset: 4 &* c, as: QuantizedVector.self)
        let requantizer = kernel.panels.requantizer(channel: c)
        // Each kernel row's input row, or the zero-point row (stride 0) outside the input.
        let channels = g.inChannels
        var bases = (kernel.zeroRow, kernel.zeroRow, kernel.zeroRow)
        var steps = (0, 0, 0)
        for ky in 0..<3 {
            let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
            guard iy >= 0 && iy < g.inHeight else { continue }
            let start: Int = (n &* g.inHeight &+ iy) &* g.inWidth &* channels &+ c
            switch ky {
            case 0: bases.0 = kernel.input + start; steps.0 = channels
            case 1: bases.1 = kernel.input + start; steps.1 = channels
            default: bases.2 = kernel.input + start; steps.2 = channels
            }
        }
        let zeroColumn = kernel.zeroColumn
        @_transparent func column(_ ix: Int) -> QuantizedVector {
            guard ix >= 0 && ix < g.inWidth else { return zeroColumn }
            return loadWidened(bytes: bases.0 + ix &* steps.0)
                | (loadWidened(bytes: bases.1 + ix &* steps.1) &<< 8)
                | (loadWidened(bytes: bases.2 + ix &* steps.2) &<< 16)
        }
        let (stride, dilation) = (g.strideW, g.dilationW)
        var out = output
        var ox = 0
        var left = -g.padLeft
        if dilation == 1 && stride <= 2 {
            // Sliding: the columns of the previous window that the next one reuses.
            var a = column(left), b = column(left &+ 1)
            while ox < g.outWidth {
                let c2 = column(left &+ 2)
                var acc = dotProductAccumulate(bias, a, w0)
                acc = dotProductAccumulate(acc, b, w1)
                acc = dotProductAccumulate(acc, c2, w2)
                storeBytes(requantizer.bytes(acc), out, count: 16)
                if stride == 1 {
                    a = b
                    b = c2
                } else {
                    a = c2
                    b = column(left &+ 3)
                }
                left &+= stride
                out += g.outChannels
                ox &+= 1
            }
            return
        }
        while ox < g.outWidth {
            var acc = dotProductAccumulate(bias, column(left), w0)
            acc = dotProductAccumulate(acc, column(left &+ dilation), w1)
            acc = dotProductAccumulate(acc, column(left &+ 2 &* dilation), w2)
            storeBytes(requantizer.bytes(acc), out, count: 16)
            left &+= stride
            out += g.outChannels
            ox &+= 1
        }
    }
}

/// What the VNNI depthwise rows read: raw pointers, the geometry, the zero point as
/// a row of bytes and as an input column.
struct DepthwiseColumns {
    let input: UnsafePointer<UInt8>
    let geometry: ConvolutionGeometry
    let biases: UnsafeRawPointer
    /// The packed kernel columns.
    let columns: UnsafeRawPointer
    let padded: Int
    let panels: QuantizedPanels
    /// 16 bytes of the input's zero point (the rows outside the input).
    let zeroRow: UnsafePointer<UInt8>
    /// (zp, zp, zp, 0) in every lane (the columns outside the input).
    let zeroColumn: QuantizedVector

    init(_ weights: PackedQuantizedWeights, _ epilogue: QuantizedOutput, _ g: ConvolutionGeometry, input: UnsafePointer<UInt8>,
         zeroRow: UnsafePointer<UInt8>) {
        self.input = input
        geometry = g
        padded = weights.paddedChannels
        biases = UnsafeRawPointer(weights.bytes)
        let columnsOffset: Int = 4 &* padded &+ 2 &* padded &* 9  // after the biases and the nine int16 rows
        columns = UnsafeRawPointer(weights.bytes) + columnsOffset
        panels = QuantizedPanels(weights, epilogue)
        self.zeroRow = zeroRow
        let zero: Int32 = weights.inputZeroPoint & 0xFF
        let threeBytes: Int32 = zero | (zero << 8) | (zero << 16)
        zeroColumn = QuantizedVector(repeating: threeBytes)
    }
}
#endif
