/// The blocks of `SIMDDepthwise`: 4 adjacent output pixels of one row ×
/// one channel vector (channels c..<c+16) in accumulators seeded with the bias.
/// `x` is the input column of the first pixel's window, `rows` the kernel rows
/// inside the input (see `Row`).
extension SIMDDepthwise {
    /// 3-wide kernel, stride 1: the 4 windows cover 6 input columns, each loaded once
    /// per kernel row and multiplied into every pixel that uses it, in tap order.
    /// Only the columns x + lo ..< x + hi are read (the others are padding); with the
    /// constants 0 and 6 the checks fold away.
    @inline(__always)
    static func block3Stride1(
        _ row: Row, _ rows: Int, _ x: Int, _ lo: Int, _ hi: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let channels = row.channels
        var a0 = loadVector(row.bias + c)
        var a1 = a0, a2 = a0, a3 = a0
        for r in 0..<rows {
            let p = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
            let w = row.weights + (r &* row.weightRowStep &+ c)
            let w0 = loadVector(w), w1 = loadVector(w + row.tapStride), w2 = loadVector(w + 2 &* row.tapStride)
            if lo <= 0 && 0 < hi { tap(&a0, loadVector(p), w0) }
            if lo <= 1 && 1 < hi { let v = loadVector(p + channels); tap(&a0, v, w1); tap(&a1, v, w0) }
            if lo <= 2 && 2 < hi { let v = loadVector(p + 2 &* channels); tap(&a0, v, w2); tap(&a1, v, w1); tap(&a2, v, w0) }
            if lo <= 3 && 3 < hi { let v = loadVector(p + 3 &* channels); tap(&a1, v, w2); tap(&a2, v, w1); tap(&a3, v, w0) }
            if lo <= 4 && 4 < hi { let v = loadVector(p + 4 &* channels); tap(&a2, v, w2); tap(&a3, v, w1) }
            if lo <= 5 && 5 < hi { tap(&a3, loadVector(p + 5 &* channels), w2) }
        }
        store4(a0, a1, a2, a3, out + c, channels, activation)
    }

    /// 3-wide kernel, stride 2: 9 input columns, the even ones shared by two pixels.
    /// Columns outside x + lo ..< x + hi are skipped as in `block3Stride1`.
    @inline(__always)
    static func block3Stride2(
        _ row: Row, _ rows: Int, _ x: Int, _ lo: Int, _ hi: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        let channels = row.channels
        var a0 = loadVector(row.bias + c)
        var a1 = a0, a2 = a0, a3 = a0
        for r in 0..<rows {
            let p = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
            let w = row.weights + (r &* row.weightRowStep &+ c)
            let w0 = loadVector(w), w1 = loadVector(w + row.tapStride), w2 = loadVector(w + 2 &* row.tapStride)
            if lo <= 0 && 0 < hi { tap(&a0, loadVector(p), w0) }
            if lo <= 1 && 1 < hi { tap(&a0, loadVector(p + channels), w1) }
            if lo <= 2 && 2 < hi { let v = loadVector(p + 2 &* channels); tap(&a0, v, w2); tap(&a1, v, w0) }
            if lo <= 3 && 3 < hi { tap(&a1, loadVector(p + 3 &* channels), w1) }
            if lo <= 4 && 4 < hi { let v = loadVector(p + 4 &* channels); tap(&a1, v, w2); tap(&a2, v, w0) }
            if lo <= 5 && 5 < hi { tap(&a2, loadVector(p + 5 &* channels), w1) }
            if lo <= 6 && 6 < hi { let v = loadVector(p + 6 &* channels); tap(&a2, v, w2); tap(&a3, v, w0) }
            if lo <= 7 && 7 < hi { tap(&a3, loadVector(p + 7 &* channels), w1) }
            if lo <= 8 && 8 < hi { tap(&a3, loadVector(p + 8 &* channels), w2) }
        }
        store4(a0, a1, a2, a3, out + c, channels, activation)
    }

    /// Any kernel width, stride and dilation, every tap inside the input: per tap,
    /// one weight vector and one input vector per pixel.
    @inline(__always)
    static func blockGeneric(
        _ row: Row, _ x: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        kernelWidth: Int, stride: Int, dilation: Int, _ activation: ConvolutionOp.Activation
    ) {
        let channels = row.channels
        let pixelStep = stride &* channels
        var a0 = loadVector(row.bias + c)
        var a1 = a0, a2 = a0, a3 = a0
        for r in 0..<row.rows {
            let p = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
            let w = row.weights + (r &* row.weightRowStep &+ c)
            for kx in 0..<kernelWidth {
                let weight = loadVector(w + kx &* row.tapStride)
                let tap = p + kx &* dilation &* channels
                a0 = multiplyAdd(a0, loadVector(tap), weight)
                a1 = multiplyAdd(a1, loadVector(tap + pixelStep), weight)
                a2 = multiplyAdd(a2, loadVector(tap + 2 &* pixelStep), weight)
                a3 = multiplyAdd(a3, loadVector(tap + 3 &* pixelStep), weight)
            }
        }
        store4(a0, a1, a2, a3, out + c, channels, activation)
    }

    @inline(__always)
    static func tap(_ acc: inout FloatVector, _ input: FloatVector, _ weight: FloatVector) {
        acc = multiplyAdd(acc, input, weight)
    }

    @inline(__always)
    static func store4(
        _ a0: FloatVector, _ a1: FloatVector, _ a2: FloatVector, _ a3: FloatVector,
        _ out: UnsafeMutablePointer<Float>, _ pixelStride: Int, _ activation: ConvolutionOp.Activation
    ) {
        storeVector(activate(a0, activation), out)
        storeVector(activate(a1, activation), out + pixelStride)
        storeVector(activate(a2, activation), out + 2 &* pixelStride)
        storeVector(activate(a3, activation), out + 3 &* pixelStride)
    }
}

/// A block kernel of `SIMDDepthwise.row3`: `pixels` output pixels of a 3-wide
/// kernel with this stride, one channel vector (the `block3…` functions' arguments).
protocol DepthwiseBlock3 {
    static var stride: Int { get }
    static var pixels: Int { get }
    static func run(
        _ row: SIMDDepthwise.Row, _ rows: Int, _ x: Int, _ lo: Int, _ hi: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        _ activation: ConvolutionOp.Activation)
}

/// How many kernel rows `row3` runs: all 3 (a constant), or those inside the input.
protocol DepthwiseKernelRows {
    static func count(_ row: SIMDDepthwise.Row) -> Int
}

enum AllKernelRows: DepthwiseKernelRows {
    @inline(__always) static func count(_ row: SIMDDepthwise.Row) -> Int { 3 }
}

enum SomeKernelRows: DepthwiseKernelRows {
    @inline(__always) static func count(_ row: SIMDDepthwise.Row) -> Int { row.rows }
}

enum Block3Stride1: DepthwiseBlock3 {
    static var stride: Int { 1 }
    static var pixels: Int { 4 }
    @inline(__always)
    static func run(
        _ row: SIMDDepthwise.Row, _ rows: Int, _ x: Int, _ lo: Int, _ hi: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        SIMDDepthwise.block3Stride1(row, rows, x, lo, hi, out, c, activation)
    }
}

enum Block3Stride2: DepthwiseBlock3 {
    static var stride: Int { 2 }
    static var pixels: Int { 4 }
    @inline(__always)
    static func run(
        _ row: SIMDDepthwise.Row, _ rows: Int, _ x: Int, _ lo: Int, _ hi: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int,
        _ activation: ConvolutionOp.Activation
    ) {
        SIMDDepthwise.block3Stride2(row, rows, x, lo, hi, out, c, activation)
    }
}
