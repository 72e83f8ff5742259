/// The vector width of the SIMD kernels: 16 floats (four NEON registers, two AVX
/// registers, one AVX-512 register).
typealias FloatVector = SIMD16<Float>
let floatVectorWidth = 16

/// acc + a × b, fused where that is one instruction.
///
/// On arm64 `addingProduct` is NEON `fmla`. On x86 it is a libm `fmaf` call per
/// lane unless the build enables FMA, which Swift cannot detect at compile time:
/// the build says so with `-DTINYGRAPH_FMA` (set by `scripts/release-flags.sh`
/// together with `-target-cpu native`), else the plain form is used and LLVM emits
/// vmulps + vaddps (35 vs 1.6 GFLOP/s measured in a portable build). The fused
/// form halves the vector instructions: fruits 3.30 → 3.26 ms alone, 3.28 → 3.00 ms
/// with the 8-pixel blocks of `TINYGRAPH_AVX512`, whose 16 accumulators it keeps fed.
@inline(__always)
func multiplyAdd(_ acc: FloatVector, _ a: FloatVector, _ b: FloatVector) -> FloatVector {
    #if arch(arm64) || TINYGRAPH_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// The same on 8 lanes (the portable micro-kernel's half panels).
@inline(__always)
func multiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(arm64) || TINYGRAPH_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func storeVector(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: FloatVector.self)
}

/// Loads `count` (< 16) floats, the other lanes zero: for channel tails, so a
/// kernel never reads past the end of a tensor.
@inline(__always)
func loadPartialVector(_ pointer: UnsafePointer<Float>, count: Int) -> FloatVector {
    var vector = FloatVector()
    for lane in 0..<count { vector[lane] = pointer[lane] }
    return vector
}

@inline(__always)
func storePartialVector(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    // Halves and quarters as whole stores (a 24-channel tail is one 8-lane store),
    // then single lanes.
    let raw = UnsafeMutableRawPointer(pointer)
    var lane = 0
    if count >= 8 {
        raw.storeBytes(of: vector.lowHalf, as: SIMD8<Float>.self)
        lane = 8
    }
    if count &- lane >= 4 {
        let quarter = lane == 0 ? vector.lowHalf.lowHalf : vector.highHalf.lowHalf
        (raw + lane &* 4).storeBytes(of: quarter, as: SIMD4<Float>.self)
        lane &+= 4
    }
    while lane < count {
        pointer[lane] = vector[lane]
        lane &+= 1
    }
}

/// Fused activations of the SIMD epilogues, with comparisons and `replacing`
/// (the `clamped`/`pointwiseMax` forms lower to per-lane calls).
@inline(__always)
func activate(_ vector: FloatVector, _ activation: ConvolutionOp.Activation) -> FloatVector {
    switch activation {
    case .none:
        return vector
    case .relu:
        return vector.replacing(with: 0, where: vector .< 0)
    case .relu6:
        return vector.replacing(with: 0, where: vector .< 0).replacing(with: 6, where: vector .> 6)
    case .leakyRelu(let alpha):
        // x > 0 ? x : x * alpha, with NaN staying NaN as in TensorFlow's select.
        return vector.replacing(with: vector * alpha, where: vector .<= 0)
    }
}
