/// Float transcendental functions without libm (Embedded Swift has none).
///
/// All use the same scheme, chosen so that SIMD kernels can mirror it lane by lane:
/// range reduction x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2, so
/// k·ln2Hi is exact), a degree-8 Taylor polynomial for expm1(r) (truncation error
/// < 3e-10, far below float precision), and scaling by 2^k through the exponent
/// bits. No fused multiply-add is used (it would be a libm call on some targets).
/// Accuracy: within 2 ulp of correctly rounded results over the whole float range
/// (checked against Glibc in the elementwise tests). `squareRoot` is correctly rounded.
enum FloatMath {
    @usableFromInline static let log2e: Float = 1.44269504088896341
    /// ln2 = ln2Hi + ln2Lo; ln2Hi has 9 significant bits so k·ln2Hi is exact for |k| < 2^15.
    @usableFromInline static let ln2Hi: Float = 0.693359375
    @usableFromInline static let ln2Lo: Float = -2.12194440e-4

    /// Above this, exp and expm1 overflow to +inf (ln(Float.greatestFiniteMagnitude) ≈ 88.7228).
    @usableFromInline static let expOverflow: Float = 88.8
    /// Below this, exp underflows to 0 (ln(2^-150) ≈ -103.97).
    @usableFromInline static let expUnderflow: Float = -104

    /// k = x·log2(e) rounded to nearest (ties away from zero), for |x| ≤ 104.
    @inline(__always)
    static func reductionCount(_ x: Float) -> Int32 {
        let scaled = x * log2e
        return Int32(scaled + (scaled < 0 ? -0.5 : 0.5))
    }

    /// r = x − k·ln2, computed in two steps (the first is exact).
    @inline(__always)
    static func reduce(_ x: Float, _ k: Float) -> Float {
        (x - k * ln2Hi) - k * ln2Lo
    }

    /// expm1(r) for |r| ≤ ~0.35: r + r²·(1/2! + r/3! + … + r⁶/8!).
    @inline(__always)
    static func expm1Polynomial(_ r: Float) -> Float {
        var q: Float = 2.48015873015873016e-5  // 1/8!
        q = q * r + 1.98412698412698413e-4     // 1/7!
        q = q * r + 1.38888888888888889e-3     // 1/6!
        q = q * r + 8.33333333333333333e-3     // 1/5!
        q = q * r + 4.16666666666666667e-2     // 1/4!
        q = q * r + 1.66666666666666667e-1     // 1/3!
        q = q * r + 0.5                        // 1/2!
        return r + (r * r) * q
    }

    /// 2^k for -126 ≤ k ≤ 127, from the exponent bits.
    @inline(__always)
    static func powerOfTwo(_ k: Int32) -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: k &+ 127) << 23)
    }

    /// y·2^k for -150 ≤ k ≤ 128 and 0.5 ≤ y ≤ 2, rounded once (also into subnormals).
    @inline(__always)
    static func scale(_ y: Float, _ k: Int32) -> Float {
        if k > 127 { return y * powerOfTwo(127) * powerOfTwo(k &- 127) }
        if k < -126 { return y * powerOfTwo(k &+ 64) * powerOfTwo(-64) }
        return y * powerOfTwo(k)
    }

    /// e^x. NaN → NaN, overflow → +inf, underflow → 0 (through the subnormals).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        if !(x < expOverflow) { return x.isNaN ? x : .infinity }
        if x < expUnderflow { return 0 }
        let k = reductionCount(x)
        let r = reduce(x, Float(k))
        return scale(1 + expm1Polynomial(r), k)
    }

    /// e^x − 1, accurate near 0. NaN → NaN, overflow → +inf, x → -inf gives -1.
    @inline(__always)
    static func expm1(_ x: Float) -> Float {
        if !(x < expOverflow) { return x.isNaN ? x : .infinity }
        if x < -17.5 { return -1 }  // e^x < 2^-25: rounds to -1
        if x.magnitude <= 0.34657359 { return expm1Polynomial(x) }
        let k = reductionCount(x)
        let p = expm1Polynomial(reduce(x, Float(k)))
        if k > 24 { return scale(1 + p, k) - 1 }
        // 2^k·(1 + p) − 1 = 2^k·p + (2^k − 1); 2^k − 1 is exact for |k| ≤ 24.
        let twoK = powerOfTwo(k)
        return twoK * p + (twoK - 1)
    }

    /// tanh(x), saturating to exactly ±1 for |x| > 10. NaN → NaN.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let a = x.magnitude
        var t: Float
        if !(a <= 10) {
            if a.isNaN { return x }
            t = 1
        } else if a > 0.549306144 {  // ln(3)/2: result ≥ 0.5
            let e = expm1(2 * a)
            t = 1 - 2 / (e + 2)
        } else if a > 0.255412812 {  // ln(5/3)/2
            let e = expm1(2 * a)
            t = e / (e + 2)
        } else if a >= Float.leastNormalMagnitude {
            let e = expm1(-2 * a)
            t = -e / (e + 2)
        } else {
            t = a
        }
        return Float(signOf: x, magnitudeOf: t)
    }

    /// 1 / (1 + e^-x), as TensorFlow defines it; 1 for large x. Below -17, 1 + e^x
    /// rounds to 1, so the result is e^x itself (computed directly to keep it
    /// accurate down to the subnormals instead of overflowing e^-x).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x < -17 { return exp(x) }
        return 1 / (1 + exp(-x))
    }

    /// Correctly rounded √x (same bits as IEEE sqrt): ±0 → ±0, x < 0 → NaN, NaN → NaN, +inf → +inf.
    ///
    /// `Float.squareRoot()` would be shorter, but it compiles to `fsqrt` plus a call
    /// to libm's `sqrtf` on the NaN path (C's errno semantics), which leaves an
    /// undefined `sqrtf` symbol in Embedded builds. Here: Newton's method in Double
    /// from a bit-trick estimate, rounded to Float, then corrected exactly. The
    /// midpoints between neighbouring floats have 25 significant bits, so their
    /// squares are exact in Double and the comparisons with x decide the rounding
    /// (a tie is impossible: the square of a 25-bit odd significand has ≥ 49 bits).
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float {
        if !(x > 0) { return x == 0 ? x : .nan }
        if x == .infinity { return x }
        let target = Double(x)
        // Estimate within ~4% for normal x; subnormals are scaled up first.
        let normal = x < Float.leastNormalMagnitude ? x * 16777216 : x  // 2^24, undone below (√ = 2^12)
        var y = Double(Float(bitPattern: (normal.bitPattern >> 1) &+ 0x1FBD_1DF5))
        if x < Float.leastNormalMagnitude { y *= 1.0 / 4096 }
        for _ in 0..<5 { y = 0.5 * (y + target / y) }
        var result = Float(y)
        let above = (Double(result) + Double(result.nextUp)) * 0.5
        if above * above < target {
            result = result.nextUp
        } else {
            let below = (Double(result) + Double(result.nextDown)) * 0.5
            if below * below > target { result = result.nextDown }
        }
        return result
    }

    // MARK: Rounding
    // `Float.rounded` is a libm call (floorf, ceilf, roundf) where the CPU has no
    // rounding instruction (armv7), and Embedded builds link no libm.

    /// 2^23: every float at least this large is an integer.
    private static let integralThreshold: Float = 8_388_608

    /// Largest integer ≤ x (floorf).
    @inline(__always)
    static func floor(_ x: Float) -> Float {
        guard abs(x) < integralThreshold else { return x }  // integral, infinite or NaN
        let truncated = Float(Int32(x))
        return truncated > x ? truncated - 1 : truncated
    }

    /// Smallest integer ≥ x (ceilf).
    @inline(__always)
    static func ceil(_ x: Float) -> Float {
        guard abs(x) < integralThreshold else { return x }
        let truncated = Float(Int32(x))
        return truncated < x ? truncated + 1 : truncated
    }

    /// Nearest integer, halfway cases away from zero (roundf).
    @inline(__always)
    static func round(_ x: Float) -> Float {
        guard abs(x) < integralThreshold else { return x }
        let truncated = Float(Int32(x))
        let fraction = x - truncated  // exact: the fractional part of a float is a float
        if fraction >= 0.5 { return truncated + 1 }
        if fraction <= -0.5 { return truncated - 1 }
        return truncated
    }

    // Double precision, for quantization parameters and lookup tables built at load.

    /// 2^52: every double at least this large is an integer.
    private static let integralThresholdDouble: Double = 4_503_599_627_370_496

    /// Nearest integer, halfway cases away from zero (round).
    @inline(__always)
    static func round(_ x: Double) -> Double {
        guard abs(x) < integralThresholdDouble else { return x }  // integral, infinite or NaN
        let truncated = Double(Int64(x))
        let fraction = x - truncated  // exact
        if fraction >= 0.5 { return truncated + 1 }
        if fraction <= -0.5 { return truncated - 1 }
        return truncated
    }

    /// Largest integer ≤ x (floor).
    @inline(__always)
    static func floor(_ x: Double) -> Double {
        guard abs(x) < integralThresholdDouble else { return x }
        let truncated = Double(Int64(x))
        return truncated > x ? truncated - 1 : truncated
    }

    /// x without its fractional part (trunc).
    @inline(__always)
    static func trunc(_ x: Double) -> Double {
        guard abs(x) < integralThresholdDouble else { return x }
        return Double(Int64(x))
    }
}
