/// The interior blocks of `SIMDDepthwise`: `pixelBlock` adjacent output pixels of
/// one row × one channel vector (channels c..<c+16), in accumulators seeded with
/// the bias. `x` is the input column of the first pixel's window; every tap of the
/// block lies inside the input.
extension SIMDDepthwise {
    static let pixelBlock = 4

    /// 3-wide kernel, stride 1: the 4 pixels' windows cover 6 input columns, each
    /// loaded once per kernel row and multiplied into every pixel that uses it.
    @inline(__always)
    static func block3Stride1(_ row: Row, _ x: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int, _ activation: ConvolutionOp.Activation) {
        let channels = row.channels
        var a0 = loadVector(row.bias + c)
        var a1 = a0, a2 = a0, a3 = a0
        for r in 0..<row.rows {
            let p = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
            let w = row.weights + (r &* row.weightRowStep &+ c)
            let w0 = loadVector(w), w1 = loadVector(w + row.tapStride), w2 = loadVector(w + 2 &* row.tapStride)
            var v = loadVector(p)
            a0 = multiplyAdd(a0, v, w0)
            v = loadVector(p + channels)
            a0 = multiplyAdd(a0, v, w1); a1 = multiplyAdd(a1, v, w0)
            v = loadVector(p + 2 &* channels)
            a0 = multiplyAdd(a0, v, w2); a1 = multiplyAdd(a1, v, w1); a2 = multiplyAdd(a2, v, w0)
            v = loadVector(p + 3 &* channels)
            a1 = multiplyAdd(a1, v, w2); a2 = multiplyAdd(a2, v, w1); a3 = multiplyAdd(a3, v, w0)
            v = loadVector(p + 4 &* channels)
            a2 = multiplyAdd(a2, v, w2); a3 = multiplyAdd(a3, v, w1)
            v = loadVector(p + 5 &* channels)
            a3 = multiplyAdd(a3, v, w2)
        }
        store4(a0, a1, a2, a3, out + c, channels, activation)
    }

    /// 3-wide kernel, stride 2: 9 input columns, the even ones shared by two pixels.
    @inline(__always)
    static func block3Stride2(_ row: Row, _ x: Int, _ out: UnsafeMutablePointer<Float>, _ c: Int, _ activation: ConvolutionOp.Activation) {
        let channels = row.channels
        var a0 = loadVector(row.bias + c)
        var a1 = a0, a2 = a0, a3 = a0
        for r in 0..<row.rows {
            let p = row.input + (r &* row.inputRowStep &+ x &* channels &+ c)
            let w = row.weights + (r &* row.weightRowStep &+ c)
            let w0 = loadVector(w), w1 = loadVector(w + row.tapStride), w2 = loadVector(w + 2 &* row.tapStride)
            a0 = multiplyAdd(a0, loadVector(p), w0)
            a0 = multiplyAdd(a0, loadVector(p + channels), w1)
            var v = loadVector(p + 2 &* channels)
            a0 = multiplyAdd(a0, v, w2); a1 = multiplyAdd(a1, v, w0)
            a1 = multiplyAdd(a1, loadVector(p + 3 &* channels), w1)
            v = loadVector(p + 4 &* channels)
            a1 = multiplyAdd(a1, v, w2); a2 = multiplyAdd(a2, v, w0)
            a2 = multiplyAdd(a2, loadVector(p + 5 &* channels), w1)
            v = loadVector(p + 6 &* channels)
            a2 = multiplyAdd(a2, v, w2); a3 = multiplyAdd(a3, v, w0)
            a3 = multiplyAdd(a3, loadVector(p + 7 &* channels), w1)
            a3 = multiplyAdd(a3, loadVector(p + 8 &* channels), w2)
        }
        store4(a0, a1, a2, a3, out + c, channels, activation)
    }

    /// Any kernel width, stride and dilation: per tap, one weight vector and one
    /// input vector per pixel.
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
