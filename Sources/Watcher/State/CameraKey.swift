/// Which camera a state file, lock and history belong to. The identity is the
/// whole source (a SoraCam device id, a snapshot URL without its user and password,
/// a file's absolute path), so two cameras on one host, or two files typed from
/// different folders, never share a state. File names show a readable part and a
/// short hash of the identity; the identity itself is never written or printed
/// (a snapshot URL's query may carry a token).
public struct CameraKey: Sendable, Equatable {
    let identity: String
    /// File-name-safe and free of secrets: `7CDDDEADBEEF`, `url-192.168.1.20_8080_snapshot.jpg`.
    public let readable: String
    /// The stem under which version 0.1 kept this camera's state (`camera-<name>`):
    /// a state found there is adopted once, so an upgrade forgets no open lock.
    public let legacyStem: String?

    public init(identity: String, readable: String, legacyStem: String? = nil) {
        self.identity = identity
        self.readable = String(FileSystem.safeName(readable).suffix(Self.readableLimit))
        self.legacyStem = legacyStem
    }

    static let readableLimit = 60

    /// `camera-7CDDDEADBEEF-1a2b3c4d`: names the state file, the lock and the history.
    public var fileStem: String { "camera-" + readable + "-" + ShortHash.of(identity) }

    public static func soraCam(deviceID: String) -> CameraKey {
        CameraKey(identity: "soracam:" + deviceID, readable: deviceID)
    }

    /// The URL without `user:password@`; the readable part without the query.
    public static func snapshotURL(_ url: String) -> CameraKey {
        let bare = withoutUserInfo(url)
        let afterScheme = bare.firstRange(of: "://").map { bare[$0.upperBound...] } ?? Substring(bare)
        let withoutQuery = afterScheme.prefix { $0 != "?" && $0 != "#" }
        return CameraKey(identity: "url:" + bare, readable: "url-" + tail(withoutQuery))
    }

    /// The file's absolute path (relative paths are taken from the current folder).
    public static func file(_ path: String) -> CameraKey {
        let absolute = FileSystem.absolutePath(path)
        return CameraKey(identity: "file:" + absolute, readable: "file-" + tail(absolute))
    }

    public static func named(_ name: String) -> CameraKey {
        CameraKey(identity: "name:" + name, readable: name)
    }

    /// The same key, remembering that version 0.1 named this camera's state by
    /// `name` (the camera name if one was given, else the source's id).
    public func adopting(legacyName name: String) -> CameraKey {
        CameraKey(identity: identity, readable: readable, legacyStem: "camera-" + FileSystem.safeName(name))
    }

    /// The end of a long path (where its file name is), leaving room for a prefix.
    static func tail(_ text: some StringProtocol) -> String {
        String(FileSystem.safeName(text).suffix(readableLimit - 5))
    }

    static func withoutUserInfo(_ url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return url }
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<separator.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
