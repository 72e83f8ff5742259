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
