#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the watcher needs, without Foundation. Every write is
/// atomic (temporary file in the same folder, fsync, rename), so a crash, a full
/// disk or a kill never leaves a half-written state file or snapshot.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The whole file; refuses files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(WatcherError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WatcherError(.io, "cannot open \(path): \(lastError())") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw WatcherError(.io, "cannot read \(path): \(lastError())")
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw WatcherError(.io, "\(path) is larger than \(limit) bytes") }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes `bytes` to `path` atomically with the given permissions (set on the
    /// temporary file before any byte is written, so a secret is never readable by
    /// others), then makes the rename durable by syncing the folder.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(WatcherError) {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        // O_EXCL + O_NOFOLLOW: never write through a file or link someone else put there.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw WatcherError(.io, "cannot create \(temporary): \(lastError())") }
        var failure: String?
        if fchmod(descriptor, mode) != 0 { failure = lastError() }  // the umask may have narrowed or widened it
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = lastError()
                break
            }
            written += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = lastError() }
        if close(descriptor) != 0, failure == nil { failure = lastError() }
        if failure == nil, rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw WatcherError(.io, "cannot write \(path): \(failure)")
        }
        syncDirectory(of: path)
    }

    /// `mkdir -p`.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755) throws(WatcherError) {
        guard !path.isEmpty, !isDirectory(path) else { return }
        let parent = directory(of: path)
        if parent != path, parent != ".", parent != "/" { try createDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw WatcherError(.io, "cannot create folder \(path): \(lastError())")
        }
    }

    /// Names in a folder, without `.` and `..`; empty if the folder does not exist.
    public static func list(_ path: String) -> [String] {
        guard let folder = opendir(path) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Last modification time in unix seconds, or nil.
    public static func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mtim.tv_sec)
    }

    public static func remove(_ path: String) throws(WatcherError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw WatcherError(.io, "cannot remove \(path): \(lastError())") }
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Environment variables (options fall back to `WATCHER_*`, credentials to `SORACOM_*`).
public enum Environment {
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
