/// LINE Messaging API push (LINE Notify, which the seed used, shut down in 2025):
/// `POST /v2/bot/message/push` with the channel access token. The message id goes
/// in `X-Line-Retry-Key`, so a retry after a lost answer is not delivered twice
/// (LINE answers 409 to a key it has already accepted).
struct LineNotifier: Notifier {
    let spec: NotifierSpec
    let token: String
    let apiBase: String
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        let body: JSONValue = [
            "to": .string(spec.target),
            "messages": [["type": "text", "text": .string(alert.text)]],
        ]
        let request = Notifiers.jsonRequest(apiBase + "/v2/bot/message/push", body, headers: [
            HTTPHeader("Authorization", "Bearer " + token), HTTPHeader("X-Line-Retry-Key", alert.id),
        ])
        try Notifiers.send(request, for: spec, transport: transport, alsoAccept: [409])
    }
}
