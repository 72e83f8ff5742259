import Foundation
import Testing
@_spi(Testing) import TinyGraph
@testable import Watcher

/// `watcher learn`, the real binary, on archives of colour crops and the colour-lock
/// model (red → open, blue → close, green → a coin toss).
@Suite struct WatcherLearnTests {
    let folder: URL
    let archive: URL
    let out: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        archive = folder.appendingPathComponent("archive")
        out = folder.appendingPathComponent("learned")
    }

    func learn(_ model: String, _ extra: [String] = []) throws -> WatcherProcess.Result {
        try WatcherProcess.run(["learn", "--archive-dir", archive.path, "--model", model, "--out", out.path] + extra, folder: folder)
    }

    /// A door whose "open" looks green: the current head calls it close (50 %), the new one learns it.
    @Test func learnsANewLookAndWritesAModelThatSaysSo() throws {
        try ColourCrops.write(archive, label: "open", count: 12, r: 20, g: 200, b: 30)
        try ColourCrops.write(archive, label: "close", count: 12, r: 20, g: 30, b: 200, firstSeed: 100)
        try ColourCrops.write(archive, label: "unsure", count: 3, r: 128, g: 128, b: 128)
        let model = try ColourCrops.modelCopy(in: folder)
        let result = try learn(model)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("crops: close 12, open 12"))
        #expect(result.stdout.contains("current head 50.0% (12/24)   new head 100.0% (24/24)"), "\(result.stdout)")
        #expect(result.stdout.contains("5-fold cross-validation"))
        for name in ["model.pb", "labels.txt", "report.txt", "report.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        #expect(try String(contentsOf: out.appendingPathComponent("labels.txt"), encoding: .utf8) == "close\nopen\n")
        #expect(try String(contentsOf: out.appendingPathComponent("report.txt"), encoding: .utf8).contains("new head 100.0%"))

        // The written model, loaded as a check loads it, says open for green and close for blue.
        let classifier = try LockClassifier(modelPath: out.appendingPathComponent("model.pb").path)
        let green = try classifier.classify(jpeg: ColourCrops.jpeg(r: 25, g: 190, b: 35, seed: 999), crop: nil).0
        let blue = try classifier.classify(jpeg: ColourCrops.jpeg(r: 25, g: 35, b: 190, seed: 998), crop: nil).0
        #expect(green.top.label == "open" && green.top.probability > 0.9)
        #expect(blue.top.label == "close" && blue.top.probability > 0.9)
        // …and the original is untouched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == Data(contentsOf: URL(fileURLWithPath: TestStills.model)))
    }

    /// No --model: the demo model built into the binary is retrained, as a check would use it.
    @Test func retrainsTheBuiltInModelByDefault() throws {
        try ColourCrops.write(archive, label: "open", count: 10, r: 20, g: 200, b: 30)
        try ColourCrops.write(archive, label: "close", count: 10, r: 20, g: 30, b: 200, firstSeed: 100)
        let result = try WatcherProcess.run(["learn", "--archive-dir", archive.path, "--out", out.path, "--force"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("model built-in:lock-demo"), "\(result.stdout)")
        let classifier = try LockClassifier(modelPath: out.appendingPathComponent("model.pb").path)
        let green = try classifier.classify(jpeg: ColourCrops.jpeg(r: 25, g: 190, b: 35, seed: 999), crop: nil).0
        #expect(green.top.label == "open", "\(green)")
    }

    /// An archive or state in object storage is refused with what to do, before anything is read.
    @Test func refusesObjectStorageFolders() throws {
        let learn = try WatcherProcess.run(["learn", "--archive-dir", "s3://door-bucket/archive", "--out", out.path], folder: folder)
        #expect(learn.status == 64)
        #expect(learn.stderr.contains("learn and review work on a local folder"), "\(learn.stderr)")
        try ColourCrops.write(archive, label: "open", count: 1, r: 200, g: 20, b: 30)
        let review = try WatcherProcess.run(["review", "--archive-dir", archive.path, "--state-dir", "azblob://acct/door/state"],
                                            folder: folder)
        #expect(review.status == 64)
        #expect(review.stderr.contains("--state-dir azblob://acct/door/state: learn and review work on a local folder"),
                "\(review.stderr)")
    }

    /// An archive nobody sorted: every crop sits where the current model filed it, so
    /// the current head is right on all of them by construction, and a head learned
    /// from those labels can only be as good or worse on the borderline ones.
    @Test func refusesAWorseHeadUnlessForced() throws {
        let classifier = try LockClassifier(modelPath: TestStills.model)
        for seed in 0..<30 {
            // Red and blue nearly equal: the current model's answers are close to 0.5.
            let red = 120 + (seed * 7) % 13 - 6, blue = 120 + (seed * 11) % 13 - 6, green = (seed * 37) % 256
            let jpeg = ColourCrops.jpeg(r: red, g: green, b: blue, seed: seed)
            let label = try classifier.classify(jpeg: jpeg, crop: nil).0.top.label
            let folder = archive.appendingPathComponent(label)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(jpeg).write(to: folder.appendingPathComponent("crop-\(seed).jpg"))
        }
        let model = try ColourCrops.modelCopy(in: folder)
        let refused = try learn(model)
        #expect(refused.status == 1, "\(refused.stdout)")
        #expect(refused.stdout.contains("current head 100.0% (30/30)"), "\(refused.stdout)")
        #expect(refused.stderr.contains("not written: the new head is worse than the current one on the held-out crops"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.pb").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("labels.txt").path))

        let forced = try learn(model, ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.pb").path))
    }

    /// A folder the model has no label for becomes a new class: the head grows.
    @Test func addsANewLabel() throws {
        try ColourCrops.write(archive, label: "open", count: 8, r: 220, g: 30, b: 20)
        try ColourCrops.write(archive, label: "close", count: 8, r: 20, g: 30, b: 220, firstSeed: 20)
        try ColourCrops.write(archive, label: "ajar", count: 8, r: 30, g: 210, b: 30, firstSeed: 40)
        let model = try ColourCrops.modelCopy(in: folder)
        let result = try learn(model, ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(report["labels"] == .array([.string("close"), .string("open"), .string("ajar")]))
        #expect(report["previousLabels"] == .array([.string("close"), .string("open")]))
        #expect(report["current"]?["correct"]?.intValue == 16)
        #expect(report["new"]?["correct"]?.intValue == 24)
        #expect(report["current"]?["confusion"]?.arrayValue?.count == 3)
        #expect(report["written"]?.stringValue == out.appendingPathComponent("model.pb").path)
        #expect(try String(contentsOf: out.appendingPathComponent("labels.txt"), encoding: .utf8) == "close\nopen\najar\n")
        let classifier = try LockClassifier(modelPath: out.appendingPathComponent("model.pb").path)
        let green = try classifier.classify(jpeg: ColourCrops.jpeg(r: 35, g: 200, b: 25, seed: 7), crop: nil).0
        #expect(green.labels.count == 3 && green.top.label == "ajar")
    }

    /// None of the model's labels in the archive: a new task, the folders are the labels.
    @Test func replacesTheLabelsForANewTask() throws {
        try ColourCrops.write(archive, label: "shut", count: 5, r: 20, g: 30, b: 210)
        try ColourCrops.write(archive, label: "ajar", count: 5, r: 30, g: 210, b: 30, firstSeed: 20)
        let model = try ColourCrops.modelCopy(in: folder)
        let result = try learn(model)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("none of the model's 2 labels has crops"), "\(result.stdout)")
        #expect(result.stdout.contains("current head 0.0% (0/10)   new head 100.0% (10/10)"), "\(result.stdout)")
        #expect(try String(contentsOf: out.appendingPathComponent("labels.txt"), encoding: .utf8) == "ajar\nshut\n")
    }

    /// A TFLite model is retrained and written as a TFLite model.
    @Test func retrainsATFLiteModel() throws {
        try ColourCrops.write(archive, label: "open", count: 6, r: 30, g: 200, b: 30)
        try ColourCrops.write(archive, label: "close", count: 6, r: 20, g: 30, b: 220, firstSeed: 10)
        let modelFolder = folder.appendingPathComponent("tflite")
        try FileManager.default.createDirectory(at: modelFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: WatcherProcess.repositoryRoot + "/Tests/Fixtures/heads/lock-demo-tflite/base.tflite",
                                         toPath: modelFolder.appendingPathComponent("model.tflite").path)
        try Data("close\nopen\n".utf8).write(to: modelFolder.appendingPathComponent("labels.txt"))
        let result = try learn(modelFolder.appendingPathComponent("model.tflite").path, ["--force"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("FULLY_CONNECTED head"))
        let written = out.appendingPathComponent("model.tflite").path
        let head = try ClassifierHead(model: Array(try Data(contentsOf: URL(fileURLWithPath: written))))
        #expect(head.classCount == 2 && head.embeddingSize == 128)
        _ = try LockClassifier(modelPath: written)
    }

    @Test func explainsWhatIsMissing() throws {
        let model = try ColourCrops.modelCopy(in: folder)
        let noArchive = try WatcherProcess.run(["learn", "--model", model, "--out", out.path], folder: folder)
        #expect(noArchive.status == 64 && noArchive.stderr.contains("--archive-dir is required"), "\(noArchive.stderr)")

        try ColourCrops.write(archive, label: "close", count: 4, r: 20, g: 30, b: 220)
        let noOpen = try learn(model)
        #expect(noOpen.status == 64 && noOpen.stderr.contains("no crops of 'open'"), "\(noOpen.stderr)")

        try ColourCrops.write(archive, label: "open", count: 1, r: 220, g: 30, b: 20)
        let tooFew = try learn(model)
        #expect(tooFew.status == 64 && tooFew.stderr.contains("at least 2"), "\(tooFew.stderr)")

        // A damaged crop is skipped and named; the rest train.
        try ColourCrops.write(archive, label: "open", count: 4, r: 220, g: 30, b: 20, firstSeed: 30)
        try Data([0xFF, 0xD8, 0xFF, 0x00, 0x01]).write(to: archive.appendingPathComponent("open/20261120-999999-000-x-p50.jpg"))
        let damaged = try learn(model, ["--force"])
        #expect(damaged.status == 0, "\(damaged.stderr)")
        #expect(damaged.stdout.contains("skipped open/20261120-999999-000-x-p50.jpg"), "\(damaged.stdout)")
    }

    /// --folds, --l2, --labels and the archive from the environment are all used.
    @Test func takesItsSettingsFromOptionsAndEnvironment() throws {
        try ColourCrops.write(archive, label: "unlocked", count: 6, r: 20, g: 200, b: 30)
        try ColourCrops.write(archive, label: "locked", count: 6, r: 20, g: 30, b: 210, firstSeed: 30)
        let model = try ColourCrops.modelCopy(in: folder)
        let labels = folder.appendingPathComponent("names.txt")
        try Data("locked\nunlocked\n".utf8).write(to: labels)
        let result = try WatcherProcess.run(["learn", "--model", model, "--labels", labels.path, "--l2", "0.5", "--json"],
                                            environment: ["WATCHER_ARCHIVE_DIR": archive.path, "WATCHER_FOLDS": "3",
                                                          "WATCHER_OUT": out.path], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(report["folds"]?.intValue == 3 && report["l2"]?.doubleValue == 0.5)
        #expect(report["labels"] == .array([.string("locked"), .string("unlocked")]))
        #expect(report["new"]?["correct"]?.intValue == 12)
        let badFolds = try WatcherProcess.run(["learn", "--archive-dir", archive.path, "--model", model, "--labels", labels.path,
                                               "--out", out.path, "--folds", "1"], folder: folder)
        #expect(badFolds.status == 64 && badFolds.stderr.contains("--folds"), "\(badFolds.stderr)")
        let noOut = try WatcherProcess.run(["learn", "--archive-dir", archive.path, "--model", model, "--labels", labels.path],
                                           folder: folder)
        #expect(noOut.status == 64 && noOut.stderr.contains("--out is required"), "\(noOut.stderr)")
    }

    /// The embedding the learner uses, with the current head applied, is what a check computes.
    @Test func embedsCropsExactlyAsAChecksClassifies() throws {
        let classifier = try LockClassifier(modelPath: TestStills.model)
        let embedder = try CropEmbedder(model: .file(TestStills.model), labels: ["close", "open"], preset: .customVision)
        for seed in 0..<4 {
            let jpeg = ColourCrops.jpeg(r: 40 * seed, g: 90, b: 200 - 40 * seed, seed: seed, size: 48 + 20 * seed)
            let check = try classifier.classify(jpeg: jpeg, crop: nil).0.probabilities.map { Float($0) }
            let (embedding, probabilities) = try embedder.embed(jpeg: jpeg)
            #expect(probabilities == check)
            #expect(ValueComparison(embedder.head.probabilities(embedding), check) <= 1e-6)
        }
    }
}
