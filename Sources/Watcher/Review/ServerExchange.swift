/// One HTTP/1.1 request as the review server accepts it: a request line, headers,
/// and a body only with a Content-Length within the limit. Anything else is
/// answered with an error status and never reaches a handler.
struct ServerRequest {
    var method: String
    /// The path, percent-decoded, split on "/" (empty segments dropped).
    var segments: [String]
    /// The query's `key=value` pairs, percent-decoded.
    var query: [String: String]
    /// Header names in lower case.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name] }

    /// The most a request's head (request line and headers) may take.
    static let headLimit = 16 << 10

    /// Reads one request. Errors are the response to send.
    static func read(from connection: HTTPConnection, bodyLimit: Int) -> Result<ServerRequest, ServerResponse> {
        var received: [UInt8] = []
        var headEnd: Int?
        let started = Monotonic.seconds()
        while headEnd == nil {
            guard Monotonic.seconds() - started < Double(2 * HTTPConnection.timeoutSeconds) else { return .failure(.status(408)) }
            guard let chunk = connection.read(upTo: 4096) else { return .failure(.status(408)) }
            guard !chunk.isEmpty else { return .failure(.status(400)) }
            received += chunk
            headEnd = find([13, 10, 13, 10], in: received)
            if headEnd == nil, received.count > headLimit { return .failure(.status(431)) }
        }
        guard let end = headEnd, end <= headLimit else { return .failure(.status(431)) }
        guard var request = parseHead(Array(received[..<end])) else { return .failure(.status(400)) }

        if request.headers["transfer-encoding"] != nil { return .failure(.status(501)) }
        var length = 0
        if let text = request.headers["content-length"] {
            guard let value = Int(text), value >= 0 else { return .failure(.status(400)) }
            length = value
        } else if request.method == "POST" {
            return .failure(.status(411))
        }
        guard length <= bodyLimit else { return .failure(.status(413)) }
        var body = Array(received[(end + 4)...])
        guard body.count <= length else { return .failure(.status(400)) }
        while body.count < length {
            guard Monotonic.seconds() - started < Double(2 * HTTPConnection.timeoutSeconds),
                  let chunk = connection.read(upTo: min(65536, length - body.count)), !chunk.isEmpty else {
                return .failure(.status(408))
            }
            body += chunk
        }
        request.body = body
        return .success(request)
    }

    static func parseHead(_ bytes: [UInt8]) -> ServerRequest? {
        guard bytes.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) || $0 == 13 || $0 == 10 }) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0", parts[1].hasPrefix("/") else { return nil }
        let target = String(parts[1])
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") else { return nil }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return nil }
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }.reversed()
                .drop { $0 == " " || $0 == "\t" }.reversed())
            if let existing = headers[name] {
                guard name != "content-length", name != "host" else { return nil }  // ambiguous: refuse
                headers[name] = existing + ", " + value
            } else {
                headers[name] = value
            }
        }
        let pathPart = target.prefix { $0 != "?" }
        var segments: [String] = []
        for raw in pathPart.split(separator: "/") {
            guard let decoded = percentDecoded(String(raw)) else { return nil }
            segments.append(decoded)
        }
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = percentDecoded(String(pieces[0])), let value = percentDecoded(pieces.count > 1 ? String(pieces[1]) : "") else { return nil }
                query[key] = value
            }
        }
        return ServerRequest(method: String(parts[0]), segments: segments, query: query, headers: headers, body: [])
    }

    /// `%XX` decoding (and `+` kept as is); nil for a broken escape or invalid UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == 37 {  // %
                guard utf8.count >= 2, let high = hex(utf8[utf8.startIndex]), let low = hex(utf8[utf8.startIndex + 1]) else { return nil }
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        return Array(decoded.utf8) == bytes ? decoded : nil
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// A response: status, content type, body, and the headers every answer carries
/// (no caching, no sniffing, no framing, no referrer).
struct ServerResponse: Error {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var extraHeaders: [(String, String)] = []

    static func status(_ code: Int, _ message: String? = nil) -> ServerResponse {
        let text = message ?? reason(code)
        return ServerResponse(status: code, contentType: "application/json",
                            body: Array((JSONValue.object([JSONMember("error", .string(text))]).rendered + "\n").utf8))
    }

    static func json(_ value: JSONValue, status: Int = 200) -> ServerResponse {
        ServerResponse(status: status, contentType: "application/json", body: Array((value.rendered + "\n").utf8))
    }

    func serialized() -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        head += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"
        for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static func reason(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        default: return "Status \(code)"
        }
    }
}
