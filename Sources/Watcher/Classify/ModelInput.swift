import TinyGraph
import TinyImage

/// How a decoded crop becomes a model's input. One definition for checks
/// (`LockClassifier`) and for training (`watcher learn`), so that a crop is fed to the
/// network the same way in both.
public enum ModelInput {
    /// The image at the model's input size: untouched when it fits, area average when
    /// shrinking, bilinear when enlarging.
    public static func fitted(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        if image.width == width && image.height == height { return image }
        return image.width >= width && image.height >= height
            ? image.resizedArea(width: width, height: height)
            : image.resizedBilinear(width: width, height: height)
    }

    /// The pixel convention a preset means for this model: Custom Vision's mean is
    /// subtracted only when the graph has no `data_bn` doing it itself.
    public static func convention(_ preset: PixelPreset, model: Model) -> PixelConvention {
        switch preset {
        case .customVision:
            let hasDataBN = model.summary.fileScopes.contains("data_bn")
            return .bgr255(mean: hasDataBN ? nil : PixelConvention.customVisionMean)
        case .rgb255: return .rgb255
        case .rgb01: return .rgbUnit
        case .rgbSigned: return .rgbSigned
        }
    }
}
