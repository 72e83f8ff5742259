/// A quantized filter packed once at load for the SIMD kernels, with everything
/// the epilogue needs per output channel.
///
/// The input's zero point is folded into the bias: Σ w′(x − xzp) + b =
/// Σ w′·x + (b − xzp·Σ w′), where w′ = w − wzp. So the kernels multiply stored
/// input bytes directly, and read padding as bytes equal to xzp (which then add
/// nothing, as TFLite's skipped taps).
///
/// Conv2D and FULLY_CONNECTED (`panels`): output channels in panels of 16. Each
/// panel is 16 int32 biases, then its weights: one row of 16 int16 per row
/// (ky, kx, c), or (`TINYGRAPH_VNNI` builds, when every w′ fits an int8) groups of
/// 4 rows as 16 × 4 int8, the operand layout of vpdpbusd, the row count padded to
/// a multiple of 4 with zero weights.
///
/// Depthwise (`depthwiseRows`, multiplier 1): 16-padded int32 biases, then one row
/// of int16 weights per (ky, kx), channels padded to a multiple of 16; for a 3×3
/// filter in `TINYGRAPH_VNNI` builds (`isInt8Groups`), then per kx one row of 4
/// int8 weights per channel, (w(0, kx), w(1, kx), w(2, kx), 0): a kernel column,
/// vpdpbusd's operand against the three input rows' bytes.
final class PackedQuantizedWeights: Equatable {
    enum Layout {
        case panels
        case depthwiseRows
    }

    static let panelWidth = 16

    let layout: Layout
    let storage: TensorBuffer
    let kernelHeight: Int
    let kernelWidth: Int
    let inChannels: Int
    let outChannels: Int
    /// Panels of int8 weights in groups of 4 rows (the VNNI kernel's), else int16 rows;
    /// depthwise: the int8 kernel columns follow the int16 rows.
    let isInt8Groups: Bool
    /// Rows per output channel (KH·KW·C), padded to a multiple of 4 for int8 groups.
    let depth: Int
    /// The input's zero point (stored domain), folded into the biases: padding reads it.
    let inputZeroPoint: Int32
    /// TFLite's per-channel multipliers and shifts in the vector epilogue's form.
    let requantizationTable: RequantizationTable
    /// FULLY_CONNECTED's requantization (double scales, padded to the panels), else nil.
    let doubleScales: TensorBuffer?

    var paddedChannels: Int { (outChannels + Self.panelWidth - 1) / Self.panelWidth * Self.panelWidth }
    var panelCount: Int { paddedChannels / Self.panelWidth }
    /// Bytes of one panel: the biases, then the weights.
    var panelStride: Int { 4 * Self.panelWidth + (isInt8Groups ? 1 : 2) * depth * Self.panelWidth }

    var bytes: UnsafeMutableRawPointer { storage.bytes }

    static func == (lhs: PackedQuantizedWeights, rhs: PackedQuantizedWeights) -> Bool { lhs === rhs }

    /// Bytes held (packed filter, requantization tables).
    var byteCount: Int { storage.byteCount + requantizationTable.storage.byteCount + (doubleScales?.byteCount ?? 0) }

    private init(layout: Layout, kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int, inputZeroPoint: Int32,
                 requantization: QuantizedRequantization, int8Groups: Bool) {
        self.layout = layout
        self.inputZeroPoint = inputZeroPoint
        isInt8Groups = int8Groups
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.inChannels = inChannels
        self.outChannels = outChannels
        let rows = kernelHeight * kernelWidth * inChannels
        depth = int8Groups && layout == .panels ? (rows + 3) / 4 * 4 : rows
        let padded = (outChannels + Self.panelWidth - 1) / Self.panelWidth * Self.panelWidth
        var doubleScales: TensorBuffer? = nil
        switch requantization {
        case .fixedPoint(let values):
            requantizationTable = RequantizationTable(Array(values.prefix(padded)))
        case .double(let scales):
            requantizationTable = RequantizationTable([])
            let buffer = TensorBuffer(byteCount: 8 * padded)
            for (channel, scale) in scales.enumerated() where channel < padded {
                buffer.bytes.storeBytes(of: scale, toByteOffset: 8 * channel, as: Double.self)
            }
            doubleScales = buffer
        }
        self.doubleScales = doubleScales
        let byteCount = layout == .panels
            ? padded / Self.panelWidth * (4 * Self.panelWidth + (int8Groups ? 1 : 2) * depth * Self.panelWidth)
            : 4 * padded + 2 * padded * kernelHeight * kernelWidth + (int8Groups ? 4 * padded * kernelWidth : 0)
        storage = TensorBuffer(byteCount: byteCount)
    }

    /// Bytes the packed form takes (for the memory limit, checked before packing).
    static func packedByteCount(kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int, depthwise: Bool) -> Int {
        let padded = (outChannels + panelWidth - 1) / panelWidth * panelWidth
        if depthwise { return 4 * padded + 2 * padded * kernelHeight * kernelWidth + 4 * padded * kernelWidth }
        // At most the int16 form's size.
        return padded / panelWidth * (4 * panelWidth + 2 * kernelHeight * kernelWidth * inChannels * panelWidth)
    }

    /// Packs a CONV_2D filter (OHWI) or a FULLY_CONNECTED one ([out, in], as KH = KW = 1).
    /// `weight(o, r)` is w − wzp of output channel o and row r = (ky, kx, c).
    static func panels(
        kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int, inputZeroPoint: Int32, bias: [Int32]?,
        requantization: QuantizedRequantization, weightsFitInt8: Bool, weight: (Int, Int) -> Int32
    ) -> PackedQuantizedWeights {
        #if TINYGRAPH_VNNI
        let int8Groups = weightsFitInt8
        #else
        let int8Groups = false
        #endif
        let packed = PackedQuantizedWeights(layout: .panels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                            inChannels: inChannels, outChannels: outChannels, inputZeroPoint: inputZeroPoint,
                                            requantization: requantization, int8Groups: int8Groups)
        let rows = kernelHeight * kernelWidth * inChannels
        let stride = packed.panelStride
        for o in 0..<outChannels {
            let panel = packed.bytes + (o / panelWidth) * stride
            let lane = o % panelWidth
            var sum: Int32 = 0
            for r in 0..<rows {
                let w = weight(o, r)
                sum &+= w
                if int8Groups {
                    (panel + 4 * panelWidth + (r / 4) * 4 * panelWidth + lane * 4 + r % 4)
                        .storeBytes(of: Int8(truncatingIfNeeded: w), as: Int8.self)
                } else {
                    (panel + 4 * panelWidth + 2 * (r * panelWidth + lane)).storeBytes(of: Int16(truncatingIfNeeded: w), as: Int16.self)
                }
            }
            let folded = (bias?[o] ?? 0) &- inputZeroPoint &* sum
            (panel + 4 * lane).storeBytes(of: folded, as: Int32.self)
        }
        return packed
    }

    /// Packs a depthwise filter of multiplier 1 ([1, KH, KW, C]); `weight(tap, c)` is w − wzp.
    static func depthwiseRows(
        kernelHeight: Int, kernelWidth: Int, channels: Int, inputZeroPoint: Int32, bias: [Int32]?,
        requantization: QuantizedRequantization, weightsFitInt8: Bool, weight: (Int, Int) -> Int32
    ) -> PackedQuantizedWeights {
        #if TINYGRAPH_VNNI
        let columns = weightsFitInt8 && kernelHeight == 3 && kernelWidth == 3
        #else
        let columns = false
        #endif
        let packed = PackedQuantizedWeights(layout: .depthwiseRows, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                            inChannels: channels, outChannels: channels, inputZeroPoint: inputZeroPoint,
                                            requantization: requantization, int8Groups: columns)
        let padded = packed.paddedChannels
        let taps = kernelHeight * kernelWidth
        let weights = packed.bytes + 4 * padded
        let kernelColumns = weights + 2 * padded * taps
        for c in 0..<channels {
            var sum: Int32 = 0
            for tap in 0..<taps {
                let w = weight(tap, c)
                sum &+= w
                (weights + 2 * (tap * padded + c)).storeBytes(of: Int16(truncatingIfNeeded: w), as: Int16.self)
                if columns {
                    let (ky, kx) = (tap / kernelWidth, tap % kernelWidth)
                    (kernelColumns + 4 * (kx * padded + c) + ky).storeBytes(of: Int8(truncatingIfNeeded: w), as: Int8.self)
                }
            }
            (packed.bytes + 4 * c).storeBytes(of: (bias?[c] ?? 0) &- inputZeroPoint &* sum, as: Int32.self)
        }
        return packed
    }
}
