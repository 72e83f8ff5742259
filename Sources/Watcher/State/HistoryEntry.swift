/// One check in a camera's history: what the model said, or why the check failed,
/// and which messages it issued. One JSON object per line in the history file.
public struct HistoryEntry: Sendable, Equatable {
    /// When the check ran (unix ms).
    public var time: Int
    public var camera: String
    public var label: String?
    public var probability: Double?
    public var alertProbability: Double?
    public var verdict: Verdict?
    /// Kinds of the messages this check issued (`opened`, `unreachable`, …).
    public var events: [String]
    /// Why the check failed, if it did.
    public var error: String?
    public var cause: FailureCause?

    public init(time: Int, camera: String, label: String? = nil, probability: Double? = nil,
                alertProbability: Double? = nil, verdict: Verdict? = nil, events: [String] = [], error: String? = nil,
                cause: FailureCause? = nil) {
        self.time = time
        self.camera = camera
        self.label = label
        self.probability = probability
        self.alertProbability = alertProbability
        self.verdict = verdict
        self.events = events
        self.error = error
        self.cause = cause
    }

    /// Field names are the file format: `time` (RFC 3339 UTC) and `unixMillis` say
    /// the same for people and for programs.
    public var json: JSONValue {
        .object([
            JSONMember("time", .string(WallTime.iso8601(time))),
            JSONMember("unixMillis", .number(Double(time))),
            JSONMember("camera", .string(camera)),
            JSONMember("label", label.map { .string($0) } ?? .null),
            JSONMember("probability", probability.map { .number($0) } ?? .null),
            JSONMember("alertProbability", alertProbability.map { .number($0) } ?? .null),
            JSONMember("verdict", verdict.map { .string($0.rawValue) } ?? .null),
            JSONMember("events", .array(events.map { .string($0) })),
            JSONMember("error", error.map { .string($0) } ?? .null),
            JSONMember("cause", cause.map { .string($0.rawValue) } ?? .null),
        ])
    }

    public init?(json: JSONValue) {
        guard let time = json["unixMillis"]?.intValue, let camera = json["camera"]?.stringValue,
            let events = json["events"]?.arrayValue
        else { return nil }
        self.init(time: time, camera: camera, label: json["label"]?.stringValue,
                  probability: json["probability"]?.doubleValue, alertProbability: json["alertProbability"]?.doubleValue,
                  verdict: json["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:)),
                  events: events.compactMap(\.stringValue), error: json["error"]?.stringValue,
                  cause: json["cause"]?.stringValue.flatMap(FailureCause.init(rawValue:)))
    }

    /// `open 97.2% [alert] → opened`, or `error: camera offline: … → unreachable`.
    public var summary: String {
        var text: String
        if let error {
            text = "error: \(cause.map { $0.headline + ": " } ?? "")\(error)"
        } else {
            text = "\(label ?? "?") \(probability.map(AlertMessage.percent) ?? "?") [\(verdict?.rawValue ?? "?")]"
        }
        if !events.isEmpty { text += " → " + events.joined(separator: ", ") }
        return text
    }
}
