/// How a model wants its input pixels: channel order and value range.
public enum PixelConvention: Sendable, CustomStringConvertible {
    /// Blue, green, red from 0 to 255, minus a per-channel mean when given.
    /// Azure Custom Vision's compact exports take this without the mean (their
    /// graph normalises its input); `customVisionMean` is the mean their
    /// training used, for callers whose model needs it subtracted.
    case bgr255(mean: (b: Float, g: Float, r: Float)?)
    /// Red, green, blue from 0 to 255.
    case rgb255
    /// Red, green, blue from 0 to 1 (value / 255).
    case rgbUnit
    /// Red, green, blue from −1 to 1 (value / 127.5 − 1), as MobileNet wants.
    case rgbSigned

    public static let customVisionMean: (b: Float, g: Float, r: Float) = (105, 117, 124)

    /// The names `init?(name:)` accepts, for a command line's help.
    public static let names = ["custom-vision", "custom-vision-mean", "rgb255", "rgb01", "rgb-1-1"]

    /// `custom-vision` (BGR 0–255), `custom-vision-mean` (BGR 0–255 minus
    /// `customVisionMean`), `rgb255`, `rgb01` (0…1) or `rgb-1-1` (−1…1); nil otherwise.
    public init?(name: String) {
        switch name {
        case "custom-vision": self = .bgr255(mean: nil)
        case "custom-vision-mean": self = .bgr255(mean: Self.customVisionMean)
        case "rgb255": self = .rgb255
        case "rgb01": self = .rgbUnit
        case "rgb-1-1": self = .rgbSigned
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .bgr255(mean: nil): "custom-vision"
        case .bgr255(mean: let mean?)
            where mean == Self.customVisionMean: "custom-vision-mean"
        case .bgr255(mean: let mean?): "bgr255 minus (\(mean.b), \(mean.g), \(mean.r))"
        case .rgb255: "rgb255"
        case .rgbUnit: "rgb01"
        case .rgbSigned: "rgb-1-1"
        }
    }
}

extension RGBImage {
    /// The model input for this image: NHWC float32 of shape [1, height, width, 3],
    /// channels in the convention's order and range.
    public func tensor(_ convention: PixelConvention) -> [Float] {
        var out = [Float](repeating: 0, count: width * height * 3)
        out.withUnsafeMutableBufferPointer { writeTensor(convention, into: $0) }
        return out
    }

    /// Writes `tensor(convention)` straight into `out` (e.g. a model's input in its
    /// arena, saving a copy of the input). `out` must hold width × height × 3 values.
    public func writeTensor(_ convention: PixelConvention, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count == width * height * 3, "the tensor needs \(width * height * 3) values")
        // value = (byte - offset) * scale, in the output channel order.
        let order: (Int, Int, Int), offset: (Float, Float, Float), scale: Float
        switch convention {
        case .bgr255(let mean):
            order = (2, 1, 0)
            offset = mean.map { ($0.b, $0.g, $0.r) } ?? (0, 0, 0)
            scale = 1
        case .rgb255: (order, offset, scale) = ((0, 1, 2), (0, 0, 0), 1)
        case .rgbUnit: (order, offset, scale) = ((0, 1, 2), (0, 0, 0), 1 / 255)
        case .rgbSigned: (order, offset, scale) = ((0, 1, 2), (127.5, 127.5, 127.5), 1 / 127.5)
        }
        pixels.withUnsafeBufferPointer { source in
            for p in stride(from: 0, to: source.count, by: 3) {
                out[p] = (Float(source[p + order.0]) - offset.0) * scale
                out[p + 1] = (Float(source[p + order.1]) - offset.1) * scale
                out[p + 2] = (Float(source[p + order.2]) - offset.2) * scale
            }
        }
    }
}
