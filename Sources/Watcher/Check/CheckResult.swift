/// How a check ended: it saw the lock, or it could not (and that was recorded).
public enum CheckOutcome: Sendable {
    case completed(CheckResult)
    case failed(FailedCheck)

    /// The messages the check issued.
    public var messages: [AlertMessage] {
        switch self {
        case .completed(let result): return result.messages
        case .failed(let failed): return failed.messages
        }
    }
}

/// What one completed check found and did: printed as a line, or as one JSON object with `--json`.
public struct CheckResult: Sendable {
    public var camera: String
    public var time: Int
    public var classification: Classification
    public var alertLabel: String
    public var alertProbability: Double
    public var verdict: Verdict
    /// The messages this check issued, in order (often none).
    public var messages: [AlertMessage]
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
            JSONMember("unsureSince", state.unsureSince.map { .string(WallTime.iso8601($0)) } ?? .null),
            // The message about the lock if there is one, else the first (kept from 0.1's single message).
            JSONMember("notification", (messages.first { $0.kind.isAboutTheLock } ?? messages.first)
                .map { .string($0.kind.rawValue) } ?? .null),
            JSONMember("notifications", .array(messages.map { .string($0.kind.rawValue) })),
            JSONMember("delivered", .array(delivery.delivered.map { .string($0) })),
            JSONMember("deliveryFailures", .array(delivery.failures.map { .string($0) })),
            JSONMember("pendingMessages", .number(Double(state.outbox.count))),
        ]
        if let archivedPath { members.append(JSONMember("archived", .string(archivedPath))) }
        if !warnings.isEmpty { members.append(JSONMember("warnings", .array(warnings.map { .string($0) }))) }
        return .object(members)
    }

    /// One line for people and logs: `Front door: open 97.2% [alert], open for 5 min; opened message`.
    public var summaryLine: String {
        let top = classification.top
        var line = "\(camera): \(top.label) \(AlertMessage.percent(top.probability)) [\(verdict.rawValue)]"
        if verdict == .alert, !state.announced { line += ", \(state.alertStreak) consecutive" }
        if let openSince = state.openSince, state.announced {
            line += ", open for \(WallTime.durationText(seconds: (time - openSince) / 1000))"
        }
        if verdict == .unsure, let since = state.unsureSince, time > since {
            line += ", unsure for \(WallTime.durationText(seconds: (time - since) / 1000))"
        }
        line += CheckResult.messagesSuffix(messages)
        if !delivery.failures.isEmpty { line += "; \(delivery.failures.count) delivery failure(s), will retry" }
        return line
    }

    /// `; opened message`, `; recovered, opened messages`.
    static func messagesSuffix(_ messages: [AlertMessage]) -> String {
        guard !messages.isEmpty else { return "" }
        return "; " + messages.map(\.kind.rawValue).joined(separator: ", ") + (messages.count == 1 ? " message" : " messages")
    }
}

/// A check that could not see the lock, as recorded.
public struct FailedCheck: Sendable {
    public var camera: String
    public var error: WatcherError
    public var failure: CheckFailure
    /// `unreachable`, when this failure completed the run the policy waits for.
    public var messages: [AlertMessage]
    public var delivery: Outbox.Report
    public var warnings: [String]
    public var state: CameraState

    /// `Front door: camera offline (3rd failed check in a row); unreachable message`.
    public var summaryLine: String {
        "\(camera): \(failure.cause.headline), \(state.failureStreak) failed check(s) in a row"
            + CheckResult.messagesSuffix(messages)
    }
}
