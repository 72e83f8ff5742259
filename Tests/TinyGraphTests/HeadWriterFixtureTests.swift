import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// Tests/Fixtures/heads (tools/make_head_fixtures.py): models given a new head by
/// `tinygraph head`, loaded from disk by TensorFlow or LiteRT, whose outputs are the
/// goldens. Each test writes the same model through the API, checks that it is the
/// very file the reference engine ran (size and FNV-1a hash), and that TinyGraph's
/// output on it agrees with the golden.
enum HeadFixtures {
    static let root = TFLiteFixtures.fixturesRoot + "/heads"
    static let repository = URL(fileURLWithPath: TFLiteFixtures.fixturesRoot).deletingLastPathComponent().deletingLastPathComponent().path

    struct Case {
        var name: String
        var base: [UInt8]
        var outputName: String?
        var weights: [Float]
        var bias: [Float]
        var input: [Float]
        var golden: [Float]
        var embeddingName: String
        var classesBefore: Int
        var writtenBytes: Int
        var writtenHash: String
    }

    static func load(_ name: String) throws -> Case {
        let folder = root + "/" + name
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/meta.json"))) as! [String: Any]
        let classes = meta["classes"] as! Int
        let embeddingSize = meta["embedding_size"] as! Int
        return Case(
            name: name, base: try Fixtures.bytes(repository + "/" + (meta["base"] as! String)), outputName: meta["output_name"] as? String,
            weights: try Fixtures.floats(folder + "/weights.f32", shape: [classes, embeddingSize]),
            bias: try Fixtures.floats(folder + "/bias.f32", shape: [classes]),
            input: try Fixtures.floats(repository + "/" + (meta["input_file"] as! String)),
            golden: try Fixtures.floats(folder + "/output_0.f32", shape: [1, classes]),
            embeddingName: meta["embedding"] as! String, classesBefore: meta["classes_before"] as! Int,
            writtenBytes: meta["written_bytes"] as! Int, writtenHash: meta["written_fnv1a64"] as! String)
    }

    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

@Suite struct HeadWriterFixtureTests {
    @Test(arguments: FixtureIndex.names(in: HeadFixtures.root))
    func writtenModelAgreesWithTheReferenceEngine(_ name: String) throws {
        let fixture = try HeadFixtures.load(name)
        let head = try ClassifierHead(model: fixture.base, outputName: fixture.outputName)
        #expect(head.embeddingName == fixture.embeddingName)
        #expect(head.classCount == fixture.classesBefore)

        let written = try head.writing(weights: fixture.weights, bias: fixture.bias, into: fixture.base)
        // The very bytes TensorFlow or LiteRT loaded: the writer is deterministic.
        #expect(written.count == fixture.writtenBytes)
        #expect(HeadFixtures.fnv1a64(written) == fixture.writtenHash)

        let model = try Model(bytes: written, options: LoadOptions(outputNames: [head.outputName]))
        let output = try model.run(fixture.input)[0]
        #expect(output.values.count == fixture.bias.count)
        let comparison = OpTest.compare(output.values, fixture.golden)
        #expect(comparison <= 1e-5, "\(comparison)")

        // The written file's head is the new one, exactly.
        let reread = try ClassifierHead(model: written, outputName: fixture.outputName)
        #expect(reread.weights == fixture.weights)
        #expect(reread.bias == fixture.bias)
        #expect(reread.classCount == fixture.bias.count)
        #expect(reread.embeddingName == head.embeddingName)
    }

    @Test func everyFixtureFolderIsIndexed() throws {
        #expect(try FixtureIndex.foldersOnDisk(in: HeadFixtures.root) == FixtureIndex.entries(in: HeadFixtures.root).map(\.name))
        #expect(try FixtureIndex.entries(in: HeadFixtures.root).count >= 11)
    }

    /// A rewritten GraphDef differs from the original only in the head's constants:
    /// every other node, and every byte outside the nodes, is copied unchanged.
    @Test(arguments: FixtureIndex.names(in: HeadFixtures.root).filter { $0.contains("-pb") })
    func graphDefKeepsEveryOtherByte(_ name: String) throws {
        let fixture = try HeadFixtures.load(name)
        let head = try ClassifierHead(model: fixture.base, outputName: fixture.outputName)
        let written = try head.writing(weights: fixture.weights, bias: fixture.bias, into: fixture.base)
        try fixture.base.withUnsafeBytes { before in
            try written.withUnsafeBytes { after in
                let old = try GraphDefLayout.scan(before)
                let new = try GraphDefLayout.scan(after)
                #expect(old.entries.map(\.node.name) == new.entries.map(\.node.name))
                var changed: [String] = []
                var gapsBefore: [UInt8] = [], gapsAfter: [UInt8] = []
                var endBefore = 0, endAfter = 0
                for (a, b) in zip(old.entries, new.entries) {
                    gapsBefore += before[endBefore..<a.field.start]
                    gapsAfter += after[endAfter..<b.field.start]
                    (endBefore, endAfter) = (a.field.end, b.field.end)
                    if !before[a.field.start..<a.field.end].elementsEqual(after[b.field.start..<b.field.end]) {
                        changed.append(a.node.name)
                        #expect(a.node.op == "Const")
                        #expect(a.node.inputs == b.node.inputs)
                        #expect(Set(a.node.attributes.keys).subtracting(["_output_shapes"]) == Set(b.node.attributes.keys))
                    }
                }
                gapsBefore += before[endBefore...]
                gapsAfter += after[endAfter...]
                #expect(gapsBefore == gapsAfter)
                let expected = [head.weightsName, head.biasName]
                #expect(changed.count >= 2 && changed.count <= 3, "changed: \(changed)")
                #expect(Set(expected).isSubset(of: Set(changed)), "changed: \(changed)")
            }
        }
    }
}
