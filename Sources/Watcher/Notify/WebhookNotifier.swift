/// POSTs one JSON object per message to any URL: for Home Assistant, n8n, IFTTT
/// and the like.
struct WebhookNotifier: Notifier {
    let spec: NotifierSpec
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        try Notifiers.send(Notifiers.jsonRequest(spec.target, Self.payload(alert)), for: spec, transport: transport)
    }

    static func payload(_ alert: AlertMessage) -> JSONValue {
        [
            "event": .string(alert.kind.rawValue),
            "camera": .string(alert.camera),
            "label": .string(alert.label),
            "probability": .number(alert.probability),
            "time": .string(WallTime.iso8601(alert.time)),
            "openSince": alert.openSince.map { .string(WallTime.iso8601($0)) } ?? .null,
            "openSeconds": alert.openSeconds.map { .number(Double($0)) } ?? .null,
            "text": .string(alert.text),
            "id": .string(alert.id),
        ]
    }
}
