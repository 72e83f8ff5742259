import Testing
@testable import Watcher

/// What each notifier puts on the wire, as the services document it.
@Suite struct NotifierFormatTests {
    let alert = AlertMessage(kind: .opened, camera: "Front door", label: "open", probability: 0.973, time: 1_700_000_600_000,
                             openSince: 1_700_000_000_000, id: "9b2f3c1e-0000-4000-8000-000000000001")
    let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9]

    func notifier(_ text: String, _ transport: RecordingTransport, secrets: NotifierSecrets = NotifierSecrets()) throws -> Notifier {
        try Notifiers.make(try NotifierSpec(parsing: text), secrets: secrets, transport: transport, print: { _ in })
    }

    func body(_ request: HTTPRequest) throws -> JSONValue { try JSONValue.parse(request.body) }

    @Test func linePushWithBearerTokenAndRetryKey() throws {
        let transport = RecordingTransport()
        let line = try notifier("line:U0123456789abcdef0123456789abcdef", transport, secrets: NotifierSecrets(lineChannelToken: "tok", lineAPIBase: "http://127.0.0.1:9"))
        try line.deliver(alert, image: jpeg)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST" && request.url == "http://127.0.0.1:9/v2/bot/message/push")
        #expect(request.headers.contains(HTTPHeader("Authorization", "Bearer tok")))
        #expect(request.headers.contains(HTTPHeader("X-Line-Retry-Key", alert.id)))
        let json = try body(request)
        #expect(json["to"]?.stringValue == "U0123456789abcdef0123456789abcdef")
        let message = try #require(json["messages"]?.arrayValue?.first)
        #expect(message["type"]?.stringValue == "text" && message["text"]?.stringValue == alert.text)
    }

    /// LINE answers 409 to a retry key it has already accepted: delivered, not an error.
    /// Other failures (here 500) are errors, so the message stays owed.
    @Test func lineTreats409AsAlreadyDelivered() throws {
        let conflict = RecordingTransport(status: 409)
        #expect(throws: Never.self) {
            try notifier("line:U0123456789abcdef0123456789abcdef", conflict, secrets: NotifierSecrets(lineChannelToken: "tok")).deliver(alert, image: nil)
        }
        #expect(conflict.requests.count == 1)
        #expect(conflict.requests.first?.headers.contains(HTTPHeader("X-Line-Retry-Key", alert.id)) == true)
        let failing = RecordingTransport(status: 500)
        #expect(throws: WatcherError.self) {
            try notifier("line:U0123456789abcdef0123456789abcdef", failing, secrets: NotifierSecrets(lineChannelToken: "tok")).deliver(alert, image: nil)
        }
    }

    @Test func lineWithoutTokenFailsAtStartup() {
        #expect(throws: WatcherError.self) { try notifier("line:U0123456789abcdef0123456789abcdef", RecordingTransport()) }
    }

    @Test func slackText() throws {
        let transport = RecordingTransport()
        try notifier("slack:https://hooks.slack.com/services/T/B/x", transport).deliver(alert, image: jpeg)
        let text = try #require(try body(transport.requests[0])["text"]?.stringValue)
        #expect(text.contains(alert.text))
    }

    @Test func discordAttachesTheJPEG() throws {
        let transport = RecordingTransport(status: 204)
        try notifier("discord:https://discord.com/api/webhooks/1/x", transport).deliver(alert, image: jpeg)
        let request = transport.requests[0]
        let contentType = try #require(request.headers.first { $0.name == "Content-Type" }?.value)
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        #expect(!boundary.isEmpty)
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.contains("name=\"payload_json\"") && text.contains("name=\"files[0]\"; filename=\"lock.jpg\""))
        // The body opens with the boundary, carries the JPEG's bytes whole, and closes the form.
        #expect(request.body.starts(with: Array("--\(boundary)\r\n".utf8)))
        #expect(containsSubsequence(request.body, jpeg))
        #expect(text.hasSuffix("--\(boundary)--\r\n"))
        // Without a picture: plain JSON.
        try notifier("discord:https://discord.com/api/webhooks/1/x", transport).deliver(alert, image: nil)
        #expect(try body(transport.requests[1])["content"]?.stringValue == alert.text)
    }

    @Test func teamsAdaptiveCard() throws {
        let transport = RecordingTransport(status: 202)
        try notifier("teams:https://example.logic.azure.com/workflows/x", transport).deliver(alert, image: nil)
        let json = try body(transport.requests[0])
        #expect(json["type"]?.stringValue == "message")
        let attachment = try #require(json["attachments"]?.arrayValue?.first)
        #expect(attachment["contentType"]?.stringValue == "application/vnd.microsoft.card.adaptive")
        #expect(attachment["content"]?["type"]?.stringValue == "AdaptiveCard")
        #expect(attachment["content"]?["body"]?.arrayValue?.last?["text"]?.stringValue == alert.text)
    }

    @Test func ntfyPutsTheJPEGWithTheTextInHeaders() throws {
        let transport = RecordingTransport()
        try notifier("ntfy:my-door", transport).deliver(alert, image: jpeg)
        let request = transport.requests[0]
        #expect(request.method == "PUT" && request.url == "https://ntfy.sh/my-door" && request.body == jpeg)
        #expect(request.headers.contains(HTTPHeader("Filename", "lock.jpg")))
        #expect(request.headers.contains(HTTPHeader("Message", alert.text)))
        #expect(request.headers.contains(HTTPHeader("Priority", "high")))
    }

    @Test func ntfyEncodesNonASCIIHeaders() {
        #expect(NtfyNotifier.headerText("Tür offen") == "=?UTF-8?B?VMO8ciBvZmZlbg==?=")
        #expect(NtfyNotifier.headerText("plain") == "plain")
    }

    @Test func webhookJSON() throws {
        let transport = RecordingTransport()
        try notifier("webhook:https://example.com/hook", transport).deliver(alert, image: nil)
        let json = try body(transport.requests[0])
        #expect(json["event"]?.stringValue == "opened" && json["camera"]?.stringValue == "Front door")
        #expect(json["probability"]?.doubleValue == 0.973 && json["openSeconds"]?.intValue == 600)
        #expect(json["time"]?.stringValue == "2023-11-14T22:23:20Z")
    }

    /// The health messages travel like the others; the webhook's `event` names them.
    @Test func healthMessagesThroughEveryNotifier() throws {
        let unreachable = AlertMessage(kind: .unreachable, camera: "Front door", label: nil, probability: nil,
                                       time: 1_700_000_600_000, failingSince: 1_700_000_000_000,
                                       cause: CheckFailure(time: 0, cause: .budgetExhausted, message: "limitExceeded").explanation,
                                       id: "id-1")
        let recovered = AlertMessage(kind: .recovered, camera: "Front door", label: "close", probability: 0.99,
                                     time: 1_700_000_900_000, failingSince: 1_700_000_000_000, id: "id-2")
        let unsure = AlertMessage(kind: .unsure, camera: "Front door", label: "open", probability: 0.52,
                                  time: 1_700_003_600_000, unsureSince: 1_700_000_000_000, id: "id-3")
        let transport = RecordingTransport()
        for message in [unreachable, recovered, unsure] {
            try notifier("webhook:https://example.com/hook", transport).deliver(message, image: nil)
            try notifier("slack:https://hooks.slack.com/services/T/B/x", transport).deliver(message, image: nil)
            try notifier("ntfy:door", transport).deliver(message, image: nil)
            try notifier("teams:https://example.com/teams", transport).deliver(message, image: nil)
            try notifier("discord:https://example.com/discord", transport).deliver(message, image: nil)
        }
        let webhooks = try transport.requests.filter { $0.url == "https://example.com/hook" }.map(body)
        #expect(webhooks.map { $0["event"]?.stringValue } == ["unreachable", "recovered", "unsure"])
        #expect(webhooks[0]["label"] == .null && webhooks[0]["probability"] == .null)
        #expect(webhooks[0]["blindSeconds"]?.intValue == 600 && webhooks[0]["failingSince"]?.stringValue == "2023-11-14T22:13:20Z")
        #expect(webhooks[0]["cause"]?.stringValue?.contains("export budget exhausted") == true)
        #expect(webhooks[1]["blindSeconds"]?.intValue == 900 && webhooks[1]["label"]?.stringValue == "close")
        #expect(webhooks[2]["unsureSeconds"]?.intValue == 3600 && webhooks[2]["openSince"] == .null)
        let texts = [unreachable, recovered, unsure].map(\.text)
        #expect(texts[0].contains("cannot see the lock") && texts[0].contains("export budget exhausted") && texts[0].contains("watcher usage"))
        #expect(texts[1].contains("sees the lock again (close 99.0%)") && texts[1].contains("blind for 15 min"))
        #expect(texts[2].contains("cannot tell whether the lock is open (open 52.0%)") && texts[2].contains("unsure for 1 h"))
        let slack = try transport.requests.filter { $0.url.hasPrefix("https://hooks.slack.com") }.map(body)
        #expect(slack.map { $0["text"]?.stringValue?.prefix { $0 != " " } } == [":warning:", ":white_check_mark:", ":grey_question:"])
        let ntfy = transport.requests.filter { $0.url == "https://ntfy.sh/door" }
        #expect(ntfy.map { $0.headers.first { $0.name == "Priority" }?.value } == ["high", "default", "high"])
        #expect(ntfy[0].headers.first { $0.name == "Title" }?.value == "Cannot see the lock: Front door")
    }

    @Test func errorsNameTheNotifierNotItsSecretURL() throws {
        let transport = RecordingTransport(status: 404)
        let slack = try notifier("slack:https://hooks.slack.com/services/T/B/SECRET", transport)
        #expect {
            try slack.deliver(alert, image: nil)
        } throws: { error in
            let error = error as! WatcherError
            return error.kind == .notify && error.status == 404 && !error.message.contains("SECRET")
                && error.message.contains(slack.spec.id)
        }
    }

    func containsSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
