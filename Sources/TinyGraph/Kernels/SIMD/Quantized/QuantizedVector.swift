/// Vector helpers of the quantized kernels: 16 int32 lanes (four NEON registers,
/// two AVX2 ones, one AVX-512 one).
///
/// Widening and narrowing are written lane by lane in one initializer call:
/// LLVM turns that into one instruction (x86 vpmovsxwd, vpmovzxbd, vpmovdb; NEON
/// sshll, ushll, xtn), while the standard library's
/// `SIMD16<Int32>(truncatingIfNeeded:)` stays an out-of-line call in hot loops
/// (checked in the generated code with Swift 6.3.1).
typealias QuantizedVector = SIMD16<Int32>

@inline(__always)
func loadWidened(int16s p: UnsafeRawPointer) -> QuantizedVector {
    let v = p.loadUnaligned(as: SIMD16<Int16>.self)
    return QuantizedVector(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]),
                           Int32(v[8]), Int32(v[9]), Int32(v[10]), Int32(v[11]), Int32(v[12]), Int32(v[13]), Int32(v[14]), Int32(v[15]))
}

@inline(__always)
func loadWidened(bytes p: UnsafeRawPointer) -> QuantizedVector {
    let v = p.loadUnaligned(as: SIMD16<UInt8>.self)
    return QuantizedVector(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]),
                           Int32(v[8]), Int32(v[9]), Int32(v[10]), Int32(v[11]), Int32(v[12]), Int32(v[13]), Int32(v[14]), Int32(v[15]))
}

/// Lanes already in 0...255, as bytes.
@inline(__always)
func narrowToBytes(_ v: QuantizedVector) -> SIMD16<UInt8> {
    SIMD16<UInt8>(UInt8(truncatingIfNeeded: v[0]), UInt8(truncatingIfNeeded: v[1]), UInt8(truncatingIfNeeded: v[2]),
                  UInt8(truncatingIfNeeded: v[3]), UInt8(truncatingIfNeeded: v[4]), UInt8(truncatingIfNeeded: v[5]),
                  UInt8(truncatingIfNeeded: v[6]), UInt8(truncatingIfNeeded: v[7]), UInt8(truncatingIfNeeded: v[8]),
                  UInt8(truncatingIfNeeded: v[9]), UInt8(truncatingIfNeeded: v[10]), UInt8(truncatingIfNeeded: v[11]),
                  UInt8(truncatingIfNeeded: v[12]), UInt8(truncatingIfNeeded: v[13]), UInt8(truncatingIfNeeded: v[14]),
                  UInt8(truncatingIfNeeded: v[15]))
}

@inline(__always)
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
    var zeroPoint: QuantizedVector
    var minimum: QuantizedVector
    var maximum: QuantizedVector

    /// Lanes `channel ..< channel + 16` of per-channel tables (padded to whole vectors).
    @inline(__always)
    init(multipliers: UnsafePointer<Int32>, leftShifts: UnsafePointer<Int32>, rightShifts: UnsafePointer<Int32>,
         zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        multiplier = UnsafeRawPointer(multipliers).loadUnaligned(as: QuantizedVector.self)
        leftShift = UnsafeRawPointer(leftShifts).loadUnaligned(as: QuantizedVector.self)
        rightShift = UnsafeRawPointer(rightShifts).loadUnaligned(as: QuantizedVector.self)
        self.zeroPoint = QuantizedVector(repeating: zeroPoint)
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
    }

    /// One multiplier for every lane.
    @inline(__always)
    init(_ multiplier: QuantizedArithmetic.Multiplier, zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        self.multiplier = QuantizedVector(repeating: multiplier.value)
        leftShift = QuantizedVector(repeating: Int32(max(multiplier.shift, 0)))
        rightShift = QuantizedVector(repeating: Int32(max(-multiplier.shift, 0)))
        self.zeroPoint = QuantizedVector(repeating: zeroPoint)
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
    }

    /// The high half of a·m·2, rounded: (a·m + 2^30) >> 31 in 64-bit lanes.
    @inline(__always)
    static func doublingHighMultiply(_ a: QuantizedVector, _ m: QuantizedVector) -> QuantizedVector {
        let low = highProduct(
            SIMD8<Int64>(Int64(a[0]), Int64(a[1]), Int64(a[2]), Int64(a[3]), Int64(a[4]), Int64(a[5]), Int64(a[6]), Int64(a[7])),
            SIMD8<Int64>(Int64(m[0]), Int64(m[1]), Int64(m[2]), Int64(m[3]), Int64(m[4]), Int64(m[5]), Int64(m[6]), Int64(m[7])))
        let high = highProduct(
            SIMD8<Int64>(Int64(a[8]), Int64(a[9]), Int64(a[10]), Int64(a[11]), Int64(a[12]), Int64(a[13]), Int64(a[14]), Int64(a[15])),
            SIMD8<Int64>(Int64(m[8]), Int64(m[9]), Int64(m[10]), Int64(m[11]), Int64(m[12]), Int64(m[13]), Int64(m[14]), Int64(m[15])))
        return QuantizedVector(
            Int32(truncatingIfNeeded: low[0]), Int32(truncatingIfNeeded: low[1]), Int32(truncatingIfNeeded: low[2]),
            Int32(truncatingIfNeeded: low[3]), Int32(truncatingIfNeeded: low[4]), Int32(truncatingIfNeeded: low[5]),
            Int32(truncatingIfNeeded: low[6]), Int32(truncatingIfNeeded: low[7]), Int32(truncatingIfNeeded: high[0]),
            Int32(truncatingIfNeeded: high[1]), Int32(truncatingIfNeeded: high[2]), Int32(truncatingIfNeeded: high[3]),
            Int32(truncatingIfNeeded: high[4]), Int32(truncatingIfNeeded: high[5]), Int32(truncatingIfNeeded: high[6]),
            Int32(truncatingIfNeeded: high[7]))
    }

    @inline(__always)
    static func highProduct(_ a: SIMD8<Int64>, _ b: SIMD8<Int64>) -> SIMD8<Int64> {
        (a &* b &+ SIMD8<Int64>(repeating: 1 << 30)) &>> 31
    }

    /// gemmlowp's RoundingDivideByPOT with a per-lane exponent (0...31).
    @inline(__always)
    static func roundingDivideByPOT(_ x: QuantizedVector, _ exponent: QuantizedVector) -> QuantizedVector {
        let mask = (QuantizedVector(repeating: 1) &<< exponent) &- 1
        let remainder = x & mask
        let threshold = (mask &>> 1) &- (x &>> 31)
        // remainder > threshold ⇔ threshold − remainder < 0 (both in 0..<2^31).
        return (x &>> exponent) &- ((threshold &- remainder) &>> 31)
    }

    /// TFLite's MultiplyByQuantizedMultiplier, lane by lane.
    @inline(__always)
    static func multiply(_ x: QuantizedVector, _ multiplier: QuantizedVector, leftShift: QuantizedVector,
                         rightShift: QuantizedVector) -> QuantizedVector {
        roundingDivideByPOT(doublingHighMultiply(x &<< leftShift, multiplier), rightShift)
    }

    /// Requantized, zero point added, clamped: stored values 0...255 (as int32 lanes).
    @inline(__always)
    func apply(_ accumulator: QuantizedVector) -> QuantizedVector {
        clamp(Self.multiply(accumulator, multiplier, leftShift: leftShift, rightShift: rightShift) &+ zeroPoint)
    }

    @inline(__always)
    func clamp(_ value: QuantizedVector) -> QuantizedVector {
        var result = value
        result.replace(with: minimum, where: result .< minimum)
        result.replace(with: maximum, where: result .> maximum)
        return result
    }
}
