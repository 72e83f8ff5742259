import ArgumentParser
import TinyGraph
import Watcher

/// Which model classifies the crop, and how the crop is cut and fed to it.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("TensorFlow frozen graph (model.pb) or TFLite file. (env WATCHER_MODEL; default: \(BuiltInModel.name), the demo model built into watcher)", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Labels, one per line in output order. (env WATCHER_LABELS; default: labels.txt beside the model)", valueName: "path"))
    var labels: String?

    @Option(help: ArgumentHelp("Region of the still that shows the lock, ImageMagick geometry WxH+X+Y, e.g. 128x128+650+378; required unless --whole-image. (env WATCHER_CROP)", valueName: "geometry"))
    var crop: String?

    @Flag(help: "Classify the whole still, for a model trained on whole stills (instead of --crop). (env WATCHER_WHOLE_IMAGE)")
    var wholeImage = false

    @Option(help: ArgumentHelp("Input convention: custom-vision (BGR 0-255, mean subtracted unless the graph has data_bn), rgb255, rgb01, rgb-1-1. (env WATCHER_PIXELS; default: custom-vision)", valueName: "preset"))
    var pixels: String?

    @Option(help: ArgumentHelp("Threads each inference uses: 1 keeps the watcher on one core (a check spends most of its time waiting for the camera); 0 means one per core. (env WATCHER_THREADS; default: 1)", valueName: "n"))
    var threads: Int?

    var modelSource: ModelSource { ModelSource(option: EnvironmentFallback.string(model, "WATCHER_MODEL")) }
    var labelsPath: String? { EnvironmentFallback.string(labels, "WATCHER_LABELS") }

    /// The crop, or nil with `--whole-image`. Without either, a still would be
    /// classified whole by a model trained on crops: refused.
    func cropGeometry() throws -> CropGeometry? {
        let whole = try EnvironmentFallback.flag(wholeImage, "WATCHER_WHOLE_IMAGE")
        let text = EnvironmentFallback.string(crop, "WATCHER_CROP")
        switch (text, whole) {
        case (let text?, false):
            do { return try CropGeometry(parsing: text) } catch { throw ValidationError(error.message) }
        case (nil, true):
            return nil
        case (_?, true):
            throw ValidationError("give --crop or --whole-image, not both")
        case (nil, false):
            throw ValidationError("say where the lock is in the still: --crop WxH+X+Y (README: Finding the crop), "
                + "or --whole-image for a model trained on whole stills")
        }
    }

    func pixelPreset() throws -> PixelPreset {
        guard let text = EnvironmentFallback.string(pixels, "WATCHER_PIXELS") else { return .customVision }
        guard let preset = PixelPreset(rawValue: text.lowercased()) else {
            throw ValidationError("--pixels '\(text)': use one of " + PixelPreset.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return preset
    }

    /// `--threads` (or WATCHER_THREADS): 0 to LoadOptions.maximumThreads.
    func threadCount() throws -> Int {
        let count = try EnvironmentFallback.int(threads, "WATCHER_THREADS") ?? 1
        guard (0...LoadOptions.maximumThreads).contains(count) else {
            throw ValidationError("--threads \(count): give 1 (the default), up to \(LoadOptions.maximumThreads), or 0 for one per core")
        }
        return count
    }

    func loader() throws -> ClassifierLoader {
        ClassifierLoader(model: modelSource, labelsPath: labelsPath, preset: try pixelPreset(), threads: try threadCount())
    }
}
