import Foundation
@_spi(Testing) @testable import TinyGraph

/// The committed reference fixtures (Tests/Fixtures/models/*), made by tools/make_fixtures.py.
enum Fixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent() // Support
        url.deleteLastPathComponent() // TinyGraphTests
        return url.deletingLastPathComponent().appendingPathComponent("Fixtures/models").path
    }()

    static let realExport = root + "/customvision-fruits"

    struct Output {
        var name: String
        var shape: [Int]
        var isProbability: Bool
        var values: [Float]
    }

    struct Case {
        var name: String
        var directory: String
        var input: String
        var inputShape: [Int]
        var input32: [Float]
        var outputs: [Output]
        var ops: [String]
    }

    /// The fixtures the folder's index.json lists (see FixtureIndex): a listed fixture
    /// whose folder or files went missing fails its test instead of vanishing.
    static func names() -> [String] { FixtureIndex.names(in: root) }

    static func load(_ name: String) throws -> Case {
        let directory = root + "/" + name
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/meta.json"))) as! [String: Any]
        var outputs: [Output] = []
        for entry in meta["outputs"] as! [[String: Any]] {
            let shape = entry["shape"] as! [Int]
            outputs.append(Output(name: entry["name"] as! String, shape: shape,
                                  isProbability: (entry["kind"] as! String) == "probabilities",
                                  values: try floats(directory + "/" + (entry["file"] as! String), shape: shape)))
        }
        let inputShape = meta["input_shape"] as! [Int]
        return Case(name: name, directory: directory, input: meta["input"] as! String, inputShape: inputShape,
                    input32: try floats(directory + "/input.f32", shape: inputShape), outputs: outputs,
                    ops: meta["ops"] as? [String] ?? [])
    }

    struct WrongLength: Error, CustomStringConvertible {
        var description: String
    }

    /// Raw little-endian float32; with `shape`, a file of any other length is an error
    /// (a truncated or stale golden must fail the fixture, not shorten the comparison).
    static func floats(_ path: String, shape: [Int]? = nil) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let shape, data.count != 4 * shape.reduce(1, *) {
            throw WrongLength(description: "\(path) has \(data.count) bytes; shape \(shape) needs \(4 * shape.reduce(1, *))")
        }
        return data.withUnsafeBytes { raw in (0..<data.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The engine issue's tolerance: 1e-5 absolute on probabilities, 1e-4 × max(1, max|reference|) on logits.
    static func tolerance(_ output: Output) -> Float {
        if output.isProbability { return 1e-5 }
        let largest = output.values.reduce(Float(0)) { max($0, abs($1)) }
        return 1e-4 * max(1, largest)
    }
}
