#if canImport(Glibc)
import Glibc
#endif

/// The smallest HTTP/1.1 server that the Azure Functions host can talk to: it
/// listens on 127.0.0.1 only, serves one request per connection (answering
/// with `Connection: close`), one connection at a time, bodies by
/// Content-Length up to 4 MiB. A custom handler needs no more: the host sends
/// each event as one POST and waits for the answer.
public final class LocalHTTPServer {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [HTTPHeader]
        public var body: [UInt8]
    }

    private let listener: Int32
    public let port: Int

    public init(port: Int) throws(WatcherError) {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { throw WatcherError(.io, "cannot create a socket: \(FileSystem.lastError())") }
        var yes: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketDescriptor, 16) == 0 else {
            let message = FileSystem.lastError()
            close(socketDescriptor)
            throw WatcherError(.io, "cannot listen on 127.0.0.1:\(port): \(message)")
        }
        listener = socketDescriptor
        self.port = port
    }

    deinit { close(listener) }

    /// Answers requests with `handle` (status, content type, body) until a stop
    /// is requested (SIGTERM, SIGINT).
    public func serve(_ handle: (Request) -> (Int, [UInt8])) {
        while !Interruption.isRequested {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 500)
            guard ready > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let (status, body) = Self.read(connection).map(handle) ?? (400, Array("bad request\n".utf8))
            let head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : status == 404 ? "Not Found" : "Error")\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            Self.write(connection, Array(head.utf8) + body)
            close(connection)
        }
    }

    static func read(_ connection: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var headEnd: Int?
        while headEnd == nil {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0, buffer.count + count <= 64 << 10 || headEnd != nil else { return nil }
            buffer.append(contentsOf: chunk[..<count])
            headEnd = find([13, 10, 13, 10], in: buffer)
        }
        let lines = String(decoding: buffer[..<headEnd!], as: UTF8.self).split(separator: "\r\n").map(String.init)
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count == 3 else { return nil }
        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        guard length <= 4 << 20, !headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) else { return nil }
        var body = Array(buffer[(headEnd! + 4)...])
        while body.count < length {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[..<count])
        }
        let target = String(requestLine[1])
        return Request(method: String(requestLine[0]), path: String(target.prefix { $0 != "?" }), headers: headers,
                       body: Array(body.prefix(length)))
    }

    static func write(_ connection: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
