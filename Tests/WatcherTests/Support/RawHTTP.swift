import Foundation
import Watcher
#if canImport(Glibc)
import Glibc
#endif

/// Sends bytes to a local port exactly as given (no client tidies a hostile path)
/// and returns the status and body of the answer.
enum RawHTTP {
    struct Answer {
        var status: Int
        var headers: String
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(body) }
    }

    static func send(port: Int, _ head: String, body: [UInt8] = []) throws -> Answer {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { break }  // the server may answer and close before reading it all
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.dropFirst(9).prefix(3)) else {
            return Answer(status: 0, headers: text, body: [])
        }
        let headBytes = text[..<split.lowerBound].utf8.count + 4
        return Answer(status: status, headers: String(text[..<split.lowerBound]), body: Array(received[headBytes...]))
    }

    /// A request with the usual headers; `token` and JSON `body` for POSTs.
    static func request(port: Int, _ method: String, _ path: String, token: String? = nil, json: String? = nil,
                        host: String? = nil, extra: [String] = []) throws -> Answer {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: \(host ?? "127.0.0.1:\(port)")", "Connection: close"]
        if let token { lines.append("X-Watcher-Token: \(token)") }
        let body = Array((json ?? "").utf8)
        if method == "POST" { lines += ["Content-Type: application/json", "Content-Length: \(body.count)"] }
        lines += extra
        return try send(port: port, lines.joined(separator: "\r\n") + "\r\n\r\n", body: body)
    }
}
