import ArgumentParser
import TinyImage
import Watcher

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Classify one local image (no state, no notifications).",
        discussion: """
            Use it to try a model and a --crop on a still before pointing the watcher at a camera \
            (`watcher still` saves one); --save-crop writes what the model saw, to see whether the \
            box covers the lock.
            """)

    @Option(name: .customLong("image"), help: ArgumentHelp("The JPEG to classify. (env WATCHER_IMAGE)", valueName: "path"))
    var imagePath: String?

    @OptionGroup(title: "Model") var model: ModelOptions

    @Option(help: ArgumentHelp("Write the crop as the model saw it (resized to its input) to this JPEG. (env WATCHER_SAVE_CROP)", valueName: "path"))
    var saveCrop: String?

    @Flag(help: "Print the result as one JSON object. (env WATCHER_JSON)") var json = false

    func run() throws {
        guard let imagePath = EnvironmentFallback.string(imagePath, "WATCHER_IMAGE") else {
            throw ValidationError("give the still to classify: --image FILE (or WATCHER_IMAGE)")
        }
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let crop = try model.cropGeometry()
        let preset = try model.pixelPreset()
        let threads = try model.threadCount()
        let cropPath = EnvironmentFallback.string(saveCrop, "WATCHER_SAVE_CROP")
        try reportingFailures {
            let classifier = try LockClassifier(model: model.modelSource, labelsPath: model.labelsPath, preset: preset,
                                                threads: threads)
            let jpeg: [UInt8]
            do { jpeg = try FileSystem.read(imagePath, limit: 32 << 20) } catch let error as WatcherError {
                throw WatcherError(.image, error.message)
            }
            let (classification, image) = try classifier.classify(jpeg: jpeg, crop: crop)
            if let cropPath {
                let seen = classifier.inputImage(from: image)
                do {
                    try FileSystem.writeAtomically(try JPEGEncoder.encode(seen, quality: 95), to: cropPath)
                } catch let error as ImageError {
                    throw WatcherError(.image, "cannot encode the crop: \(error.message)")
                }
                if !json { printLine("saved the crop the model saw (\(seen.width)x\(seen.height)) to \(cropPath)") }
            }
            let top = classification.top
            if json {
                printJSON(.object([
                    JSONMember("image", .string(imagePath)),
                    JSONMember("crop", crop.map { .string($0.description) } ?? .null),
                    JSONMember("model", .string(model.modelSource.description)),
                    JSONMember("label", .string(top.label)),
                    JSONMember("probability", .number(top.probability)),
                    JSONMember("probabilities", .object(zip(classification.labels, classification.probabilities).map {
                        JSONMember($0.0, .number($0.1))
                    })),
                    JSONMember("savedCrop", cropPath.map { .string($0) } ?? .null),
                ]))
            } else {
                printLine("\(imagePath) [\(crop?.description ?? "whole image")] → \(image.width)x\(image.height) "
                    + "for \(model.modelSource.description): \(top.label) \(AlertMessage.percent(top.probability))")
                for (label, probability) in zip(classification.labels, classification.probabilities) {
                    printLine("  \(label): \(AlertMessage.percent(probability))")
                }
            }
        }
    }
}
