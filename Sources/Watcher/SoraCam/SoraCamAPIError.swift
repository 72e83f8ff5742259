/// Turns an API answer that is not a success into a `WatcherError` whose text
/// names the operation, the status and SORACOM's own `code` and `message`.
enum SoraCamAPIError {
    /// 4xx: the API refused (`.soracam`); 5xx after the retries: `.http`.
    static func error(_ response: HTTPResponse, operation: String) -> WatcherError {
        let kind: WatcherError.Kind = response.status >= 500 ? .http : .soracam
        var text = "\(operation): SORACOM API answered HTTP \(response.status)"
        if let details = details(response.body) { text += " (\(details))" }
        if response.status == 429 {
            text += "; rate limited"
            if let wait = response.header("Retry-After") { text += ", Retry-After \(wait.prefix(20)) s" }
        }
        return WatcherError(kind, text, status: response.status, cause: cause(status: response.status))
    }

    /// What the status means to a person: every call but the login names a camera.
    static func cause(status: Int) -> FailureCause? {
        switch status {
        case 401, 403: return .keyRejected
        case 404: return .cameraUnknown
        case 429, 500...: return .serviceFailing
        default: return nil
        }
    }

    /// `code: message` from `{"code","message"}` (the usual error body) or
    /// `{"errorMessage":{"code","message"}}` (OpenAPI `APICallError`).
    static func details(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, let json = try? JSONValue.parse(body) else { return nil }
        let error = json["errorMessage"] ?? json
        let code = error["code"]?.stringValue
        let message = error["message"]?.stringValue.map { redactingURLs(in: String($0.prefix(300))) }
        switch (code, message) {
        case let (code?, message?): return "\(code): \(message)"
        case let (code?, nil): return code
        case let (nil, message?): return message
        default: return nil
        }
    }
}
