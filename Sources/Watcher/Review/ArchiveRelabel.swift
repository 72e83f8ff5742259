#if canImport(Glibc)
import Glibc
#endif

extension ArchiveFolder {
    /// Moves a crop (and its full still, if the archive kept one) into another label's
    /// folder. The crop appears there whole or not at all, and nothing is ever
    /// overwritten: a hard link under the new folder, then the old name is removed
    /// (a crash in between leaves the crop in both folders, never in none). On a
    /// file system without hard links, a rename after checking the name is free.
    public func move(_ crop: Crop, to label: String) throws(WatcherError) {
        guard Self.isSafeName(label), label != crop.label else {
            throw WatcherError(.usage, "cannot move \(crop.relativePath) to '\(label)'")
        }
        let targetFolder = FileSystem.join(path, label)
        try FileSystem.createDirectory(targetFolder)
        try Self.moveWithoutReplacing(filePath(crop), to: FileSystem.join(targetFolder, crop.name))
        let stem = String(crop.name.prefix { $0 != "." })
        let still = FileSystem.join(FileSystem.join(path, crop.label), stem + ".still.jpg")
        if stem + ".jpg" == crop.name, FileSystem.exists(still) {
            try? Self.moveWithoutReplacing(still, to: FileSystem.join(targetFolder, stem + ".still.jpg"))
        }
    }

    static func moveWithoutReplacing(_ source: String, to destination: String) throws(WatcherError) {
        if link(source, destination) == 0 {
            guard unlink(source) == 0 || errno == ENOENT else {
                throw WatcherError(.io, "moved \(source) to \(destination) but cannot remove the old name: \(FileSystem.lastError())")
            }
            return
        }
        let reason = errno
        guard reason == EPERM || reason == EXDEV || reason == EMLINK || reason == ENOTSUP || reason == ENOSYS else {
            throw WatcherError(reason == EEXIST ? .usage : .io, reason == EEXIST
                ? "\(destination) already exists"
                : "cannot move \(source) to \(destination): \(String(cString: strerror(reason)))")
        }
        guard !FileSystem.exists(destination) else { throw WatcherError(.usage, "\(destination) already exists") }
        guard rename(source, destination) == 0 else {
            throw WatcherError(.io, "cannot move \(source) to \(destination): \(FileSystem.lastError())")
        }
    }
}
