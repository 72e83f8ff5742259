/// ntfy (ntfy.sh or a self-hosted server): with a picture, the JPEG is PUT as the
/// attachment and the text travels in the `Message` header; without one, the text
/// is the body. `ntfy:TOPIC` means https://ntfy.sh/TOPIC.
struct NtfyNotifier: Notifier {
    let spec: NotifierSpec
    let token: String?
    let transport: HTTPTransport

    var url: String {
        spec.target.hasPrefix("http://") || spec.target.hasPrefix("https://") ? spec.target : "https://ntfy.sh/" + spec.target
    }

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        var headers = [
            HTTPHeader("Title", Self.headerText(alert.title)),
            HTTPHeader("Tags", alert.kind == .opened || alert.kind == .reminder ? "unlock,warning" : alert.icon),
            HTTPHeader("Priority", alert.isAlarming ? "high" : "default"),
        ]
        if let token { headers.append(HTTPHeader("Authorization", "Bearer " + token)) }
        let request: HTTPRequest
        if let image {
            headers += [HTTPHeader("Filename", "lock.jpg"), HTTPHeader("Message", Self.headerText(alert.text))]
            request = HTTPRequest(method: "PUT", url: url, headers: headers, body: image, connectTimeout: 10, timeout: 30)
        } else {
            request = HTTPRequest(method: "POST", url: url, headers: headers, body: Array(alert.text.utf8),
                                  connectTimeout: 10, timeout: 20)
        }
        try Notifiers.send(request, for: spec, transport: transport)
    }

    /// HTTP headers are ASCII: anything else goes as an RFC 2047 encoded word, which ntfy decodes.
    static func headerText(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return "=?UTF-8?B?" + Base64.encode(Array(text.utf8)) + "?="
    }
}
