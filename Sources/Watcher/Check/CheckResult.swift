/// What one check found and did: printed as a line, or as one JSON object with `--json`.
public struct CheckResult: Sendable {
    public var camera: String
    public var time: Int
    public var classification: Classification
    public var alertLabel: String
    public var alertProbability: Double
    public var verdict: Verdict
    /// The message this check issued, if any.
    public var message: AlertMessage?
    public var delivery: Outbox.Report
    public var archivedPath: String?
    /// Problems that did not stop the check (archive write failed, …).
    public var warnings: [String]
    public var state: CameraState

    public var json: JSONValue {
        let top = classification.top
        var members: [JSONMember] = [
            JSONMember("camera", .string(camera)),
            JSONMember("time", .string(WallTime.iso8601(time))),
            JSONMember("label", .string(top.label)),
            JSONMember("probability", .number(top.probability)),
            JSONMember("probabilities", .object(zip(classification.labels, classification.probabilities).map {
                JSONMember($0.0, .number($0.1))
            })),
            JSONMember("alertLabel", .string(alertLabel)),
            JSONMember("alertProbability", .number(alertProbability)),
            JSONMember("verdict", .string(verdict.rawValue)),
            JSONMember("alertStreak", .number(Double(state.alertStreak))),
            JSONMember("openSince", state.openSince.map { .string(WallTime.iso8601($0)) } ?? .null),
            JSONMember("notification", message.map { .string($0.kind.rawValue) } ?? .null),
            JSONMember("delivered", .array(delivery.delivered.map { .string($0) })),
            JSONMember("deliveryFailures", .array(delivery.failures.map { .string($0) })),
            JSONMember("pendingMessages", .number(Double(state.outbox.count))),
        ]
        if let archivedPath { members.append(JSONMember("archived", .string(archivedPath))) }
        if !warnings.isEmpty { members.append(JSONMember("warnings", .array(warnings.map { .string($0) }))) }
        return .object(members)
    }

    /// One line for people and logs: `Front door: open 97.2% (alert 2/2) → opened message`.
    public var summaryLine: String {
        let top = classification.top
        var line = "\(camera): \(top.label) \(AlertMessage.percent(top.probability)) [\(verdict.rawValue)]"
        if verdict == .alert, !state.announced { line += ", \(state.alertStreak) consecutive" }
        if let openSince = state.openSince, state.announced {
            line += ", open for \(WallTime.durationText(seconds: (time - openSince) / 1000))"
        }
        if let message { line += "; \(message.kind.rawValue) message" }
        if !delivery.failures.isEmpty { line += "; \(delivery.failures.count) delivery failure(s), will retry" }
        return line
    }
}
