/// What S3 and Azure Blob share: sending a signed request with bounded retries
/// of throttling and server errors, and turning the answers a person must act
/// on (403, a missing bucket, throttling that does not stop) into one clear line.
struct ObjectRequests: @unchecked Sendable {
    let transport: HTTPTransport
    /// `s3://bucket/prefix/`, for messages.
    let location: String
    /// What to do about a 403, in words for this service.
    let accessAdvice: String
    var now: @Sendable () -> Int = WallTime.nowMillis
    var sleep: @Sendable (Double) -> Void = { Interruption.sleep(seconds: $0) }
    /// Attempts per request when the service throttles (429, 503) or fails (500, 502, 504).
    static let attempts = 4

    /// Sends what `build` makes (signed afresh for each attempt). Reads are also
    /// retried after a network error; writes are not, since a write whose answer
    /// was lost may have happened.
    func send(_ what: String, idempotent: Bool, _ build: (Int) -> HTTPRequest) throws(WatcherError) -> HTTPResponse {
        var delay = 0.25
        for attempt in 1...Self.attempts {
            try Interruption.check(what)
            let response: HTTPResponse
            do {
                response = try transport.send(build(now()))
            } catch where (error.kind == .network || error.kind == .timeout) && idempotent && attempt < Self.attempts {
                sleep(delay)
                delay *= 2
                continue
            } catch where error.kind == .network || error.kind == .timeout {
                throw WatcherError(.state, "\(what) \(location): \(error.message)")
            }
            guard [429, 500, 502, 503, 504].contains(response.status) else { return response }
            guard attempt < Self.attempts else {
                let code = Self.errorCode(response).map { " \($0)" } ?? ""
                if response.status == 429 || response.status == 503 {
                    throw WatcherError(.state, "\(what) \(location): the service is throttling requests (\(response.status)\(code)) "
                        + "after \(Self.attempts) attempts; the next check tries again", status: response.status)
                }
                throw WatcherError(.state, "\(what) \(location): server error \(response.status)\(code) after \(Self.attempts) attempts",
                                   status: response.status)
            }
            let retryAfter = response.header("Retry-After").flatMap { Double($0) }.map { min($0, 10) }
            sleep(retryAfter ?? delay)
            delay *= 2
        }
        throw WatcherError(.state, "\(what) \(location): no answer")  // not reached: the last attempt returns or throws
    }

    /// The error for an answer the caller did not expect (after 404 and 412 were handled).
    func failure(_ what: String, _ response: HTTPResponse) -> WatcherError {
        let code = Self.errorCode(response)
        let detail = "\(response.status)" + (code.map { " " + $0 } ?? "")
        switch response.status {
        case 403:
            return WatcherError(.state, "\(what) \(location): access denied (\(detail)): \(accessAdvice)", status: 403)
        case 404 where code == "NoSuchBucket":
            return WatcherError(.state, "\(location): the bucket does not exist (\(detail)); create it or fix the location",
                                status: 404)
        case 404 where code == "ContainerNotFound":
            return WatcherError(.state, "\(location): the container does not exist (\(detail)); create it or fix the location",
                                status: 404)
        case 400 where code == "AuthorizationHeaderMalformed" || code == "InvalidRequest":
            return WatcherError(.state, "\(what) \(location): refused (\(detail)); is AWS_REGION the bucket's region?",
                                status: 400)
        default:
            let message = Self.errorMessage(response).map { ": " + redactingURLs(in: $0) } ?? ""
            return WatcherError(.state, "\(what) \(location) failed (\(detail))\(message)", status: response.status)
        }
    }

    /// S3's `<Code>` or Azure's `x-ms-error-code` (also in `<Code>`).
    static func errorCode(_ response: HTTPResponse) -> String? {
        response.header("x-ms-error-code") ?? XMLScan.firstValue("Code", in: response.body)
    }

    static func errorMessage(_ response: HTTPResponse) -> String? {
        XMLScan.firstValue("Message", in: response.body).map { String($0.prefix(200)) }
    }
}

/// Just enough XML for the services' listings and errors: the text of named
/// elements, with the five predefined entities decoded. The documents are small
/// and flat; no general parser is needed.
enum XMLScan {
    /// The text of each `<name>…</name>`, in order.
    static func values(_ name: String, in text: Substring) -> [String] {
        elements(name, in: text).map { decode($0) }
    }

    static func firstValue(_ name: String, in bytes: [UInt8]) -> String? {
        values(name, in: Substring(String(decoding: bytes, as: UTF8.self))).first
    }

    /// The raw contents of each `<name>…</name>` (for nested blocks such as `<Contents>`).
    static func elements(_ name: String, in text: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = text
        let open = "<" + name + ">", close = "</" + name + ">"
        while let start = rest.firstRange(of: open), let end = rest[start.upperBound...].firstRange(of: close) {
            found.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return String(text).replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
    }
}
