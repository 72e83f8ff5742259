import ArgumentParser
import Watcher

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Classify one local image (no state, no notifications).",
        discussion: "Use it to try a model and a --crop on a still before pointing the watcher at a camera.")

    @Option(name: .customLong("image"), help: ArgumentHelp("The JPEG to classify.", valueName: "path"))
    var imagePath: String

    @OptionGroup(title: "Model") var model: ModelOptions
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() throws {
        let crop = try model.cropGeometry()
        try reportingFailures {
            let classifier = try model.makeClassifier()
            let jpeg: [UInt8]
            do { jpeg = try FileSystem.read(imagePath, limit: 32 << 20) } catch let error as WatcherError {
                throw WatcherError(.image, error.message)
            }
            let (classification, image) = try classifier.classify(jpeg: jpeg, crop: crop)
            let top = classification.top
            if json {
                printLine(JSONValue.object([
                    JSONMember("image", .string(imagePath)),
                    JSONMember("crop", crop.map { .string($0.description) } ?? .null),
                    JSONMember("label", .string(top.label)),
                    JSONMember("probability", .number(top.probability)),
                    JSONMember("probabilities", .object(zip(classification.labels, classification.probabilities).map {
                        JSONMember($0.0, .number($0.1))
                    })),
                ]).rendered)
            } else {
                printLine("\(imagePath)\(crop.map { " [\($0)]" } ?? "") → \(image.width)x\(image.height) crop: \(top.label)")
                for (label, probability) in zip(classification.labels, classification.probabilities) {
                    printLine("  \(label): \(probability)")
                }
            }
        }
    }
}
