import Foundation
import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// A request as `FakeHTTPServer` received it.
struct RecordedRequest: Sendable {
    var method: String
    /// The request target as sent: path plus `?query`.
    var target: String
    var path: String
    /// The text after `?`, if any.
    var query: String?
    var headers: [HTTPHeader]
    var body: [UInt8]
    /// Which TCP connection carried it (1, 2, … in accept order): equal numbers
    /// on consecutive requests show a kept-alive connection was reused.
    var connection: Int

    /// The first header with this name, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

/// What `FakeHTTPServer` answers to one request.
struct FakeResponse: Sendable {
    var status: Int
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []
    /// Seconds to wait before answering (a slow server; longer than the client's timeout).
    var delay: Double = 0
    /// Announce the whole body's Content-Length, send only this many bytes of it,
    /// then close the connection (a truncated transfer).
    var truncateBodyAfter: Int? = nil
    /// Send no Content-Length: the body ends when the connection closes.
    var omitContentLength = false
    /// Close the connection after this answer.
    var closeConnection = false

    static func json(_ value: JSONValue, status: Int = 200, headers: [HTTPHeader] = []) -> FakeResponse {
        FakeResponse(status: status, headers: headers + [HTTPHeader("Content-Type", "application/json")],
                     body: Array(value.rendered.utf8))
    }

    static func text(_ text: String, status: Int = 200, headers: [HTTPHeader] = []) -> FakeResponse {
        FakeResponse(status: status, headers: headers + [HTTPHeader("Content-Type", "text/plain")], body: Array(text.utf8))
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 for tests: an ephemeral port, BSD
/// sockets, one thread accepting and one thread per connection. It reads
/// Content-Length bodies, answers `Expect: 100-continue`, keeps connections alive
/// (unless `Connection: close` or HTTP/1.0), and logs every request it received
/// before answering it. Chunked request bodies are refused with 501.
///
///     let server = try FakeHTTPServer { request in
///         request.path == "/hook" ? .text("ok") : FakeResponse(status: 404)
///     }
///     defer { server.stop() }
///     // … send to server.baseURL + "/hook", then inspect server.requests
final class FakeHTTPServer: @unchecked Sendable {
    typealias Route = @Sendable (RecordedRequest) -> FakeResponse

    let port: Int
    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let route: Route
    private let lock = NSLock()
    private var log: [RecordedRequest] = []
    private var openConnections: Set<Int32> = []
    private var connectionCount = 0
    private var stopped = false

    init(route: @escaping Route) throws {
        self.route = route
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            let error = errno
            close(listener)
            throw POSIXError(.init(rawValue: error) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "FakeHTTPServer accept"
        thread.start()
    }

    deinit { stop() }

    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] {
        lock.withLock { log }
    }

    /// The received requests with this path (and method, if given).
    func requests(path: String, method: String? = nil) -> [RecordedRequest] {
        requests.filter { $0.path == path && (method == nil || $0.method == method) }
    }

    func clearLog() {
        lock.withLock { log.removeAll() }
    }

    /// Stops accepting and drops every open connection. Safe to call twice.
    func stop() {
        let connections: Set<Int32> = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            // shutdown wakes the thread blocked in accept (close alone does not on Linux).
            shutdown(listener, Int32(SHUT_RDWR))
            return openConnections
        }
        for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then released).
    static func unusedPort() -> Int {
        let probe = try? FakeHTTPServer { _ in FakeResponse(status: 500) }
        let port = probe?.port ?? 9
        probe?.stop()
        return port
    }

    // MARK: Connections

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            let number: Int? = lock.withLock {
                guard !stopped else { return nil }
                connectionCount += 1
                openConnections.insert(connection)
                return connectionCount
            }
            guard let number else {
                close(connection)
                break
            }
            // A safety net: an idle kept-alive connection does not hold its thread forever.
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in serve(connection, number: number) }
            thread.name = "FakeHTTPServer connection \(number)"
            thread.start()
        }
        close(listener)
    }

    private func serve(_ socket: Int32, number: Int) {
        var reader = SocketReader(socket: socket)
        defer {
            lock.withLock { _ = openConnections.remove(socket) }
            close(socket)
        }
        while let head = reader.readHead() {
            guard var request = Self.parseHead(head, connection: number) else {
                reader.write(Self.encode(.text("bad request", status: 400), method: "GET", close: true))
                return
            }
            if request.header("Transfer-Encoding") != nil {
                reader.write(Self.encode(.text("chunked bodies are not supported", status: 501), method: request.method, close: true))
                return
            }
            if request.header("Expect")?.lowercased() == "100-continue" {
                reader.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            let length = Int(request.header("Content-Length") ?? "0") ?? 0
            guard let body = reader.read(count: length) else { return }
            request.body = body
            lock.withLock { log.append(request) }

            let response = route(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            let http10 = head.first.map { String(decoding: $0, as: UTF8.self).hasSuffix("HTTP/1.0") } ?? false
            let closing = response.closeConnection || response.truncateBodyAfter != nil || response.omitContentLength
                || request.header("Connection")?.lowercased() == "close" || http10
            guard reader.write(Self.encode(response, method: request.method, close: closing)), !closing else { return }
        }
    }

    /// Parses the request line and headers (lines without their CRLF).
    private static func parseHead(_ lines: [[UInt8]], connection: Int) -> RecordedRequest? {
        guard let first = lines.first else { return nil }
        let parts = String(decoding: first, as: UTF8.self).split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
        let target = String(parts[1])
        let question = target.firstIndex(of: "?")
        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() {
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return nil }
            headers.append(HTTPHeader(String(text[..<colon]),
                                      text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return RecordedRequest(
            method: String(parts[0]), target: target, path: String(target[..<(question ?? target.endIndex)]),
            query: question.map { String(target[target.index(after: $0)...]) }, headers: headers, body: [],
            connection: connection)
    }

    private static func encode(_ response: FakeResponse, method: String, close: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        let ownsLength = response.headers.contains { $0.name.lowercased() == "content-length" }
        if !ownsLength, !response.omitContentLength { head += "Content-Length: \(response.body.count)\r\n" }
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        guard method != "HEAD" else { return Array(head.utf8) }
        return Array(head.utf8) + response.body.prefix(response.truncateBodyAfter ?? response.body.count)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Buffered reads and whole writes on one connected socket.
private struct SocketReader {
    let socket: Int32
    private var buffer: [UInt8] = []

    init(socket: Int32) { self.socket = socket }

    /// The request line and header lines, or nil when the peer closed first.
    mutating func readHead() -> [[UInt8]]? {
        while true {
            if let end = headEnd() {
                let head = Array(buffer[..<end])
                buffer.removeFirst(end + 4)
                return split(head)
            }
            guard buffer.count < 64 << 10, fill() else { return nil }
        }
    }

    /// Exactly `count` body bytes, or nil when the peer closed first.
    mutating func read(count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        let body = Array(buffer[..<count])
        buffer.removeFirst(count)
        return body
    }

    /// Sends all of `bytes`; false when the peer is gone. MSG_NOSIGNAL: a closed
    /// peer must not raise SIGPIPE in the test process.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func split(_ head: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        var index = 0
        while index < head.count {
            if head[index] == 13, index + 1 < head.count, head[index + 1] == 10 {
                lines.append(Array(head[start..<index]))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(Array(head[start...]))
        return lines
    }
}
