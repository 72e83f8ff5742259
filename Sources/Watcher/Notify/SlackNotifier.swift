/// A Slack incoming webhook (`https://hooks.slack.com/services/…`): text only,
/// since incoming webhooks cannot upload files.
struct SlackNotifier: Notifier {
    let spec: NotifierSpec
    let transport: HTTPTransport

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        let text = ":\(alert.icon): " + alert.text
        try Notifiers.send(Notifiers.jsonRequest(spec.target, ["text": .string(text)]), for: spec, transport: transport)
    }
}
