/// Quantized DEPTHWISE_CONV_2D (multiplier 1) on packed weights: for each output
/// pixel and 16 channels, the folded bias plus each tap's input bytes times its
/// int16 weights (widened to int32: x86 `pmaddwd`, arm64 `smlal`); taps in the
/// padding read the input's zero point. Then `QuantizedRequantizer`.
enum SIMDQuantizedDepthwise {
    @inline(never)
    static func depthwise(input: UnsafePointer<UInt8>, weights: PackedQuantizedWeights, output: UnsafeMutablePointer<UInt8>,
                          geometry g: ConvolutionGeometry, epilogue: QuantizedOutput) {
        let channels = g.inChannels
        let padded = weights.paddedChannels
        let zero = QuantizedVector(repeating: weights.inputZeroPoint)
        let biases = UnsafeRawPointer(weights.bytes)
        let taps = UnsafeRawPointer(weights.bytes + 4 &* padded)
        var out = output
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var c = 0
                    while c < channels {
                        let count = min(16, channels &- c)
                        var acc = biases.loadUnaligned(fromByteOffset: 4 &* c, as: QuantizedVector.self)
                        for ky in 0..<g.kernelHeight {
                            let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                            for kx in 0..<g.kernelWidth {
                                let ix = ox &* g.strideW &- g.padLeft &+ kx &* g.dilationW
                                let tap: Int = (ky &* g.kernelWidth &+ kx) &* padded &+ c
                                let w = loadWidened(int16s: taps + 2 &* tap)
                                if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth {
                                    let position: Int = ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* channels &+ c
                                    acc &+= loadWidened(SIMDQuantizedPooling.load(input + position, count: count)) &* w
                                } else {
                                    acc &+= zero &* w
                                }
                            }
                        }
                        let requantizer = SIMDQuantizedConvolution.requantizer(weights, channel: c, epilogue)
                        storeBytes(narrowToBytes(requantizer.apply(acc)), out + c, count: count)
                        c &+= 16
                    }
                    out += g.outChannels
                }
            }
        }
    }
}
