#if TINYGRAPH_VNNI
// AVX-512 VNNI builds only (`scripts/release-flags.sh` sets TINYGRAPH_VNNI and
// `-enable-experimental-feature BuiltinModule` for CPUs with avx512_vnni): LLVM
// does not form vpdpbusd from plain vector code, so its intrinsic is called
// through the Builtin module. Every other build uses the portable micro-kernel.
import Builtin

/// acc + Σ of 4 products per lane: unsigned bytes of `unsignedBytes` times signed
/// bytes of `signedBytes` (vpdpbusd; the sum wraps, the products never saturate).
@_transparent
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

    @_transparent
    static func block(
        _ panels: QuantizedPanels, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int
    ) {
        var panel = 0
        while panel &+ 2 <= panels.panelCount {
            twoPanels(panels, panel, rows, valid: valid, output, pixelStride: pixelStride)
            panel &+= 2
        }
        if panel < panels.panelCount {
            onePanel(panels, panel, rows, valid: valid, output, pixelStride: pixelStride)
        }
    }

    @_transparent
    static func input(_ row: UnsafePointer<UInt8>, _ group: Int) -> QuantizedVector {
        QuantizedVector(repeating: UnsafeRawPointer(row).loadUnaligned(fromByteOffset: group &* 4, as: Int32.self))
    }

    @inline(never)
    static func twoPanels(
        _ panels: QuantizedPanels, _ panel: Int, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int
    ) {
        let width = PackedQuantizedWeights.panelWidth
        let baseA = panels.panel(panel), baseB = panels.panel(panel &+ 1)
        let biasA = baseA.loadUnaligned(as: QuantizedVector.self), biasB = baseB.loadUnaligned(as: QuantizedVector.self)
        var a0 = biasA, a1 = biasA, a2 = biasA, a3 = biasA, a4 = biasA, a5 = biasA, a6 = biasA, a7 = biasA
        var b0 = biasB, b1 = biasB, b2 = biasB, b3 = biasB, b4 = biasB, b5 = biasB, b6 = biasB, b7 = biasB
        let (r0, r1, r2, r3, r4, r5, r6, r7) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
        var wA = baseA + 4 &* width, wB = baseB + 4 &* width
        for group in 0..<(panels.depth / 4) {
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
        storePixels(panels, a0, a1, a2, a3, a4, a5, a6, a7, channel: channel, valid: valid, output, pixelStride: pixelStride)
        storePixels(panels, b0, b1, b2, b3, b4, b5, b6, b7, channel: channel &+ width, valid: valid, output, pixelStride: pixelStride)
    }

    @inline(never)
    static func onePanel(
        _ panels: QuantizedPanels, _ panel: Int, _ rows: UnsafeMutablePointer<UnsafePointer<UInt8>>, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int
    ) {
        let width = PackedQuantizedWeights.panelWidth
        let base = panels.panel(panel)
        let bias = base.loadUnaligned(as: QuantizedVector.self)
        var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
        let (r0, r1, r2, r3, r4, r5, r6, r7) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
        var w = base + 4 &* width
        for group in 0..<(panels.depth / 4) {
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
        storePixels(panels, a0, a1, a2, a3, a4, a5, a6, a7, channel: panel &* width, valid: valid, output, pixelStride: pixelStride)
    }

    /// Sums of one row for panels `first ..< first + count` (at most 4).
    @_transparent
    static func onePixel(_ panels: QuantizedPanels, first: Int, count: Int, _ row: UnsafePointer<UInt8>,
                         into sums: UnsafeMutablePointer<QuantizedVector>) {
        let width = PackedQuantizedWeights.panelWidth
        let bases = panels.fourPanels(first: first, count: count)
        var a0 = bases.0.loadUnaligned(as: QuantizedVector.self), a1 = bases.1.loadUnaligned(as: QuantizedVector.self)
        var a2 = bases.2.loadUnaligned(as: QuantizedVector.self), a3 = bases.3.loadUnaligned(as: QuantizedVector.self)
        var offset = 4 &* width
        for group in 0..<(panels.depth / 4) {
            let x = input(row, group)
            a0 = dotProductAccumulate(a0, x, (bases.0 + offset).loadUnaligned(as: QuantizedVector.self))
            a1 = dotProductAccumulate(a1, x, (bases.1 + offset).loadUnaligned(as: QuantizedVector.self))
            a2 = dotProductAccumulate(a2, x, (bases.2 + offset).loadUnaligned(as: QuantizedVector.self))
            a3 = dotProductAccumulate(a3, x, (bases.3 + offset).loadUnaligned(as: QuantizedVector.self))
            offset &+= 4 &* width
        }
        (sums[0], sums[1], sums[2], sums[3]) = (a0, a1, a2, a3)
    }

    /// Hands one panel's accumulators to the epilogue (`QuantizedPanels.storeBlock`).
    @_transparent
    static func storePixels(
        _ panels: QuantizedPanels, _ a0: QuantizedVector, _ a1: QuantizedVector, _ a2: QuantizedVector, _ a3: QuantizedVector,
        _ a4: QuantizedVector, _ a5: QuantizedVector, _ a6: QuantizedVector, _ a7: QuantizedVector, channel: Int, valid: Int,
        _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int
    ) {
        var accumulators = (a0, a1, a2, a3, a4, a5, a6, a7)
        withUnsafePointer(to: &accumulators) { tuple in
            tuple.withMemoryRebound(to: QuantizedVector.self, capacity: 8) {
                panels.storeBlock($0, valid: valid, channel: channel, output, pixelStride: pixelStride)
            }
        }
    }
}
#endif
