/// Where stills come from: a SoraCam, any HTTP(S) snapshot URL, or a local file.
public protocol ImageSource {
    /// Identifies the camera in messages and names its state file.
    var cameraID: String { get }
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

    public func fetchStill(now: Int) throws(WatcherError) -> [UInt8] {
        let request = HTTPRequest(method: "GET", url: url, connectTimeout: 10, timeout: 30, maxResponseBytes: 32 << 20)
        var response = try transport.send(request)
        if response.status == 429 || response.status >= 500 {
            sleep(2)
            response = try transport.send(request)
        }
        guard response.isSuccess else {
            throw WatcherError(.http, "snapshot from \(redactedURL(url)): HTTP \(response.status)",
                               status: response.status)
        }
        return response.body
    }
}
