#if canImport(Glibc)
import Glibc
#endif

/// The watcher's archive read as labeled crops: one folder per label holding JPEG
/// crops, the layout `SnapshotArchive` writes (`open/`, `close/`, `unsure/`). A person
/// corrects a label by moving a crop to another folder. `unsure/` holds crops nobody
/// has sorted yet; hidden names, full stills (`*.still.jpg`) and the archive's
/// temporary files are never crops.
public struct ArchiveFolder: Sendable {
    public let path: String

    /// Crops the watcher was unsure about: shown for sorting, never trained on.
    public static let unsure = "unsure"

    public init(path: String) {
        self.path = path
    }

    public struct Crop: Sendable, Equatable {
        /// The folder it is in.
        public var label: String
        /// Its file name in that folder.
        public var name: String
        /// When it was taken (unix ms): from the archive's name, else the file's time.
        public var time: Int
        /// The camera and the top label's probability at the time, from the archive's name.
        public var camera: String?
        public var probability: Double?

        public var relativePath: String { label + "/" + name }
    }

    /// Folder names that can be labels: visible, not `unsure`, sorted.
    public func labelFolders() -> [String] {
        FileSystem.list(path).filter {
            $0 != Self.unsure && Self.isSafeName($0) && FileSystem.isDirectory(FileSystem.join(path, $0))
        }
    }

    /// The crops in one folder, newest first.
    public func crops(in folder: String) -> [Crop] {
        guard Self.isSafeName(folder) else { return [] }
        let directory = FileSystem.join(path, folder)
        var result: [Crop] = []
        for name in FileSystem.list(directory) where Self.isCropName(name) {
            var crop = Self.parse(name: name, label: folder)
            if crop.time == 0 { crop.time = (FileSystem.modificationTime(FileSystem.join(directory, name)) ?? 0) * 1000 }
            result.append(crop)
        }
        return result.sorted { ($0.time, $0.name) > ($1.time, $1.name) }
    }

    public func filePath(_ crop: Crop) -> String {
        FileSystem.join(FileSystem.join(path, crop.label), crop.name)
    }

    /// A name that is one plain entry of a folder: no separator, not `.` or `..`, not
    /// hidden, printable, short.
    public static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 200, !name.hasPrefix(".") else { return false }
        return name.unicodeScalars.allSatisfy { $0 != "/" && $0 != "\\" && $0.value >= 0x20 && $0.value != 0x7F }
    }

    /// A crop's file name: a safe name ending in `.jpg` or `.jpeg` (any case), not a
    /// full still, not one of `FileSystem.writeAtomically`'s temporary files.
    public static func isCropName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return isSafeName(name) && (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")) && !lower.hasSuffix(".still.jpg")
            && !lower.contains(".tmp-")
    }

    /// `SnapshotArchive`'s name: `YYYYMMDD-HHMMSS-mmm-<camera>-p<percent>.jpg`, local
    /// time. Other names give a crop without time, camera or probability.
    static func parse(name: String, label: String) -> Crop {
        var crop = Crop(label: label, name: name, time: 0, camera: nil, probability: nil)
        let characters = Array(name.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            var value = 0
            for index in range {
                guard characters[index] >= 48, characters[index] <= 57 else { return nil }
                value = value * 10 + Int(characters[index] - 48)
            }
            return value
        }
        guard let date = digits(0..<8), characters.count > 20, characters[8] == 45, let clock = digits(9..<15),
              characters[15] == 45, let millis = digits(16..<19), characters[19] == 45 else { return crop }
        var parts = tm()
        parts.tm_year = Int32(date / 10000 - 1900)
        parts.tm_mon = Int32(date / 100 % 100 - 1)
        parts.tm_mday = Int32(date % 100)
        parts.tm_hour = Int32(clock / 10000)
        parts.tm_min = Int32(clock / 100 % 100)
        parts.tm_sec = Int32(clock % 100)
        parts.tm_isdst = -1
        let seconds = mktime(&parts)
        guard seconds > 0 else { return crop }
        crop.time = Int(seconds) * 1000 + millis
        // The rest: "<camera>-p<percent>.jpg".
        let stem = Array(characters[20...].prefix { $0 != 46 })  // up to the first "."
        if let marker = stem.indices.last(where: { $0 + 1 < stem.count && stem[$0] == 45 && stem[$0 + 1] == 112 }),
           let percent = Int(String(decoding: stem[(marker + 2)...], as: UTF8.self)), (0...100).contains(percent) {
            crop.camera = String(decoding: stem[..<marker], as: UTF8.self)
            crop.probability = Double(percent) / 100
        }
        return crop
    }
}
