import ArgumentParser
import Watcher

/// Which model classifies the crop, and how the crop is cut and fed to it.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("TensorFlow frozen graph (model.pb) or TFLite file. (env WATCHER_MODEL; default: Models/lock-demo/model.pb)", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Labels, one per line in output order. (env WATCHER_LABELS; default: labels.txt beside the model)", valueName: "path"))
    var labels: String?

    @Option(help: ArgumentHelp("Region of the still to classify, ImageMagick geometry WxH+X+Y, e.g. 128x128+650+378. (env WATCHER_CROP; default: the whole still)", valueName: "geometry"))
    var crop: String?

    @Option(help: ArgumentHelp("Input convention: custom-vision (BGR 0-255, mean subtracted unless the graph has data_bn), rgb255, rgb01, rgb-1-1. (env WATCHER_PIXELS; default: custom-vision)", valueName: "preset"))
    var pixels: String?

    static let defaultModel = "Models/lock-demo/model.pb"

    var modelPath: String { EnvironmentFallback.string(model, "WATCHER_MODEL") ?? Self.defaultModel }

    func cropGeometry() throws -> CropGeometry? {
        guard let text = EnvironmentFallback.string(crop, "WATCHER_CROP") else { return nil }
        do { return try CropGeometry(parsing: text) } catch { throw ValidationError(error.message) }
    }

    func pixelPreset() throws -> PixelPreset {
        guard let text = EnvironmentFallback.string(pixels, "WATCHER_PIXELS") else { return .customVision }
        guard let preset = PixelPreset(rawValue: text.lowercased()) else {
            throw ValidationError("--pixels '\(text)': use one of " + PixelPreset.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return preset
    }

    func makeClassifier() throws -> LockClassifier {
        let preset = try pixelPreset()
        return try LockClassifier(modelPath: modelPath, labelsPath: EnvironmentFallback.string(labels, "WATCHER_LABELS"),
                                  preset: preset)
    }
}
