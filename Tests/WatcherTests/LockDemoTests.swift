import Foundation
import Testing
@_spi(Testing) import TinyGraph
@testable import Watcher

/// README's first command (`watcher demo`) end to end, and the demo model through
/// the watcher's own path (region decode → classify) against TensorFlow.
@Suite struct LockDemoTests {
    let root = WatcherProcess.repositoryRoot

    @Test func demoPlaysTheSampleStoryThroughThePipeline() throws {
        let folder = try WatcherProcess.temporaryFolder()
        let result = try WatcherProcess.run(["demo"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let checks = result.lines.filter { $0.contains(".jpg: ") }
        #expect(checks.count == 8)
        let messages = result.lines.filter { $0.hasPrefix("    → [") }.map { $0.dropFirst(7).prefix { $0 != "]" } }
        #expect(messages == ["opened", "closed", "opened"], "\(result.stdout)")
        // Each sample is read as its file name says.
        for line in checks {
            let expected = line.prefix { $0 != ":" }.contains("-closed") ? "close" : "open"
            #expect(line.contains(": \(expected) "), "\(line)")
        }
    }

    @Test func demoModelMatchesTensorFlowThroughTheWatcherPath() throws {
        let golden = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Tests/Fixtures/lock-demo/golden.json"))))
        let classifier = try LockClassifier(modelPath: root + "/Models/lock-demo/model.pb")
        #expect(classifier.labels == ["close", "open"] && classifier.inputWidth == 128 && classifier.inputHeight == 128)
        let results = try #require(golden["results"]?.arrayValue)
        #expect(results.count == 8)
        for entry in results {
            let file = try #require(entry["file"]?.stringValue)
            let crop = try CropGeometry(parsing: try #require(entry["crop"]?.stringValue))
            let expected = try #require(entry["probabilities"]?.arrayValue).compactMap(\.doubleValue)
            let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Samples/" + file)))
            let (classification, _) = try classifier.classify(jpeg: jpeg, crop: crop)
            #expect(ValueComparison(classification.probabilities, expected) <= 1e-5, "\(file)")
            // The probabilities saturate near 0 and 1, where 1e-5 says little: the log
            // of the smaller one (the log-odds, for two labels) must agree too.
            #expect(ValueComparison(Self.logOfSmaller(classification.probabilities), Self.logOfSmaller(expected)) <= 1e-4,
                    "\(file): log of the smaller probability")
            #expect(classification.top.label == entry["expected"]?.stringValue, "\(file)")
        }
    }

    /// The exact tensor pair TensorFlow wrote (the crop of the least confident sample,
    /// BGR 0-255, and its `loss`), through the model alone: no JPEG decoding in between.
    @Test func demoModelMatchesTensorFlowOnTheStoredTensorPair() throws {
        let folder = root + "/Tests/Fixtures/lock-demo/"
        let input = try Self.floats(folder + "input.f32")
        let expected = try Self.floats(folder + "output_0.f32")
        #expect(input.count == 128 * 128 * 3 && expected.count == 2)
        let model = try Model(contentsOf: root + "/Models/lock-demo/model.pb")
        let output = try model.run(input)[0].values
        #expect(ValueComparison(output, expected) <= 1e-6)
        #expect(ValueComparison(Self.logOfSmaller(output.map(Double.init)), Self.logOfSmaller(expected.map(Double.init))) <= 1e-4,
                "log of the smaller probability: \(output) vs \(expected)")
    }

    /// The model built into the binary is the repository's, byte for byte: after a
    /// change to Models/lock-demo, run scripts/embed-demo-model.sh.
    @Test func theBuiltInModelIsTheRepositorysDemoModel() throws {
        let model = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Models/lock-demo/model.pb")))
        let labels = try String(contentsOfFile: root + "/Models/lock-demo/labels.txt", encoding: .utf8)
        #expect(BuiltInModel.modelBytes() == model, "Sources/Watcher/Classify/LockDemoModelData.swift is stale: run scripts/embed-demo-model.sh")
        #expect(BuiltInModel.labels() == Labels.parse(labels))
        #expect(ModelSource(option: nil) == .builtIn && ModelSource(option: BuiltInModel.name) == .builtIn)
        // It classifies exactly as the file does.
        let builtIn = try LockClassifier(model: .builtIn)
        let file = try LockClassifier(modelPath: root + "/Models/lock-demo/model.pb")
        let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Samples/07-night-open.jpg")))
        let crop = try CropGeometry(parsing: "128x128+650+378")
        let (fromBuiltIn, _) = try builtIn.classify(jpeg: jpeg, crop: crop)
        let (fromFile, _) = try file.classify(jpeg: jpeg, crop: crop)
        #expect(builtIn.labels == file.labels && fromBuiltIn.probabilities == fromFile.probabilities)
    }

    @Test func base64DecodesWhatItEncodes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(Base64.decode(text) == bytes)
            #expect(Base64.decode(String(text.enumerated().map { $0.offset % 10 == 9 ? "\n\($0.element)" : "\($0.element)" }.joined())) == bytes)
            #expect(Data(base64Encoded: text).map(Array.init) == bytes)
        }
        for bad in ["A", "AB=C", "ABC*", "AB==AB==", "A==="] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    static func logOfSmaller(_ probabilities: [Double]) -> [Double] { [log(probabilities.min() ?? 0)] }

    static func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
