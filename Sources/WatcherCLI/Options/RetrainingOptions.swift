import ArgumentParser
import Watcher

/// What `learn` and `review` train from: the archive, the current model and how the
/// training is set.
struct RetrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The watcher's archive: DIR/<label>/*.jpg crops; unsure/ is not trained on. (env WATCHER_ARCHIVE_DIR)", valueName: "dir"))
    var archiveDir: String?

    @Option(help: ArgumentHelp("The current model, whose last layer is retrained: model.pb or .tflite. (env WATCHER_MODEL; default: \(BuiltInModel.name), the demo model built into watcher)", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Its labels, one per line in output order. (env WATCHER_LABELS; default: labels.txt beside the model)", valueName: "path"))
    var labels: String?

    @Option(help: ArgumentHelp("Input convention: custom-vision, rgb255, rgb01, rgb-1-1, as for checks. (env WATCHER_PIXELS; default: custom-vision)", valueName: "preset"))
    var pixels: String?

    @Option(help: ArgumentHelp("L2 regularisation of the new head, on standardised embeddings: larger is smoother and less sure. (env WATCHER_L2; default: 0.1)", valueName: "strength"))
    var l2: Double?

    @Option(help: ArgumentHelp("Cross-validation folds for the held-out accuracy (fewer if a label has fewer crops). (env WATCHER_FOLDS; default: 5)", valueName: "k"))
    var folds: Int?

    var modelSource: ModelSource { ModelSource(option: EnvironmentFallback.string(model, "WATCHER_MODEL")) }

    func archivePath() throws -> String {
        guard let path = EnvironmentFallback.string(archiveDir, "WATCHER_ARCHIVE_DIR") else {
            throw ValidationError("--archive-dir is required: the folder the watcher archives crops in")
        }
        return try Self.localFolder(path, option: "--archive-dir")
    }

    func settings() throws -> HeadTraining.Settings {
        let archive = try archivePath()
        let l2 = try EnvironmentFallback.double(self.l2, "WATCHER_L2", default: 0.1)
        let folds = try EnvironmentFallback.int(self.folds, "WATCHER_FOLDS") ?? 5
        guard l2 > 0, l2.isFinite else { throw ValidationError("--l2 must be a positive number") }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        var preset = PixelPreset.customVision
        if let text = EnvironmentFallback.string(pixels, "WATCHER_PIXELS") {
            guard let parsed = PixelPreset(rawValue: text.lowercased()) else {
                throw ValidationError("--pixels '\(text)': use one of " + PixelPreset.allCases.map(\.rawValue).joined(separator: ", "))
            }
            preset = parsed
        }
        let source = modelSource
        let labelNames = try reportingFailures {
            try source.labels(labelsPath: EnvironmentFallback.string(labels, "WATCHER_LABELS"))
        }
        return HeadTraining.Settings(archive: archive, model: source, labels: labelNames, preset: preset, l2: l2, folds: folds)
    }

    /// Learning and reviewing read and move files in a local folder: an archive or
    /// state in object storage is refused with what to do instead.
    static func localFolder(_ text: String, option: String) throws -> String {
        let location: StorageLocation
        do { location = try StorageLocation(parsing: text) } catch { throw ValidationError(option + " " + error.message) }
        guard case .folder(let path) = location else {
            throw ValidationError("\(option) \(text): learn and review work on a local folder; copy it from object storage "
                                  + "first (for example aws s3 sync or azcopy), then point \(option) at the copy")
        }
        return path
    }
}
