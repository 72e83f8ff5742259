/// A quantized filter as the file gives it, with its zero points already
/// subtracted: `values[i]` is w − wzp. TFLite's layouts: CONV_2D OHWI,
/// DEPTHWISE_CONV_2D [1, KH, KW, C·M], FULLY_CONNECTED [out, in].
struct QuantizedFilter: Equatable {
    var values: [Int16]
    var shape: [Int]
}

/// How a convolution's int32 accumulators become outputs.
enum QuantizedRequantization: Equatable {
    /// TFLite's MultiplyByQuantizedMultiplier with one multiplier per output channel
    /// (CONV_2D, DEPTHWISE_CONV_2D).
    case fixedPoint([QuantizedArithmetic.Multiplier])
    /// round(acc × scale) in double precision, one scale per output channel: the
    /// FULLY_CONNECTED reference kernel's requantization.
    case double([Double])

    @inline(__always)
    func apply(_ accumulator: Int32, channel: Int) -> Int32 {
        switch self {
        case .fixedPoint(let multipliers):
            return QuantizedArithmetic.multiply(accumulator, by: multipliers[channel])
        case .double(let scales):
            return QuantizedRequantization.roundToInt32(Double(accumulator) * scales[channel])
        }
    }

    /// C's round() then a conversion to int32, saturating instead of undefined.
    @inline(__always)
    static func roundToInt32(_ value: Double) -> Int32 {
        let rounded = FloatMath.round(value)
        if !(rounded > -2_147_483_648.5) { return rounded.isNaN ? 0 : Int32.min }
        if rounded >= 2_147_483_647 { return Int32.max }
        return Int32(rounded)
    }
}

/// The epilogue shared by the quantized convolutions: requantize, add the output
/// zero point, clamp to the fused activation's range (stored domain).
struct QuantizedOutput: Equatable {
    var requantization: QuantizedRequantization
    var zeroPoint: Int32
    var minimum: Int32
    var maximum: Int32

    @inline(__always)
    func store(_ accumulator: Int32, channel: Int) -> UInt8 {
        var value = requantization.apply(accumulator, channel: channel) &+ zeroPoint
        if value < minimum { value = minimum }
        if value > maximum { value = maximum }
        return UInt8(truncatingIfNeeded: value)
    }
}

/// TFLite's reference CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on quantized
/// tensors (reference_integer_ops ConvPerChannel, DepthwiseConvPerChannel,
/// FullyConnected(PerChannel) and their uint8 forms): int32 sums of
/// (w − wzp)(x − xzp) over the taps inside the input (padding adds nothing), plus
/// the bias, then `QuantizedOutput`. Activations are stored unsigned
/// (`ActivationQuantization`), so x − xzp is the file's value minus its zero point.
enum ReferenceQuantizedConvolution {
    static func conv2D(
        input: UnsafePointer<UInt8>, inputZeroPoint: Int32, filter: QuantizedFilter, bias: [Int32]?,
        output: UnsafeMutablePointer<UInt8>, geometry g: ConvolutionGeometry, epilogue: QuantizedOutput
    ) {
        let inC = g.inChannels
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let outBase = ((n * g.outHeight + oy) * g.outWidth + ox) * g.outChannels
                    for o in 0..<g.outChannels {
                        var acc: Int32 = 0
                        for ky in 0..<g.kernelHeight {
                            let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                            guard iy >= 0, iy < g.inHeight else { continue }
                            for kx in 0..<g.kernelWidth {
                                let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                                guard ix >= 0, ix < g.inWidth else { continue }
                                let inBase = ((n * g.inHeight + iy) * g.inWidth + ix) * inC
                                let filterBase = ((o * g.kernelHeight + ky) * g.kernelWidth + kx) * inC
                                for c in 0..<inC {
                                    let x = Int32(input[inBase + c]) - inputZeroPoint
                                    acc = acc &+ Int32(filter.values[filterBase + c]) &* x
                                }
                            }
                        }
                        if let bias { acc = acc &+ bias[o] }
                        output[outBase + o] = epilogue.store(acc, channel: o)
                    }
                }
            }
        }
    }

    /// Output channel c·M + m reads input channel c; the filter is [1, KH, KW, C·M].
    static func depthwise(
        input: UnsafePointer<UInt8>, inputZeroPoint: Int32, filter: QuantizedFilter, multiplier: Int, bias: [Int32]?,
        output: UnsafeMutablePointer<UInt8>, geometry g: ConvolutionGeometry, epilogue: QuantizedOutput
    ) {
        let inC = g.inChannels
        let outC = g.outChannels
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let outBase = ((n * g.outHeight + oy) * g.outWidth + ox) * outC
                    for c in 0..<inC {
                        for m in 0..<multiplier {
                            let o = c * multiplier + m
                            var acc: Int32 = 0
                            for ky in 0..<g.kernelHeight {
                                let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                                guard iy >= 0, iy < g.inHeight else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                                    guard ix >= 0, ix < g.inWidth else { continue }
                                    let x = Int32(input[((n * g.inHeight + iy) * g.inWidth + ix) * inC + c]) - inputZeroPoint
                                    let w = Int32(filter.values[(ky * g.kernelWidth + kx) * outC + o])
                                    acc = acc &+ w &* x
                                }
                            }
                            if let bias { acc = acc &+ bias[o] }
                            output[outBase + o] = epilogue.store(acc, channel: o)
                        }
                    }
                }
            }
        }
    }

    /// `rows` rows of `depth` inputs times the [out, depth] filter.
    static func fullyConnected(
        input: UnsafePointer<UInt8>, inputZeroPoint: Int32, filter: QuantizedFilter, bias: [Int32]?,
        output: UnsafeMutablePointer<UInt8>, rows: Int, epilogue: QuantizedOutput
    ) {
        let outC = filter.shape[0]
        let depth = filter.shape[1]
        for row in 0..<rows {
            for o in 0..<outC {
                var acc: Int32 = 0
                for d in 0..<depth {
                    let x = Int32(input[row * depth + d]) - inputZeroPoint
                    acc = acc &+ Int32(filter.values[o * depth + d]) &* x
                }
                if let bias { acc = acc &+ bias[o] }
                output[row * outC + o] = epilogue.store(acc, channel: o)
            }
        }
    }
}
