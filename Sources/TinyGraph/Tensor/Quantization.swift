/// How a quantized tensor's integers stand for real values, as the model file gives
/// them: real = scale × (q − zeroPoint). One scale and zero point for the whole
/// tensor, or (weights) one per index along `dimension`.
public struct Quantization: Equatable, Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int]
    /// The axis the scales run along when there are several (TFLite's quantized_dimension).
    public var dimension: Int

    public init(scales: [Float], zeroPoints: [Int], dimension: Int = 0) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.dimension = dimension
    }

    public var isPerChannel: Bool { scales.count > 1 }

    /// "scale 0.0235 zero point -128", or "per-channel on dim 0: 32 scales 0.0012…0.0094".
    public var description: String {
        if isPerChannel {
            var low = scales[0], high = scales[0]
            for scale in scales {
                if scale < low { low = scale }
                if scale > high { high = scale }
            }
            return "per-channel on dim \(dimension): \(scales.count) scales \(low)…\(high)"
        }
        return "scale \(scales.first ?? 0) zero point \(zeroPoints.first ?? 0)"
    }
}

/// A quantized activation as the engine stores it: real = scale × (stored − zeroPoint).
///
/// Stored values are unsigned bytes. An int8 tensor of the file is stored plus 128
/// (its bits with the top one flipped) and its zero point plus 128, so int8 and
/// legacy uint8 models run the same kernels, and the x86 VNNI kernels get the
/// unsigned operand they multiply. Everything TFLite computes from q − zeroPoint
/// is unchanged; the few kernels that see raw values (the int8 average pool's
/// rounding) use `isSigned`.
struct ActivationQuantization: Equatable {
    var scale: Float
    /// In the stored domain, 0...255.
    var zeroPoint: Int32
    /// How the file (and the caller) sees the tensor: .int8 or .uint8.
    var fileType: DType

    var isSigned: Bool { fileType == .int8 }
    /// What the file's values are moved by to be stored: 128 for int8, 0 for uint8.
    var storageOffset: Int32 { isSigned ? 128 : 0 }
    var fileZeroPoint: Int32 { zeroPoint - storageOffset }

    /// From the file's parameters (zero point in the file's range, checked by the importer).
    init(scale: Float, fileZeroPoint: Int32, fileType: DType) {
        self.scale = scale
        self.fileType = fileType
        zeroPoint = fileZeroPoint + (fileType == .int8 ? 128 : 0)
    }

    var publicDescription: Quantization {
        Quantization(scales: [scale], zeroPoints: [Int(fileZeroPoint)])
    }

    /// The stored value of a real number, as TFLite's QUANTIZE computes it for the
    /// file's type: x / scale in float32, rounded half away from zero, plus the zero
    /// point, clamped. NaN becomes the lowest value (as TFLite on x86); infinities clamp.
    @inline(__always)
    func quantize(_ x: Float) -> UInt8 {
        let scaled = FloatMath.round(x / scale)
        guard scaled == scaled else { return 0 }
        let shifted = scaled + Float(zeroPoint)
        if shifted <= 0 { return 0 }
        if shifted >= 255 { return 255 }
        return UInt8(shifted)
    }

    /// TFLite's DEQUANTIZE: double(scale) × (q − zeroPoint), rounded to float32.
    @inline(__always)
    func dequantize(_ stored: UInt8) -> Float {
        Float(Double(scale) * Double(Int32(stored) - zeroPoint))
    }
}
