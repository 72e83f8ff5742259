/// TFLite's integer arithmetic for quantized kernels, as its default builds compute
/// it (tflite/kernels/internal/common.h and quantization_util.cc, gemmlowp's
/// fixedpoint.h; "double rounding", TFLITE_SINGLE_ROUNDING off). Integer overflow
/// wraps where C++ would have undefined behaviour, so nothing here traps.
enum QuantizedArithmetic {
    /// A real multiplier as TFLite stores it: value × 2^(shift − 31), value in
    /// [2^30, 2^31) (or 0).
    struct Multiplier: Equatable {
        var value: Int32
        var shift: Int

        static let zero = Multiplier(value: 0, shift: 0)
    }

    /// `frexp` for positive finite doubles: (q, e) with x = q × 2^e, q in [0.5, 1).
    static func frexp(_ x: Double) -> (Double, Int) {
        (x.significand / 2, Int(x.exponent) + 1)
    }

    /// TFLite's QuantizeMultiplier. Callers pass a finite, non-negative multiplier
    /// (the importer checks the scales it comes from).
    static func quantizeMultiplier(_ real: Double) -> Multiplier {
        guard real > 0, real.isFinite else { return .zero }
        var (q, shift) = frexp(real)
        q = FloatMath.round(q * 2_147_483_648)  // 2^31 (a 1 << 31 literal is negative where Int has 32 bits)
        var fixed = Int64(q)
        if fixed == 1 << 31 {
            fixed /= 2
            shift += 1
        }
        if shift < -31 { return .zero }
        return Multiplier(value: Int32(fixed), shift: shift)
    }

    /// gemmlowp's SaturatingRoundingDoublingHighMul: round(a × b / 2^31) with its
    /// nudge, which comes down to (a·b + 2^30) >> 31 for every pair but
    /// (Int32.min, Int32.min), which saturates.
    @inline(__always)
    static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == Int32.min { return Int32.max }
        let product = Int64(a) &* Int64(b)
        let nudge: Int64 = product >= 0 ? 1 << 30 : 1 - (1 << 30)
        return Int32(truncatingIfNeeded: (product &+ nudge) / (1 << 31))
    }

    /// The 16-bit form (HARD_SWISH).
    @inline(__always)
    static func saturatingRoundingDoublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == Int16.min { return Int16.max }
        let product = Int32(a) &* Int32(b)
        let nudge: Int32 = product >= 0 ? 1 << 14 : 1 - (1 << 14)
        return Int16(truncatingIfNeeded: (product &+ nudge) / (1 << 15))
    }

    /// HARD_SWISH's SaturatingDoublingHighMul: no rounding nudge.
    @inline(__always)
    static func saturatingDoublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == Int16.min { return Int16.max }
        return Int16(truncatingIfNeeded: (Int32(a) &* Int32(b)) / (1 << 15))
    }

    /// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero
    /// (exponent 0...31).
    @inline(__always)
    static func roundingDivideByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
        let mask = Int32(truncatingIfNeeded: (Int64(1) << exponent) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
        return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
    }

    @inline(__always)
    static func roundingDivideByPOT(_ x: Int16, _ exponent: Int) -> Int16 {
        let mask = Int16(truncatingIfNeeded: (Int32(1) << exponent) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
        return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
    }

    /// TFLite's MultiplyByQuantizedMultiplier (and its SmallerThanOneExp and
    /// GreaterThanOne forms, which compute the same): x × 2^left, then the
    /// doubling high multiply, then a rounding right shift.
    @inline(__always)
    static func multiply(_ x: Int32, by multiplier: Multiplier) -> Int32 {
        let left = multiplier.shift > 0 ? multiplier.shift : 0
        let right = multiplier.shift > 0 ? 0 : -multiplier.shift
        let shifted = x &* (Int32(1) &<< Int32(left))
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier.value), right)
    }

    /// x × 2^exponent saturated (exponent > 0), or rounded (exponent < 0): gemmlowp's
    /// SaturatingRoundingMultiplyByPOT.
    @inline(__always)
    static func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
        if exponent == 0 { return x }
        if exponent < 0 { return roundingDivideByPOT(x, -exponent) }
        let threshold = Int32((1 << (31 - exponent)) - 1)
        if x > threshold { return Int32.max }
        if x < -threshold { return Int32.min }
        return x << Int32(exponent)
    }

    /// TFLite's Quantize for activation ranges: zeroPoint + round(f / scale) in float32.
    /// Nil when the result does not fit an Int32 (TFLite refuses the model then).
    static func quantize(_ value: Float, scale: Float, zeroPoint: Int32) -> Int32? {
        let rounded = FloatMath.round(value / scale)
        guard rounded >= -2_147_483_648, rounded < 2_147_483_648 else { return nil }
        return zeroPoint &+ Int32(rounded)
    }

    // MARK: Exponentials (LUT population)

    /// e^x in double precision (error below 2 ulp), without libm: x = k·ln 2 + r,
    /// |r| ≤ ln 2 / 2, a degree-13 Taylor polynomial for e^r. Overflows to infinity
    /// and underflows to 0 like exp.
    static func exp(_ x: Double) -> Double {
        if x != x { return x }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = FloatMath.round(x * 1.4426950408889634)
        // ln 2 in two parts, so k × high is exact.
        let r = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10
        var term = 1.0, sum = 1.0
        for n in 1...13 {
            term *= r / Double(n)
            sum += term
        }
        // 2^k in two steps, for k below the normal range.
        let half = Int(k) / 2
        return sum * Double(sign: .plus, exponent: half, significand: 1) * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
    }

    /// expf(x), rounded to float32 from the double result.
    static func exp(_ x: Float) -> Float { Float(exp(Double(x))) }
}

/// gemmlowp's fixed-point exp and reciprocal, used by the int8 SOFTMAX reference
/// kernel. Values are raw Int32 of a Qm.(31−m) format; the comments give m.
enum QuantizedFixedPoint {
    typealias Arithmetic = QuantizedArithmetic

    /// Q0 × Q0 → Q0 (any Qa × Qb → Qa+b: the same raw operation).
    @inline(__always)
    static func mul(_ a: Int32, _ b: Int32) -> Int32 { Arithmetic.saturatingRoundingDoublingHighMul(a, b) }

    /// Q0's "one": the largest raw value.
    static let one: Int32 = .max

    /// e^a for a in [−1/4, 0) (Q0 → Q0), a Taylor expansion around −1/8.
    static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
        let constantTerm: Int32 = 1_895_147_668  // e^(−1/8)
        let oneThird: Int32 = 715_827_883
        let x = a &+ (1 << 28)  // a + 1/8
        let x2 = mul(x, x)
        let x3 = mul(x2, x)
        let x4 = mul(x2, x2)
        let x4Over4 = Arithmetic.roundingDivideByPOT(x4, 2)
        let polynomial = Arithmetic.roundingDivideByPOT(mul(x4Over4 &+ x3, oneThird) &+ x2, 1)
        return constantTerm &+ mul(constantTerm, x &+ polynomial)
    }

    /// e^a for a ≤ 0 given in Q`integerBits` (1...30), result in Q0.
    static func expOnNegativeValues(_ a: Int32, integerBits: Int) -> Int32 {
        let fractionalBits = 31 - integerBits
        let oneQuarter = Int32(1) << Int32(fractionalBits - 2)
        let modQuarterMinusOneQuarter = (a & (oneQuarter &- 1)) &- oneQuarter
        var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
            Arithmetic.saturatingRoundingMultiplyByPOT(modQuarterMinusOneQuarter, integerBits))
        let remainder = modQuarterMinusOneQuarter &- a
        // e^(−2^k) in Q0 for k = −2...4, applied for each bit of the remainder.
        let multipliers: [(exponent: Int, value: Int32)] = [
            (-2, 1_672_461_947), (-1, 1_302_514_674), (0, 790_015_084), (1, 290_630_308),
            (2, 39_332_535), (3, 720_401), (4, 242),
        ]
        for (exponent, value) in multipliers where integerBits > exponent {
            if remainder & (Int32(1) << Int32(fractionalBits + exponent)) != 0 { result = mul(result, value) }
        }
        if integerBits > 5 {
            let clamp = -(Int32(1) << Int32(36 - integerBits))  // −32
            if a < clamp { result = 0 }
        }
        return a == 0 ? one : result
    }

    /// gemmlowp's RoundingHalfSum.
    @inline(__always)
    static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = Int64(a) + Int64(b)
        return Int32(truncatingIfNeeded: (sum + (sum >= 0 ? 1 : -1)) / 2)
    }

    /// 1 / (1 + a) for a in (0, 1) (Q0 → Q0): Newton-Raphson division.
    static func oneOverOnePlusXForXIn0And1(_ a: Int32) -> Int32 {
        let halfDenominator = roundingHalfSum(a, one)
        let fortyEightOver17: Int32 = 1_515_870_810  // Q2
        let minusThirtyTwoOver17: Int32 = -1_010_580_540  // Q2
        let twoOne: Int32 = 1 << 29  // 1 in Q2
        var x = fortyEightOver17 &+ mul(halfDenominator, minusThirtyTwoOver17)
        for _ in 0..<3 {
            let oneMinusHalfDenominatorTimesX = twoOne &- mul(halfDenominator, x)
            x = x &+ Arithmetic.saturatingRoundingMultiplyByPOT(mul(x, oneMinusHalfDenominatorTimesX), 2)
        }
        // x / 2 (Q2 read as Q1), then Q1 → Q0.
        return Arithmetic.saturatingRoundingMultiplyByPOT(x, 1)
    }

    /// TFLite's GetReciprocal: 1 / x for x in Q`integerDigits`, as a Q0 scale and the
    /// number of bits x has above 1.0.
    static func reciprocal(_ x: Int32, integerDigits: Int) -> (scale: Int32, bitsOverUnit: Int) {
        let headroomPlusOne = UInt32(bitPattern: x).leadingZeroBitCount
        let shifted = headroomPlusOne >= 32 ? 0 : UInt32(bitPattern: x) << UInt32(headroomPlusOne)
        let shiftedSumMinusOne = Int32(bitPattern: shifted &- (1 << 31))
        return (oneOverOnePlusXForXIn0And1(shiftedSumMinusOne), integerDigits - headroomPlusOne)
    }
}
