/// Where stills come from: a SoraCam, any HTTP(S) snapshot URL, or a local file.
public protocol ImageSource {
    /// Names the camera in messages when no camera name is given (no secrets).
    var cameraID: String { get }
    /// Keys the camera's state, lock and history.
    var cameraKey: CameraKey { get }
    /// One JPEG still taken at (or as close as possible to) `now`, unix ms.
    func fetchStill(now: Int) throws(WatcherError) -> [UInt8]
    /// Problems the last fetch worked around, for the check's warnings.
    func warnings() -> [String]
}

extension ImageSource {
    public func warnings() -> [String] { [] }
}

/// A JPEG on disk (re-read at every check, so another program can keep replacing it).
public struct FileImageSource: ImageSource {
    public let path: String
    public var cameraID: String { "file:" + path }
    public var cameraKey: CameraKey { .file(path) }

    public init(path: String) {
        self.path = path
    }

    public func fetchStill(now: Int) throws(WatcherError) -> [UInt8] {
        do { return try FileSystem.read(path, limit: 32 << 20) } catch { throw WatcherError(.image, error.message) }
    }
}

/// An IP camera's snapshot URL (`http://user:pass@camera/snapshot.jpg` and the like).
/// 429 and 5xx are retried once after a short pause.
public struct SnapshotURLSource: ImageSource {
    public let url: String
    public let transport: HTTPTransport
    public let sleep: (Double) -> Void

    public init(url: String, transport: HTTPTransport, sleep: @escaping (Double) -> Void) {
        self.url = url
        self.transport = transport
        self.sleep = sleep
    }

    /// The host only: the URL may carry a password or a token.
    public var cameraID: String { "url:" + redactedURL(url) }
    /// The whole URL but its user and password: two cameras on one host are two cameras.
    public var cameraKey: CameraKey { .snapshotURL(url) }

    public func fetchStill(now: Int) throws(WatcherError) -> [UInt8] {
        let request = HTTPRequest(method: "GET", url: url, connectTimeout: 10, timeout: 30, maxResponseBytes: 32 << 20)
        var response: HTTPResponse
        do {
            response = try transport.send(request)
            if response.status == 429 || response.status >= 500 {
                sleep(2)
                response = try transport.send(request)
            }
        } catch where error.kind == .network || error.kind == .timeout {
            // A camera on the local network that does not answer is most likely off.
            throw WatcherError(error.kind, "snapshot from \(redactedURL(url)): \(error.message)", cause: .cameraOffline)
        }
        guard response.isSuccess else {
            throw WatcherError(.http, "snapshot from \(redactedURL(url)): HTTP \(response.status)",
                               status: response.status, cause: [401, 403].contains(response.status) ? .keyRejected : nil)
        }
        return response.body
    }
}
