import Foundation
import Testing
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
        var worst = 0.0
        for entry in results {
            let file = try #require(entry["file"]?.stringValue)
            let crop = try CropGeometry(parsing: try #require(entry["crop"]?.stringValue))
            let expected = try #require(entry["probabilities"]?.arrayValue).compactMap(\.doubleValue)
            let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Samples/" + file)))
            let (classification, _) = try classifier.classify(jpeg: jpeg, crop: crop)
            for (ours, theirs) in zip(classification.probabilities, expected) { worst = max(worst, abs(ours - theirs)) }
            #expect(classification.top.label == entry["expected"]?.stringValue, "\(file)")
        }
        #expect(worst <= 1e-5, "worst |TinyGraph - TensorFlow| = \(worst)")
    }
}
