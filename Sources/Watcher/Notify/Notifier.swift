/// Delivers one message somewhere. `image` is the check's crop as a JPEG, for the
/// services that take a picture (Discord, ntfy); the others send text only.
public protocol Notifier {
    var spec: NotifierSpec { get }
    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError)
}

/// Secrets and endpoints the notifiers read from the environment rather than the
/// command line, so they never show up in `ps` or shell history.
public struct NotifierSecrets: Sendable {
    /// LINE Messaging API channel access token (`WATCHER_LINE_CHANNEL_TOKEN`).
    public var lineChannelToken: String?
    /// LINE API base (`WATCHER_LINE_API`), for tests and proxies.
    public var lineAPIBase: String
    /// ntfy access token (`WATCHER_NTFY_TOKEN`), for protected topics.
    public var ntfyToken: String?
    /// The MQTT broker's password (`WATCHER_MQTT_PASSWORD`), when the URL has a user and no password.
    public var mqttPassword: String?
    /// The CA that signed an `mqtts://` broker's certificate (`WATCHER_MQTT_CA_FILE`), when the URL has no `ca=`.
    public var mqttCAFile: String?

    public init(lineChannelToken: String? = nil, lineAPIBase: String = "https://api.line.me", ntfyToken: String? = nil,
                mqttPassword: String? = nil, mqttCAFile: String? = nil) {
        self.lineChannelToken = lineChannelToken
        self.lineAPIBase = lineAPIBase
        self.ntfyToken = ntfyToken
        self.mqttPassword = mqttPassword
        self.mqttCAFile = mqttCAFile
    }

    public static func fromEnvironment() -> NotifierSecrets {
        NotifierSecrets(
            lineChannelToken: Environment.value("WATCHER_LINE_CHANNEL_TOKEN") ?? Environment.value("LINE_CHANNEL_ACCESS_TOKEN"),
            lineAPIBase: Environment.value("WATCHER_LINE_API") ?? "https://api.line.me",
            ntfyToken: Environment.value("WATCHER_NTFY_TOKEN"),
            mqttPassword: Environment.value("WATCHER_MQTT_PASSWORD"),
            mqttCAFile: Environment.value("WATCHER_MQTT_CA_FILE"))
    }
}

public enum Notifiers {
    /// Builds the notifier for a spec; fails early (before any check) when a secret it needs is missing.
    /// `runMode` tells the notifiers that keep a connection (MQTT) whether the process is a daemon.
    public static func make(_ spec: NotifierSpec, secrets: NotifierSecrets, transport: HTTPTransport,
                            print: @escaping (String) -> Void, runMode: RunMode = .oneShot) throws(WatcherError) -> Notifier {
        switch spec.kind {
        case .mqtt: return try MQTTNotifier(spec: spec, secrets: secrets, mode: runMode)
        case .stdout: return StdoutNotifier(spec: spec, print: print)
        case .webhook: return WebhookNotifier(spec: spec, transport: transport)
        case .slack: return SlackNotifier(spec: spec, transport: transport)
        case .discord: return DiscordNotifier(spec: spec, transport: transport)
        case .teams: return TeamsNotifier(spec: spec, transport: transport)
        case .ntfy: return NtfyNotifier(spec: spec, token: secrets.ntfyToken, transport: transport)
        case .line:
            guard let token = secrets.lineChannelToken else {
                throw WatcherError(.usage, "--notify line needs the channel access token in WATCHER_LINE_CHANNEL_TOKEN")
            }
            return LineNotifier(spec: spec, token: token, apiBase: secrets.lineAPIBase, transport: transport)
        }
    }

    /// Sends a request and turns anything but 2xx into a `.notify` error that names
    /// the notifier by id (its URL may be a secret).
    static func send(_ request: HTTPRequest, for spec: NotifierSpec, transport: HTTPTransport,
                     alsoAccept: Set<Int> = []) throws(WatcherError) {
        let response: HTTPResponse
        do { response = try transport.send(request) } catch {
            throw WatcherError(.notify, "\(spec.id): \(error.message)")
        }
        guard response.isSuccess || alsoAccept.contains(response.status) else {
            throw WatcherError(.notify, "\(spec.id): HTTP \(response.status)\(excerpt(response.body))", status: response.status)
        }
    }

    /// The start of an error body (services explain refusals there), on one line.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = String(decoding: body.prefix(160), as: UTF8.self)
            .map { $0.isNewline ? " " : $0 }
        return ": " + String(text)
    }

    static func jsonRequest(_ url: String, _ body: JSONValue, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: [HTTPHeader("Content-Type", "application/json")] + headers,
                    body: Array(body.rendered.utf8), connectTimeout: 10, timeout: 20, maxResponseBytes: 1 << 20)
    }
}
