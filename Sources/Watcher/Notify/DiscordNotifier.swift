/// A Discord webhook: with a picture, a multipart request carrying `payload_json`
/// and the JPEG as `files[0]`; without one, plain JSON.
struct DiscordNotifier: Notifier {
    let spec: NotifierSpec
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        let payload: JSONValue = ["content": .string(alert.text)]
        guard let image else {
            try Notifiers.send(Notifiers.jsonRequest(spec.target, payload), for: spec, transport: transport)
            return
        }
        var form = MultipartBody()
        form.addField(name: "payload_json", value: payload.rendered, contentType: "application/json")
        form.addFile(name: "files[0]", filename: "lock.jpg", contentType: "image/jpeg", data: image)
        let request = HTTPRequest(method: "POST", url: spec.target, headers: [HTTPHeader("Content-Type", form.contentType)],
                                  body: form.bytes, connectTimeout: 10, timeout: 30, maxResponseBytes: 1 << 20)
        try Notifiers.send(request, for: spec, transport: transport)
    }
}
