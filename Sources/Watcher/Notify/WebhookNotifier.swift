/// POSTs one JSON object per message to any URL: for Home Assistant, n8n, IFTTT
/// and the like.
struct WebhookNotifier: Notifier {
    let spec: NotifierSpec
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        try Notifiers.send(Notifiers.jsonRequest(spec.target, Self.payload(alert)), for: spec, transport: transport)
    }

    /// `event` is the message kind: opened, reminder, closed, unreachable,
    /// recovered, unsure (or test). Fields that do not apply are null.
    static func payload(_ alert: AlertMessage) -> JSONValue {
        func time(_ millis: Int?) -> JSONValue { millis.map { .string(WallTime.iso8601($0)) } ?? .null }
        func seconds(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        return [
            "event": .string(alert.kind.rawValue),
            "camera": .string(alert.camera),
            "label": alert.label.map { .string($0) } ?? .null,
            "probability": alert.probability.map { .number($0) } ?? .null,
            "time": .string(WallTime.iso8601(alert.time)),
            "openSince": time(alert.openSince),
            "openSeconds": seconds(alert.openSeconds),
            "failingSince": time(alert.failingSince),
            "blindSeconds": seconds(alert.blindSeconds),
            "unsureSince": time(alert.unsureSince),
            "unsureSeconds": seconds(alert.unsureSeconds),
            "cause": alert.cause.map { .string($0) } ?? .null,
            "text": .string(alert.text),
            "id": .string(alert.id),
        ]
    }
}
