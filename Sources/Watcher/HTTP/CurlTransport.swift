import CCurlShim
import Synchronization

/// `HTTPTransport` over libcurl. One easy handle is reused for every request, so
/// calls to the same host share a kept-alive connection (and its TLS session).
/// TLS peer and host verification stay on; only the CA bundle can be changed.
/// Requests are serialised: one transfer at a time per transport.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    /// The `User-Agent` when the caller gives none.
    public static let defaultUserAgent = "watcher/0.1"

    private let handle: UnsafeMutableRawPointer
    /// curl writes its detailed error text here (CURL_ERROR_SIZE bytes).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let userAgent: String
    private let caBundlePath: String?
    private let lock = Mutex(())

    /// - Parameters:
    ///   - userAgent: sent as `User-Agent` unless a request sets its own.
    ///   - caBundlePath: a PEM file of trusted CAs instead of the system's (tests
    ///     with their own CA; default: `CABundle.path`); verification itself
    ///     cannot be turned off.
    public init(userAgent: String = CurlTransport.defaultUserAgent, caBundlePath: String? = nil) throws(WatcherError) {
        let initCode = ccurl_global_init()
        guard initCode == CURLE_OK else { throw WatcherError(.network, "libcurl failed to initialise (code \(initCode.rawValue))") }
        guard let handle = curl_easy_init() else { throw WatcherError(.network, "libcurl could not create a handle") }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.userAgent = userAgent
        self.caBundlePath = caBundlePath ?? CABundle.path
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    public func send(_ request: HTTPRequest) throws(WatcherError) -> HTTPResponse {
        try lock.withLock { _ throws(WatcherError) -> HTTPResponse in try perform(request) }
    }

    private func perform(_ request: HTTPRequest) throws(WatcherError) -> HTTPResponse {
        let origin = redactedURL(request.url)
        let method = request.method.uppercased()
        guard origin.hasPrefix("http://") || origin.hasPrefix("https://") else {
            throw WatcherError(.usage, "not an http(s) URL: \(origin)")
        }
        try Interruption.check("\(method) \(origin)")
        // Reset drops the previous request's options but keeps open connections.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let transfer = CurlTransfer(upload: method == "PUT" ? request.body : [], maxBodyBytes: request.maxResponseBytes)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // Timeouts without SIGALRM: the process may be multi-threaded.
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        if let caBundlePath { ccurl_setopt_string(handle, CURLOPT_CAINFO, caBundlePath) }
        if request.followRedirects {
            ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 5)
            ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        ccurl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        // Refuses early when the server announces a larger Content-Length.
        ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes))
        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, transfer.context)
        ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, transfer.context)
        // Called at least once a second, also while waiting for the server: a
        // SIGINT or SIGTERM aborts the transfer instead of waiting for the timeouts.
        ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        ccurl_setopt_xferinfo(handle, curlAbortWhenInterrupted)

        switch method {
        case "GET" where request.body.isEmpty:
            ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "PUT":
            ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            ccurl_setopt_callback(handle, CURLOPT_READFUNCTION, curlReadBody)
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, transfer.context)
            ccurl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.count))
        default:
            // POST, or any other verb carrying its body like a POST.
            if method != "POST" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
            if method == "POST" || !request.body.isEmpty { setPostFields(request.body) }
        }

        for header in request.headers {
            guard Self.isSafeHeader(header) else { throw WatcherError(.usage, "header \(header.name) contains a line break or colon in its name") }
            // `Name;` is curl's way to send a header with an empty value.
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            guard let appended = curl_slist_append(headerList, line) else { throw WatcherError(.network, "out of memory for headers") }
            headerList = appended
        }
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        guard code == CURLE_OK else { throw error(for: code, transfer: transfer, method: method, origin: origin, url: request.url) }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    /// curl copies the body (COPYPOSTFIELDS), so it need not outlive this call;
    /// the size goes first so binary bodies with NUL bytes are sent whole.
    private func setPostFields(_ body: [UInt8]) {
        ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        if body.isEmpty {
            ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
        } else {
            _ = body.withUnsafeBytes { ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
        }
    }

    private func error(for code: CURLcode, transfer: CurlTransfer, method: String, origin: String, url: String) -> WatcherError {
        if code == CURLE_ABORTED_BY_CALLBACK, let signal = Interruption.signal {
            return Interruption.error("\(method) \(origin)", signal: signal)
        }
        if transfer.bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return WatcherError(.http, "\(method) \(origin): response larger than \(transfer.maxBodyBytes) bytes")
        }
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        // curl's text may quote the URL; keep only its origin.
        detail = redactingURLs(in: detail.replacing(url, with: origin))
        if code == CURLE_OPERATION_TIMEDOUT {
            return WatcherError(.timeout, "\(method) \(origin) timed out: \(detail)")
        }
        return WatcherError(.network, "\(method) \(origin) failed: \(detail) (curl \(code.rawValue))")
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return Int(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }

    /// Refuses header injection: a CR or LF would start another header line.
    private static func isSafeHeader(_ header: HTTPHeader) -> Bool {
        !header.name.isEmpty && !header.name.contains(":")
            && !header.name.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == " " }
            && !header.value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }
}
