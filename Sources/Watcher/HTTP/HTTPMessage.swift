/// One HTTP header line.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request as the watcher's clients build it: small bodies, held in memory.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Seconds to establish the connection (TCP and TLS).
    public var connectTimeout: Double
    /// Seconds for the whole transfer, connection included.
    public var timeout: Double
    /// A response body larger than this fails the request instead of filling memory.
    public var maxResponseBytes: Int
    /// Follow up to 5 redirects (http/https only). Off by default: an API answer
    /// that redirects is a surprise, but a download URL may legitimately move.
    public var followRedirects: Bool = false

    public init(
        method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
        connectTimeout: Double = 10, timeout: Double = 30, maxResponseBytes: Int = 16 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Sends one request and returns whatever status came back; throws only when no
/// response arrived (`.network`, `.timeout`) or it was too large (`.http`).
/// Retries are the caller's decision, not the transport's.
public protocol HTTPTransport {
    func send(_ request: HTTPRequest) throws(WatcherError) -> HTTPResponse
}
