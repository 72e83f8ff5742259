import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// `tinygraph head`: prints a classifier's last layer and writes a copy with new weights.
@Suite struct TinyGraphHeadCommandTests {
    let model = Fixtures.realExport + "/model.pb"

    @Test func printsTheHead() throws {
        let text = try CommandRunner.tinygraph(["head", model])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("output     loss (sigmoid, 4 classes)"))
        #expect(text.stdout.contains("embedding  fc/Reshape (512 values)"))
        let json = try CommandRunner.tinygraph(["head", model, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["embedding"] as? String == "fc/Reshape" && object["classes"] as? Int == 4 && object["layer"] as? String == "MatMul")
        let overview = try CommandRunner.tinygraph(["--help"])
        #expect(overview.stdout.contains("  head "))
    }

    @Test func writesACopyWithNewWeights() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = (0..<(3 * 512)).map { Float($0 % 7) * 0.01 - 0.03 }, bias: [Float] = [0.5, -0.5, 0.25]
        let weightsPath = directory.appendingPathComponent("w.f32").path, biasPath = directory.appendingPathComponent("b.f32").path
        try weights.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: weightsPath)) }
        try bias.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: biasPath)) }
        let out = directory.appendingPathComponent("new.pb").path
        let result = try CommandRunner.tinygraph(["head", model, "--weights", weightsPath, "--bias", biasPath, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let head = try ClassifierHead(model: try Fixtures.bytes(out))
        #expect(head.classCount == 3 && head.weights == weights && head.bias == bias)

        let partial = try CommandRunner.tinygraph(["head", model, "--weights", weightsPath])
        #expect(partial.status == 64 && partial.stderr.contains("go together"))
        let wrong = try CommandRunner.tinygraph(["head", model, "--weights", biasPath, "--bias", biasPath, "--out", out + "2"])
        #expect(wrong.status == 1 && wrong.stderr.contains("do not make a head"))
        #expect(!FileManager.default.fileExists(atPath: out + "2"))
        let noHead = try CommandRunner.tinygraph(["head", Fixtures.root + "/tinyyolo-block/model.pb"])
        #expect(noHead.status == 1 && noHead.stderr.contains("no classifier head"))
    }
}
