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
        guard let bytes = try? FileSystem.read(path, limit: 16 << 10), let json = try? JSONValue.parse(bytes) else {
            return nil
        }
        return SoraCamToken(json: json)
    }

    public func save(_ token: SoraCamToken) throws(WatcherError) {
        do {
            try FileSystem.writeAtomically(Array(token.json.rendered.utf8), to: path, mode: 0o600)
        } catch {
            throw WatcherError(.state, "token store: \(error.message)")
        }
    }

    public func remove() {
        unlink(path)
    }
}
