import Foundation
import TinyImage

/// Archives of small JPEG crops in one colour each, with a little deterministic
/// noise, for the colour-lock fixture model (it says `open` for red, `close` for
/// blue, and cannot tell green from grey).
enum ColourCrops {
    static func jpeg(r: Int, g: Int, b: Int, seed: Int, size: Int = 32) -> [UInt8] {
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        var pixels: [UInt8] = []
        pixels.reserveCapacity(size * size * 3)
        for _ in 0..<(size * size) {
            for base in [r, g, b] {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int(state >> 59) - 16  // -16...15
                pixels.append(UInt8(clamping: base + noise))
            }
        }
        return try! JPEGEncoder.encode(RGBImage(width: size, height: size, pixels: pixels), quality: 90)
    }

    /// Writes `count` crops of one colour into `archive/label/`, named like the watcher's archive.
    static func write(_ archive: URL, label: String, count: Int, r: Int, g: Int, b: Int, firstSeed: Int = 0) throws {
        let folder = archive.appendingPathComponent(label)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in 0..<count {
            let seed = firstSeed + index
            // A distinct time per seed, so that crops of different folders never share a name.
            let name = String(format: "20261120-%02d%02d%02d-000-Front_door-p%02d.jpg", 8 + seed / 60 % 12, seed % 60, index % 60, 50 + seed % 50)
            try Data(jpeg(r: r + seed % 7, g: g + seed % 5, b: b + seed % 3, seed: seed)).write(to: folder.appendingPathComponent(name))
        }
    }

    /// A copy of the colour-lock model and its labels in `folder/model/`.
    static func modelCopy(in folder: URL) throws -> String {
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: TestStills.model).deletingLastPathComponent()
        for name in ["model.pb", "labels.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
        return model.appendingPathComponent("model.pb").path
    }

    /// Every file under the folders and its bytes, to show that nothing changed.
    static func snapshot(_ folders: [URL]) -> [String: Data] {
        var files: [String: Data] = [:]
        for folder in folders {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where !url.hasDirectoryPath {
                files[url.path] = try? Data(contentsOf: url)
            }
        }
        return files
    }
}
