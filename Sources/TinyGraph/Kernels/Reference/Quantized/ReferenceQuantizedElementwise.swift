/// TFLite's reference kernels for quantized elementwise ops, on stored (unsigned)
/// values (`ActivationQuantization`): QUANTIZE and DEQUANTIZE at float edges, the
/// requantizing ones (QUANTIZE between integer types, RELU and RELU6's ReluX), ADD and MUL with broadcasting, table lookups (LOGISTIC) and HARD_SWISH.
enum ReferenceQuantizedElementwise {
    static func quantize(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ q: ActivationQuantization) {
        for i in 0..<count { output[i] = q.quantize(input[i]) }
    }

    static func dequantize(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<Float>, count: Int, _ q: ActivationQuantization) {
        for i in 0..<count { output[i] = q.dequantize(input[i]) }
    }

    /// reference_ops::Requantize and ReluX: multiply(x − inZero) + outZero, clamped.
    static func requantize(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ p: RequantizeParameters) {
        for i in 0..<count {
            var value = QuantizedArithmetic.multiply(Int32(input[i]) - p.inputZeroPoint, by: p.multiplier) &+ p.outputZeroPoint
            if value < p.minimum { value = p.minimum }
            if value > p.maximum { value = p.maximum }
            output[i] = UInt8(truncatingIfNeeded: value)
        }
    }

    /// reference_integer_ops AddFunc (and the uint8 AddElementwise): both inputs
    /// brought to a common scale with 20 bits of headroom, summed, rescaled.
    @inline(__always)
    static func add(_ x: UInt8, _ y: UInt8, _ p: AddParameters) -> UInt8 {
        let a = (Int32(x) - p.inputZeroPoints.0) &* (1 << p.leftShift)
        let b = (Int32(y) - p.inputZeroPoints.1) &* (1 << p.leftShift)
        let sum = QuantizedArithmetic.multiply(a, by: p.inputMultipliers.0) &+ QuantizedArithmetic.multiply(b, by: p.inputMultipliers.1)
        var value = QuantizedArithmetic.multiply(sum, by: p.outputMultiplier) &+ p.outputZeroPoint
        if value < p.minimum { value = p.minimum }
        if value > p.maximum { value = p.maximum }
        return UInt8(truncatingIfNeeded: value)
    }

    /// MulElementwise: multiply((x − xzp)(y − yzp)) + outZero, clamped.
    @inline(__always)
    static func mul(_ x: UInt8, _ y: UInt8, _ p: MulParameters) -> UInt8 {
        let product = (Int32(x) - p.inputZeroPoints.0) &* (Int32(y) - p.inputZeroPoints.1)
        var value = QuantizedArithmetic.multiply(product, by: p.outputMultiplier) &+ p.outputZeroPoint
        if value < p.minimum { value = p.minimum }
        if value > p.maximum { value = p.maximum }
        return UInt8(truncatingIfNeeded: value)
    }

    /// `function` over two broadcast operands (row-major, any rank up to Broadcast.maxRank).
    static func broadcast(
        _ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, shapes: BroadcastShapes,
        _ function: (UInt8, UInt8) -> UInt8
    ) {
        let shape = shapes.output
        let count = TensorType(.uint8, shape).elementCount
        guard count > 0 else { return }
        if shapes.isElementwise {
            for i in 0..<count { output[i] = function(lhs[i], rhs[i]) }
            return
        }
        let lhsStrides = Broadcast.strides(of: shapes.lhs, broadcastTo: shape)
        let rhsStrides = Broadcast.strides(of: shapes.rhs, broadcastTo: shape)
        var index = [Int](repeating: 0, count: shape.count)
        var a = 0, b = 0
        for i in 0..<count {
            output[i] = function(lhs[a], rhs[b])
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                a += lhsStrides[axis]
                b += rhsStrides[axis]
                if index[axis] < shape[axis] { break }
                a -= lhsStrides[axis] * shape[axis]
                b -= rhsStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    static func lookup(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, table: [UInt8]) {
        for i in 0..<count { output[i] = table[Int(input[i])] }
    }

    /// reference_ops::HardSwish on 8-bit values: 16-bit fixed point throughout.
    @inline(__always)
    static func hardSwish(_ x: UInt8, _ p: HardSwishParameters) -> UInt8 {
        typealias Q = QuantizedArithmetic
        let inputValue = Int16(truncatingIfNeeded: Int32(x) - p.inputZeroPoint)
        let hires = inputValue &* (1 << 7)
        let preshiftOutput = Q.saturatingRoundingDoublingHighMul(hires, p.outputMultiplier)
        var reluish = hires
        if p.reluishExponent > 0 { reluish = saturatingLeftShift(reluish, p.reluishExponent - 1) }
        reluish = Q.saturatingRoundingDoublingHighMul(reluish, p.reluishMultiplier)
        if p.reluishExponent > 0 { reluish = saturatingLeftShift(reluish, 1) }
        if p.reluishExponent < 0 { reluish = Q.roundingDivideByPOT(reluish, -p.reluishExponent) }
        reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
        let preshift = Q.saturatingDoublingHighMul(reluish, preshiftOutput)
        // The file's value, in int16 like TFLite (which wraps there), then its range.
        var value = Int32(Q.roundingDivideByPOT(preshift, -p.outputExponent) &+ Int16(truncatingIfNeeded: p.outputFileZeroPoint))
        let offset: Int32 = p.isSigned ? 128 : 0
        if value < -offset { value = -offset }
        if value > 255 - offset { value = 255 - offset }
        return UInt8(truncatingIfNeeded: value + offset)
    }

    @inline(__always)
    static func saturatingLeftShift(_ value: Int16, _ amount: Int) -> Int16 {
        let result = Int64(value) * (Int64(1) << Int64(amount))
        return Int16(clamping: result)
    }
}

/// QUANTIZE between integer types and the non-fused RELU and RELU6: multiply, zero
/// points, clamp (stored domain).
struct RequantizeParameters: Equatable {
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var multiplier: QuantizedArithmetic.Multiplier
    var minimum: Int32
    var maximum: Int32
}

/// ADD's parameters as TFLite's Prepare computes them (add.cc, 8-bit path).
struct AddParameters: Equatable {
    var inputZeroPoints: (Int32, Int32)
    var inputMultipliers: (QuantizedArithmetic.Multiplier, QuantizedArithmetic.Multiplier)
    var outputMultiplier: QuantizedArithmetic.Multiplier
    var outputZeroPoint: Int32
    var leftShift: Int32
    var minimum: Int32
    var maximum: Int32

    static func == (a: AddParameters, b: AddParameters) -> Bool {
        a.inputZeroPoints == b.inputZeroPoints && a.inputMultipliers == b.inputMultipliers && a.outputMultiplier == b.outputMultiplier
            && a.outputZeroPoint == b.outputZeroPoint && a.leftShift == b.leftShift && a.minimum == b.minimum && a.maximum == b.maximum
    }
}

/// MUL's parameters (mul.cc).
struct MulParameters: Equatable {
    var inputZeroPoints: (Int32, Int32)
    var outputMultiplier: QuantizedArithmetic.Multiplier
    var outputZeroPoint: Int32
    var minimum: Int32
    var maximum: Int32

    static func == (a: MulParameters, b: MulParameters) -> Bool {
        a.inputZeroPoints == b.inputZeroPoints && a.outputMultiplier == b.outputMultiplier && a.outputZeroPoint == b.outputZeroPoint
            && a.minimum == b.minimum && a.maximum == b.maximum
    }
}

/// HARD_SWISH's parameters (activations.cc HardSwishPrepare); zero points stored.
struct HardSwishParameters: Equatable {
    /// Stored domain.
    var inputZeroPoint: Int32
    /// The file's (int8 or uint8), since the result is formed in the file's domain.
    var outputFileZeroPoint: Int32
    var isSigned: Bool
    var outputMultiplier: Int16
    var outputExponent: Int
    var reluishMultiplier: Int16
    var reluishExponent: Int
}
