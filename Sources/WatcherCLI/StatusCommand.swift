import ArgumentParser
import Watcher

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each camera's state: last check, lock, open since, failing streak, owed messages, last error.",
        discussion: "It reads the state folder only: no camera is asked, no export spent.")

    @OptionGroup(title: "State") var state: StateFolderOption
    @Flag(help: "Print one JSON array, one object per camera. (env WATCHER_JSON)") var json = false

    func run() throws {
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let cameras = try state.store.cameras()
        if json {
            printJSON(.array(cameras.map(Self.json)))
            return
        }
        guard !cameras.isEmpty else {
            printLine("no cameras in \(state.folder) yet (a camera appears after its first check)")
            return
        }
        let now = WallTime.nowMillis()
        for camera in cameras {
            for line in Self.lines(camera, now: now) { printLine(line) }
        }
    }

    static func lines(_ camera: StoredCamera, now: Int) -> [String] {
        guard case .success(let state) = camera.state else {
            if case .failure(let error) = camera.state { return ["\(camera.stem): cannot read: \(error.message)"] }
            return []
        }
        func ago(_ time: Int) -> String { WallTime.localText(time) + " (\(WallTime.durationText(seconds: (now - time) / 1000)) ago)" }
        var lines = ["\(state.camera ?? camera.stem) (\(state.source ?? camera.stem))"]
        if let check = state.lastCheck {
            lines.append("  last check:   \(ago(check.time)): \(check.label) \(AlertMessage.percent(check.probability)) [\(check.verdict.rawValue)]")
        } else {
            lines.append("  last check:   none completed")
        }
        lines.append("  lock:         " + (camera.lockHolder.map { "checking now (\($0))" } ?? "free"))
        if let since = state.openSince {
            lines.append("  open since:   \(ago(since))" + (state.announced ? ", announced" : ", not announced yet"))
        } else {
            lines.append("  open since:   not open")
        }
        if let since = state.unsureSince { lines.append("  unsure since: \(ago(since))") }
        if state.failureStreak > 0 {
            lines.append("  failing:      \(state.failureStreak) check(s) in a row since \(ago(state.failingSince ?? now))"
                + (state.unreachableAnnounced ? ", unreachable message sent" : ""))
        } else {
            lines.append("  failing:      no")
        }
        let owed = state.outbox.map { "\($0.alert.kind.rawValue) of \(WallTime.localText($0.alert.time))" }
        lines.append("  owed:         " + (owed.isEmpty ? "no messages" : "\(owed.count) message(s): " + owed.joined(separator: ", ")))
        if let failure = state.lastFailure {
            lines.append("  last error:   \(ago(failure.time)): \(failure.cause.headline): \(failure.message)")
        }
        return lines
    }

    static func json(_ camera: StoredCamera) -> JSONValue {
        func time(_ millis: Int?) -> JSONValue { millis.map { .string(WallTime.iso8601($0)) } ?? .null }
        var members: [JSONMember] = [
            JSONMember("stateFile", .string(camera.statePath)),
            JSONMember("lock", camera.lockHolder.map { .string($0) } ?? .null),
        ]
        switch camera.state {
        case .failure(let error):
            members.append(JSONMember("error", .string(error.message)))
        case .success(let state):
            members += [
                JSONMember("camera", state.camera.map { .string($0) } ?? .null),
                JSONMember("source", state.source.map { .string($0) } ?? .null),
                JSONMember("lastCheck", state.lastCheck.map { check in
                    [
                        "time": .string(WallTime.iso8601(check.time)), "label": .string(check.label),
                        "probability": .number(check.probability), "alertProbability": .number(check.alertProbability),
                        "verdict": .string(check.verdict.rawValue),
                    ]
                } ?? .null),
                JSONMember("openSince", time(state.openSince)),
                JSONMember("announced", .bool(state.announced)),
                JSONMember("alertStreak", .number(Double(state.alertStreak))),
                JSONMember("unsureSince", time(state.unsureSince)),
                JSONMember("failureStreak", .number(Double(state.failureStreak))),
                JSONMember("failingSince", time(state.failingSince)),
                JSONMember("unreachableAnnounced", .bool(state.unreachableAnnounced)),
                JSONMember("owedMessages", .array(state.outbox.map { pending in
                    [
                        "event": .string(pending.alert.kind.rawValue), "time": .string(WallTime.iso8601(pending.alert.time)),
                        "deliveredTo": .array(pending.delivered.map { .string($0) }),
                        "attempts": .number(Double(pending.attempts)),
                    ]
                })),
                JSONMember("lastError", state.lastFailure.map { failure in
                    [
                        "time": .string(WallTime.iso8601(failure.time)), "cause": .string(failure.cause.rawValue),
                        "message": .string(failure.message),
                    ]
                } ?? .null),
            ]
        }
        return .object(members)
    }
}
