#if TINYGRAPH_VNNI
// AVX-512 VNNI builds only (`scripts/release-flags.sh` sets TINYGRAPH_VNNI and
// `-enable-experimental-feature BuiltinModule` for CPUs with avx512_vnni): LLVM
// does not form vpdpbusd from plain vector code, so its intrinsic is called
// through the Builtin module. Every other build uses the portable micro-kernel.
import Builtin

/// acc + Σ of 4 products per lane: unsigned bytes of `unsignedBytes` times signed
/// bytes of `signedBytes` (vpdpbusd; the sum wraps, the products never saturate).
@inline(__always)
func dotProductAccumulate(_ accumulator: QuantizedVector, _ unsignedBytes: QuantizedVector, _ signedBytes: QuantizedVector) -> QuantizedVector {
    var result = accumulator
    result._storage._value = Builtin.int_x86_avx512_vpdpbusd_512(
        accumulator._storage._value, unsignedBytes._storage._value, signedBytes._storage._value)
    return result
}

/// The VNNI micro-kernel of `SIMDQuantizedConvolution`: 8 pixels × 32 channels
/// (two panels) in 16 zmm accumulators; each step broadcasts 4 input bytes of a
/// pixel and multiplies them with a group of 4 rows × 16 channels of int8 weights.
enum SIMDQuantizedConvolutionVNNI {
    static let pixelBlock = 8

    @inline(__always)
    static func block(
        _ weights: PackedQuantizedWeights, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int, _ epilogue: QuantizedOutput
    ) {
        var panel = 0
        while panel &+ 2 <= weights.panelCount {
            twoPanels(weights, panel, rows, valid: valid, output, pixelStride: pixelStride, epilogue)
            panel &+= 2
        }
        if panel < weights.panelCount {
            onePanel(weights, panel, rows, valid: valid, output, pixelStride: pixelStride, epilogue)
        }
    }

    @inline(__always)
    static func input(_ row: UnsafePointer<UInt8>, _ group: Int) -> QuantizedVector {
        QuantizedVector(repeating: UnsafeRawPointer(row).loadUnaligned(fromByteOffset: group &* 4, as: Int32.self))
    }

    @inline(never)
    static func twoPanels(
        _ weights: PackedQuantizedWeights, _ panel: Int, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int, _ epilogue: QuantizedOutput
    ) {
        let width = PackedQuantizedWeights.panelWidth
        let baseA = UnsafeRawPointer(weights.bytes + panel &* weights.panelStride)
        let baseB = baseA + weights.panelStride
        let biasA = baseA.loadUnaligned(as: QuantizedVector.self), biasB = baseB.loadUnaligned(as: QuantizedVector.self)
        var a0 = biasA, a1 = biasA, a2 = biasA, a3 = biasA, a4 = biasA, a5 = biasA, a6 = biasA, a7 = biasA
        var b0 = biasB, b1 = biasB, b2 = biasB, b3 = biasB, b4 = biasB, b5 = biasB, b6 = biasB, b7 = biasB
        let (r0, r1, r2, r3, r4, r5, r6, r7) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
        var wA = baseA + 4 &* width, wB = baseB + 4 &* width
        for group in 0..<(weights.depth / 4) {
            let va = wA.loadUnaligned(as: QuantizedVector.self), vb = wB.loadUnaligned(as: QuantizedVector.self)
            var x = input(r0, group)
            a0 = dotProductAccumulate(a0, x, va); b0 = dotProductAccumulate(b0, x, vb)
            x = input(r1, group)
            a1 = dotProductAccumulate(a1, x, va); b1 = dotProductAccumulate(b1, x, vb)
            x = input(r2, group)
            a2 = dotProductAccumulate(a2, x, va); b2 = dotProductAccumulate(b2, x, vb)
            x = input(r3, group)
            a3 = dotProductAccumulate(a3, x, va); b3 = dotProductAccumulate(b3, x, vb)
            x = input(r4, group)
            a4 = dotProductAccumulate(a4, x, va); b4 = dotProductAccumulate(b4, x, vb)
            x = input(r5, group)
            a5 = dotProductAccumulate(a5, x, va); b5 = dotProductAccumulate(b5, x, vb)
            x = input(r6, group)
            a6 = dotProductAccumulate(a6, x, va); b6 = dotProductAccumulate(b6, x, vb)
            x = input(r7, group)
            a7 = dotProductAccumulate(a7, x, va); b7 = dotProductAccumulate(b7, x, vb)
            wA += 4 &* width
            wB += 4 &* width
        }
        let channel = panel &* width
        let first = Epilogue(weights, channel: channel, output, pixelStride: pixelStride, epilogue)
        first.store(a0, 0, valid); first.store(a1, 1, valid); first.store(a2, 2, valid); first.store(a3, 3, valid)
        first.store(a4, 4, valid); first.store(a5, 5, valid); first.store(a6, 6, valid); first.store(a7, 7, valid)
        let second = Epilogue(weights, channel: channel &+ width, output, pixelStride: pixelStride, epilogue)
        second.store(b0, 0, valid); second.store(b1, 1, valid); second.store(b2, 2, valid); second.store(b3, 3, valid)
        second.store(b4, 4, valid); second.store(b5, 5, valid); second.store(b6, 6, valid); second.store(b7, 7, valid)
    }

    @inline(never)
    static func onePanel(
        _ weights: PackedQuantizedWeights, _ panel: Int, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int, _ epilogue: QuantizedOutput
    ) {
        let width = PackedQuantizedWeights.panelWidth
        let base = UnsafeRawPointer(weights.bytes + panel &* weights.panelStride)
        let bias = base.loadUnaligned(as: QuantizedVector.self)
        var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
        let (r0, r1, r2, r3, r4, r5, r6, r7) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
        var w = base + 4 &* width
        for group in 0..<(weights.depth / 4) {
            let v = w.loadUnaligned(as: QuantizedVector.self)
            a0 = dotProductAccumulate(a0, input(r0, group), v)
            a1 = dotProductAccumulate(a1, input(r1, group), v)
            a2 = dotProductAccumulate(a2, input(r2, group), v)
            a3 = dotProductAccumulate(a3, input(r3, group), v)
            a4 = dotProductAccumulate(a4, input(r4, group), v)
            a5 = dotProductAccumulate(a5, input(r5, group), v)
            a6 = dotProductAccumulate(a6, input(r6, group), v)
            a7 = dotProductAccumulate(a7, input(r7, group), v)
            w += 4 &* width
        }
        let panelEpilogue = Epilogue(weights, channel: panel &* width, output, pixelStride: pixelStride, epilogue)
        panelEpilogue.store(a0, 0, valid); panelEpilogue.store(a1, 1, valid); panelEpilogue.store(a2, 2, valid)
        panelEpilogue.store(a3, 3, valid); panelEpilogue.store(a4, 4, valid); panelEpilogue.store(a5, 5, valid)
        panelEpilogue.store(a6, 6, valid); panelEpilogue.store(a7, 7, valid)
    }

    /// One panel's requantization and stores.
    struct Epilogue {
        let weights: PackedQuantizedWeights
        let channel: Int
        let count: Int
        let output: UnsafeMutablePointer<UInt8>
        let pixelStride: Int
        let epilogue: QuantizedOutput
        let requantizer: QuantizedRequantizer

        @inline(__always)
        init(_ weights: PackedQuantizedWeights, channel: Int, _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int,
             _ epilogue: QuantizedOutput) {
            self.weights = weights
            self.channel = channel
            count = min(PackedQuantizedWeights.panelWidth, weights.outChannels &- channel)
            self.output = output + channel
            self.pixelStride = pixelStride
            self.epilogue = epilogue
            requantizer = SIMDQuantizedConvolution.requantizer(weights, channel: channel, epilogue)
        }

        @inline(__always)
        func store(_ accumulator: QuantizedVector, _ pixel: Int, _ valid: Int) {
            guard pixel < valid else { return }
            if weights.doubleScales != nil {
                SIMDQuantizedConvolution.finishDouble(accumulator, pixel: pixel, weights, channel: channel, count: count, output,
                                                      pixelStride: pixelStride, valid: valid, epilogue)
                return
            }
            storeBytes(narrowToBytes(requantizer.apply(accumulator)), output + pixel &* pixelStride, count: count)
        }
    }
}
#endif
