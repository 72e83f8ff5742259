/// Plays a list of JPEG files as one camera, one file per check, in order: how
/// `watcher demo` shows the whole pipeline without a camera or credentials.
public final class PlaylistImageSource: ImageSource {
    public let paths: [String]
    public let cameraID: String
    public var cameraKey: CameraKey { .named(cameraID) }
    private var next = 0

    public init(paths: [String], cameraID: String = "demo") {
        self.paths = paths
        self.cameraID = cameraID
    }

    /// The file the next check will read.
    public var nextPath: String? { next < paths.count ? paths[next] : nil }

    public func fetchStill(now: Int) throws(WatcherError) -> [UInt8] {
        guard next < paths.count else { throw WatcherError(.image, "the playlist has no more stills") }
        let path = paths[next]
        next += 1
        do { return try FileSystem.read(path, limit: 32 << 20) } catch { throw WatcherError(.image, error.message) }
    }
}
