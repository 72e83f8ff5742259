#if canImport(Glibc)
import Glibc
#endif

/// Keeps a SORACOM API token between runs, so a watcher started by cron every
/// few minutes logs in once a day instead of at every check.
public protocol SoraCamTokenStore {
    /// The stored token, or nil when there is none or it cannot be read.
    func load() -> SoraCamToken?
    func save(_ token: SoraCamToken) throws(WatcherError)
    /// Forgets the token (the API refused it).
    func remove()
}

/// A token in a JSON file, readable by its owner only (mode 0600: the token is a
/// credential). Written atomically: temporary file in the same folder, fsync,
/// rename, so a crash leaves the old token or the new one, never half of one.
public struct FileTokenStore: SoraCamTokenStore, Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func load() -> SoraCamToken? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 16 << 10)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        guard let json = try? JSONValue.parse(Array(bytes[..<filled])) else { return nil }
        return SoraCamToken(json: json)
    }

    public func save(_ token: SoraCamToken) throws(WatcherError) {
        let bytes = Array(token.json.rendered.utf8)
        let temporary = "\(path).tmp-\(getpid())"
        unlink(temporary)
        // O_EXCL: never write through a file (or link) someone else put there.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        var problem: String?
        if fchmod(descriptor, 0o600) != 0 { problem = "cannot set mode 0600 on \(temporary)" }
        var written = 0
        while problem == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { problem = "cannot write \(temporary)" } else { written += count }
        }
        if problem == nil, fsync(descriptor) != 0 { problem = "cannot flush \(temporary)" }
        if close(descriptor) != 0, problem == nil { problem = "cannot close \(temporary)" }
        if problem == nil, rename(temporary, path) != 0 { problem = "cannot rename \(temporary) to \(path)" }
        if let problem {
            let error = failure(problem)
            unlink(temporary)
            throw error
        }
        syncFolder()
    }

    public func remove() {
        unlink(path)
    }

    /// Makes the rename itself durable.
    private func syncFolder() {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private func failure(_ what: String) -> WatcherError {
        WatcherError(.state, "token store: \(what): \(String(cString: strerror(errno)))")
    }
}
