#if canImport(Glibc)
import Glibc
#endif

/// Puts a retrained model in place of the current one, keeping the current one as a
/// backup beside it (`model.pb.backup-20261124-181524`, and its labels likewise).
/// The backup is a hard link (or a copy) made before anything changes; the new
/// labels and then the new model are each written to a temporary file and renamed
/// over the old, so a check never reads a half-written file.
public enum ModelInstaller {
    public struct Installed: Sendable {
        public var model: String
        public var labels: String
        public var modelBackup: String?
        public var labelsBackup: String?
    }

    public static func install(_ outcome: LearnOutcome, modelPath: String, labelsPath: String, now: Int) throws(WatcherError) -> Installed {
        let stamp = WallTime.fileStamp(now)
        let modelBackup = try backup(modelPath, stamp: stamp)
        let labelsBackup = try backup(labelsPath, stamp: stamp)
        try FileSystem.writeAtomically(Array((outcome.labels.joined(separator: "\n") + "\n").utf8), to: labelsPath)
        try FileSystem.writeAtomically(outcome.modelBytes, to: modelPath)
        return Installed(model: modelPath, labels: labelsPath, modelBackup: modelBackup, labelsBackup: labelsBackup)
    }

    /// A second name for the file's current content; nil if there is no file.
    static func backup(_ path: String, stamp: String) throws(WatcherError) -> String? {
        guard FileSystem.exists(path) else { return nil }
        var name = path + ".backup-" + stamp
        var suffix = 2
        while FileSystem.exists(name) {
            name = path + ".backup-" + stamp + "-\(suffix)"
            suffix += 1
        }
        if link(path, name) == 0 { return name }
        try FileSystem.writeAtomically(try FileSystem.read(path, limit: 1 << 30), to: name)
        return name
    }
}
