/// Vector helpers of the quantized kernels: 16 int32 lanes (four NEON registers,
/// two AVX2 ones, one AVX-512 one).
///
/// Widening and narrowing are written lane by lane in one initializer call:
/// LLVM turns that into one instruction (x86 vpmovsxwd, vpmovzxbd, vpmovdb; NEON
/// sshll, ushll, xtn), while the standard library's
/// `SIMD16<Int32>(truncatingIfNeeded:)` stays an out-of-line call in hot loops
/// (checked in the generated code with Swift 6.3.1).
typealias QuantizedVector = SIMD16<Int32>

@_transparent
func loadWidened(int16s p: UnsafeRawPointer) -> QuantizedVector {
    let v = p.loadUnaligned(as: SIMD16<Int16>.self)
    return QuantizedVector(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]),
                           Int32(v[8]), Int32(v[9]), Int32(v[10]), Int32(v[11]), Int32(v[12]), Int32(v[13]), Int32(v[14]), Int32(v[15]))
}

@_transparent
func loadWidened(bytes p: UnsafeRawPointer) -> QuantizedVector {
    let v = p.loadUnaligned(as: SIMD16<UInt8>.self)
    return QuantizedVector(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]),
                           Int32(v[8]), Int32(v[9]), Int32(v[10]), Int32(v[11]), Int32(v[12]), Int32(v[13]), Int32(v[14]), Int32(v[15]))
}

/// Lanes already in 0...255, as bytes.
@_transparent
func narrowToBytes(_ v: QuantizedVector) -> SIMD16<UInt8> {
    SIMD16<UInt8>(UInt8(truncatingIfNeeded: v[0]), UInt8(truncatingIfNeeded: v[1]), UInt8(truncatingIfNeeded: v[2]),
                  UInt8(truncatingIfNeeded: v[3]), UInt8(truncatingIfNeeded: v[4]), UInt8(truncatingIfNeeded: v[5]),
                  UInt8(truncatingIfNeeded: v[6]), UInt8(truncatingIfNeeded: v[7]), UInt8(truncatingIfNeeded: v[8]),
                  UInt8(truncatingIfNeeded: v[9]), UInt8(truncatingIfNeeded: v[10]), UInt8(truncatingIfNeeded: v[11]),
                  UInt8(truncatingIfNeeded: v[12]), UInt8(truncatingIfNeeded: v[13]), UInt8(truncatingIfNeeded: v[14]),
                  UInt8(truncatingIfNeeded: v[15]))
}

@_transparent
func storeBytes(_ v: SIMD16<UInt8>, _ p: UnsafeMutablePointer<UInt8>, count: Int) {
    if count >= 16 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<UInt8>.self)
        return
    }
    var lane = 0
    if count >= 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: v.lowHalf, as: SIMD8<UInt8>.self)
        lane = 8
    }
    while lane < count {
        p[lane] = v[lane]
        lane &+= 1
    }
}

/// TFLite's requantization of 16 accumulators at a time, each lane with its own
/// multiplier and shifts (per-channel), bit-exact with
/// `QuantizedArithmetic.multiply`: the doubling high multiply is (a·m + 2^30) >> 31
/// (exact for every multiplier TFLite makes: m is never Int32.min), the rounding
/// right shift adds one where the remainder passes half (away from zero).
struct QuantizedRequantizer {
    var multiplier: QuantizedVector
    var leftShift: QuantizedVector
    var rightShift: QuantizedVector
    /// 2^rightShift − 1, and half of it: the rounding's remainder mask and threshold.
    var mask: QuantizedVector
    var halfMask: QuantizedVector
    var zeroPoint: QuantizedVector
    var minimum: QuantizedVector
    var maximum: QuantizedVector
    /// Whether any lane shifts left (multipliers of 1 and more; convolutions have none).
    var shiftsLeft: Bool

    /// Lanes `channel ..< channel + 16` of per-channel tables (padded to whole vectors).
    @_transparent
    init(multipliers: UnsafePointer<Int32>, leftShifts: UnsafePointer<Int32>, rightShifts: UnsafePointer<Int32>,
         zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        multiplier = UnsafeRawPointer(multipliers).loadUnaligned(as: QuantizedVector.self)
        leftShift = UnsafeRawPointer(leftShifts).loadUnaligned(as: QuantizedVector.self)
        rightShift = UnsafeRawPointer(rightShifts).loadUnaligned(as: QuantizedVector.self)
        mask = (QuantizedVector(repeating: 1) &<< rightShift) &- 1
        halfMask = mask &>> 1
        self.zeroPoint = QuantizedVector(repeating: zeroPoint)
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
        shiftsLeft = leftShift != QuantizedVector()
    }

    /// One multiplier for every lane.
    @_transparent
    init(_ multiplier: QuantizedArithmetic.Multiplier, zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        self.multiplier = QuantizedVector(repeating: multiplier.value)
        leftShift = QuantizedVector(repeating: Int32(max(multiplier.shift, 0)))
        rightShift = QuantizedVector(repeating: Int32(max(-multiplier.shift, 0)))
        mask = (QuantizedVector(repeating: 1) &<< rightShift) &- 1
        halfMask = mask &>> 1
        self.zeroPoint = QuantizedVector(repeating: zeroPoint)
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
        shiftsLeft = multiplier.shift > 0
    }

    /// The high half of a·m·2, rounded: (a·m + 2^30) >> 31, with 32×32 → 64-bit
    /// multiplies of the even lanes and of the odd ones (x86 vpmuldq), as int64
    /// lanes of the same registers.
    @_transparent
    static func doublingHighMultiply(_ a: QuantizedVector, _ m: QuantizedVector) -> QuantizedVector {
        let wideA = unsafeBitCast(a, to: SIMD8<Int64>.self)
        let wideM = unsafeBitCast(m, to: SIMD8<Int64>.self)
        let round = SIMD8<Int64>(repeating: 1 << 30)
        let even = ((wideA &<< 32) &>> 32) &* ((wideM &<< 32) &>> 32) &+ round
        let odd = (wideA &>> 32) &* (wideM &>> 32) &+ round
        let merged = ((even &>> 31) & SIMD8<Int64>(repeating: 0xFFFF_FFFF)) | ((odd &>> 31) &<< 32)
        return unsafeBitCast(merged, to: QuantizedVector.self)
    }

    /// gemmlowp's RoundingDivideByPOT with a per-lane exponent, its mask and half mask.
    @_transparent
    static func roundingDivideByPOT(_ x: QuantizedVector, _ exponent: QuantizedVector, mask: QuantizedVector,
                                    halfMask: QuantizedVector) -> QuantizedVector {
        let remainder = x & mask
        let threshold = halfMask &- (x &>> 31)
        // remainder > threshold ⇔ threshold − remainder < 0 (both in 0..<2^31).
        return (x &>> exponent) &- ((threshold &- remainder) &>> 31)
    }

    /// TFLite's MultiplyByQuantizedMultiplier, lane by lane.
    @_transparent
    func multiply(_ x: QuantizedVector) -> QuantizedVector {
        let shifted = shiftsLeft ? x &<< leftShift : x
        return Self.roundingDivideByPOT(Self.doublingHighMultiply(shifted, multiplier), rightShift, mask: mask, halfMask: halfMask)
    }

    /// Requantized, zero point added, clamped: stored values 0...255 (as int32 lanes).
    @_transparent
    func apply(_ accumulator: QuantizedVector) -> QuantizedVector {
        clamp(multiply(accumulator) &+ zeroPoint)
    }

    @_transparent
    func clamp(_ value: QuantizedVector) -> QuantizedVector {
        var result = value
        result.replace(with: minimum, where: result .< minimum)
        result.replace(with: maximum, where: result .> maximum)
        return result
    }
}
