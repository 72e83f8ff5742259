#if TINYGRAPH_VNNI
import Builtin
#endif

/// TFLite's requantization of 16 int32 accumulators at a time, each lane with its
/// own multiplier (per-channel), bit-exact with `QuantizedArithmetic.multiply`.
///
/// TFLite rounds twice: the doubling high multiply q = ⌊(a·m + 2^30) / 2^31⌋, then
/// a right shift by e rounded half away from zero. For e ≥ 1 both come down to one
/// shift of the 64-bit product, ⌊(a·m + 2^30 + 2^(30+e) − [a·m < −2^30]·2^31) / 2^(31+e)⌋
/// (the second rounding's half, and its correction for negative q, moved inside
/// the first floor: ⌊(⌊x⌋ + c) / n⌋ = ⌊(x + c) / n⌋ for whole c and n). Adding
/// zp·2^(31+e) inside adds the output zero point too. The products are 32×32 → 64
/// bits of the even lanes and of the odd lanes (x86 vpmuldq) in int64 lanes of the
/// same registers; the per-lane constants come from a `RequantizationTable`.
///
/// The bytes: the int32 lanes are clamped to the activation's range (a subrange of
/// 0...255) and narrowed. In `TINYGRAPH_VNNI` builds (AVX-512, the Builtin module at
/// hand) that is LLVM's smax, smin and truncation: vpmaxsd, vpminsd, vpmovdb, three
/// instructions where the select form and a saturating narrowing took six.
struct QuantizedRequantizer {
    var multiplier: QuantizedVector
    var leftShift: QuantizedVector
    var addEven: SIMD8<Int64>
    var addOdd: SIMD8<Int64>
    var correctionEven: SIMD8<Int64>
    var correctionOdd: SIMD8<Int64>
    var shiftEven: SIMD8<Int64>
    var shiftOdd: SIMD8<Int64>
    /// Added after the shift: the zero point (its narrowing offset) when the addends
    /// could not take it, else 0.
    var offset: QuantizedVector
    var minimum: QuantizedVector
    var maximum: QuantizedVector
    var shiftsLeft: Bool
    /// Whether negative products need the rounding's correction. They do not when
    /// the clamp's minimum is at or above the zero point (ReLU, ReLU6): a negative
    /// accumulator's result is ≤ 0 with or without it, so the clamp gives the
    /// minimum either way. Saves a compare and a masked subtract per 8 lanes.
    var correctsNegative: Bool

    /// Channels `group ..< group + 16` of a table (group a multiple of 16).
    @_transparent
    init(_ table: RequantizationTable.Pointer, group: Int, zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        let base = table.base + (group / 16) &* RequantizationTable.groupBytes
        multiplier = base.loadUnaligned(as: QuantizedVector.self)
        leftShift = base.loadUnaligned(fromByteOffset: 64, as: QuantizedVector.self)
        addEven = base.loadUnaligned(fromByteOffset: 128, as: SIMD8<Int64>.self)
        addOdd = base.loadUnaligned(fromByteOffset: 192, as: SIMD8<Int64>.self)
        correctionEven = base.loadUnaligned(fromByteOffset: 256, as: SIMD8<Int64>.self)
        correctionOdd = base.loadUnaligned(fromByteOffset: 320, as: SIMD8<Int64>.self)
        shiftEven = base.loadUnaligned(fromByteOffset: 384, as: SIMD8<Int64>.self)
        shiftOdd = base.loadUnaligned(fromByteOffset: 448, as: SIMD8<Int64>.self)
        let added = zeroPoint
        if table.foldsZeroPoint {
            let wide = SIMD8<Int64>(repeating: Int64(added))
            addEven &+= wide &<< shiftEven
            addOdd &+= wide &<< shiftOdd
            offset = QuantizedVector()
        } else {
            offset = QuantizedVector(repeating: added)
        }
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
        shiftsLeft = table.shiftsLeft
        correctsNegative = minimum < zeroPoint
    }

    /// One multiplier for every lane (elementwise ops), the output's zero point and
    /// clamp (stored domain, 0...255).
    @_transparent
    init(_ multiplier: QuantizedArithmetic.Multiplier, zeroPoint: Int32, minimum: Int32, maximum: Int32) {
        self.init(multiplier, added: zeroPoint)
        self.minimum = QuantizedVector(repeating: minimum)
        self.maximum = QuantizedVector(repeating: maximum)
        correctsNegative = minimum < zeroPoint
    }

    /// A multiplier alone, for `multiply` (ADD's input rescaling): no zero point.
    @_transparent
    static func scaling(_ multiplier: QuantizedArithmetic.Multiplier) -> QuantizedRequantizer {
        QuantizedRequantizer(multiplier, added: 0)
    }

    @_transparent
    init(_ multiplier: QuantizedArithmetic.Multiplier, added: Int32) {
        let constants = RequantizationTable.Constants(multiplier)
        self.multiplier = QuantizedVector(repeating: multiplier.value)
        leftShift = QuantizedVector(repeating: Int32(max(multiplier.shift, 0)))
        addEven = SIMD8<Int64>(repeating: constants.add)
        correctionEven = SIMD8<Int64>(repeating: constants.correction)
        correctionOdd = correctionEven
        shiftEven = SIMD8<Int64>(repeating: constants.shift)
        shiftOdd = shiftEven
        if constants.canFoldZeroPoint {
            addEven &+= SIMD8<Int64>(repeating: Int64(added) << constants.shift)
            offset = QuantizedVector()
        } else {
            offset = QuantizedVector(repeating: added)
        }
        addOdd = addEven
        minimum = QuantizedVector()
        maximum = QuantizedVector()
        shiftsLeft = multiplier.shift > 0
        correctsNegative = true
    }

    /// TFLite's MultiplyByQuantizedMultiplier of each lane, plus what the addends
    /// hold of the zero point (for `scaling`, nothing).
    @_transparent
    func multiply(_ x: QuantizedVector) -> QuantizedVector {
        multiply(x, shiftsLeft: shiftsLeft, correctsNegative: correctsNegative)
    }

    /// `multiply` with the left shift's presence and the negative correction
    /// constants the caller's loop can be specialized on.
    @_transparent
    func multiply(_ x: QuantizedVector, shiftsLeft: Bool, correctsNegative: Bool) -> QuantizedVector {
        let shifted = shiftsLeft ? x &<< leftShift : x
        let a = unsafeBitCast(shifted, to: SIMD8<Int64>.self)
        let m = unsafeBitCast(multiplier, to: SIMD8<Int64>.self)
        let even = ((a &<< 32) &>> 32) &* ((m &<< 32) &>> 32)
        let odd = (a &>> 32) &* (m &>> 32)
        let threshold = SIMD8<Int64>(repeating: -(1 << 30))
        var roundedEven = even &+ addEven
        var roundedOdd = odd &+ addOdd
        if correctsNegative {
            roundedEven.replace(with: roundedEven &- correctionEven, where: even .< threshold)
            roundedOdd.replace(with: roundedOdd &- correctionOdd, where: odd .< threshold)
        }
        let merged = ((roundedEven &>> shiftEven) & SIMD8<Int64>(repeating: 0xFFFF_FFFF)) | ((roundedOdd &>> shiftOdd) &<< 32)
        return unsafeBitCast(merged, to: QuantizedVector.self) &+ offset
    }

    /// Requantized, zero point added, clamped: the stored bytes.
    @_transparent
    func bytes(_ accumulator: QuantizedVector) -> SIMD16<UInt8> {
        bytes(accumulator, shiftsLeft: shiftsLeft, correctsNegative: correctsNegative)
    }

    @_transparent
    func bytes(_ accumulator: QuantizedVector, shiftsLeft: Bool, correctsNegative: Bool) -> SIMD16<UInt8> {
        #if TINYGRAPH_VNNI
        return clampedNarrowToBytes(multiply(accumulator, shiftsLeft: shiftsLeft, correctsNegative: correctsNegative), minimum, maximum)
        #else
        var value = multiply(accumulator, shiftsLeft: shiftsLeft, correctsNegative: correctsNegative)
        value.replace(with: minimum, where: value .< minimum)
        value.replace(with: maximum, where: value .> maximum)
        return narrowToBytes(value)
        #endif
    }
}

#if TINYGRAPH_VNNI
/// v clamped to minimum...maximum (inside 0...255) and narrowed to bytes, through
/// LLVM's smax, smin and truncation (the standard library's clamping conversions
/// branch lane by lane).
@_transparent
func clampedNarrowToBytes(_ v: QuantizedVector, _ minimum: QuantizedVector, _ maximum: QuantizedVector) -> SIMD16<UInt8> {
    var clamped = v
    clamped._storage._value = Builtin.int_smin_Vec16xInt32(
        Builtin.int_smax_Vec16xInt32(v._storage._value, minimum._storage._value), maximum._storage._value)
    var result = SIMD16<UInt8>()
    result._storage._value = Builtin.trunc_Vec16xInt32_Vec16xInt8(clamped._storage._value)
    return result
}
#endif

/// The per-channel constants of `QuantizedRequantizer`, 16 channels per 512-byte
/// group: multipliers and left shifts (int32 × 16), then the int64 addends,
/// corrections and shifts of the even lanes and of the odd lanes (× 8 each). The
/// output's zero point is not in the table: the requantizer adds it to the addends.
final class RequantizationTable {
    static let groupBytes = 512

    /// One channel's constants.
    struct Constants {
        var add: Int64
        var correction: Int64
        var shift: Int64
        /// zp·2^(31+e) keeps the sum inside int64 (|a·m| ≤ 2^62, |zp| < 2^9) while e ≤ 22.
        var canFoldZeroPoint: Bool

        /// e = the right shift: e = 0 is the doubling high multiply alone.
        init(_ multiplier: QuantizedArithmetic.Multiplier) {
            let e = Int64(max(-multiplier.shift, 0))
            add = e == 0 ? 1 << 30 : (1 << 30) + (1 << (30 + e))
            correction = e == 0 ? 0 : 1 << 31
            shift = 31 + e
            canFoldZeroPoint = e <= 22
        }
    }

    /// What the kernels read: no class reference.
    struct Pointer {
        let base: UnsafeRawPointer
        let shiftsLeft: Bool
        let foldsZeroPoint: Bool
    }

    let storage: TensorBuffer
    /// Whether any channel shifts left (multipliers of 1 and more; convolutions have none).
    let shiftsLeft: Bool
    /// Whether every channel can take the zero point inside its shift.
    let foldsZeroPoint: Bool

    var pointer: Pointer { Pointer(base: UnsafeRawPointer(storage.bytes), shiftsLeft: shiftsLeft, foldsZeroPoint: foldsZeroPoint) }

    init(_ multipliers: [QuantizedArithmetic.Multiplier]) {
        let groups = (multipliers.count + 15) / 16
        storage = TensorBuffer(byteCount: max(groups, 1) * Self.groupBytes)
        shiftsLeft = multipliers.contains { $0.shift > 0 }
        foldsZeroPoint = multipliers.allSatisfy { Constants($0).canFoldZeroPoint }
        for (channel, multiplier) in multipliers.enumerated() {
            let group = storage.bytes + (channel / 16) * Self.groupBytes
            let lane = channel % 16
            let constants = Constants(multiplier)
            group.storeBytes(of: multiplier.value, toByteOffset: 4 * lane, as: Int32.self)
            group.storeBytes(of: Int32(max(multiplier.shift, 0)), toByteOffset: 64 + 4 * lane, as: Int32.self)
            let half = lane % 2 == 0 ? 0 : 64, index = 8 * (lane / 2)
            group.storeBytes(of: constants.add, toByteOffset: 128 + half + index, as: Int64.self)
            group.storeBytes(of: constants.correction, toByteOffset: 256 + half + index, as: Int64.self)
            group.storeBytes(of: constants.shift, toByteOffset: 384 + half + index, as: Int64.self)
        }
        // Padding lanes: multiplier 0 and shift 31 (any finite result, never stored).
        for channel in multipliers.count..<(max(groups, 1) * 16) {
            let group = storage.bytes + (channel / 16) * Self.groupBytes
            let lane = channel % 16
            let half = lane % 2 == 0 ? 0 : 64, index = 8 * (lane / 2)
            group.storeBytes(of: Int64(31), toByteOffset: 384 + half + index, as: Int64.self)
        }
    }
}
