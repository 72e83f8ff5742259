/// A Microsoft Teams workflow webhook ("Post to a channel when a webhook request is
/// received"): the message as an Adaptive Card attachment, which is what those
/// workflows expect.
struct TeamsNotifier: Notifier {
    let spec: NotifierSpec
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        try Notifiers.send(Notifiers.jsonRequest(spec.target, Self.payload(alert)), for: spec, transport: transport)
    }

    static func payload(_ alert: AlertMessage) -> JSONValue {
        let card: JSONValue = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                ["type": "TextBlock", "text": .string(alert.title), "weight": "Bolder", "size": "Medium",
                 "color": alert.isAlarming ? "Attention" : "Good", "wrap": true],
                ["type": "TextBlock", "text": .string(alert.text), "wrap": true],
            ],
        ]
        return [
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ]
    }
}
