import ArgumentParser
import Watcher

/// When a result counts as open, and when and how often to say so; when to say
/// that the watcher itself cannot see the lock.
struct DecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The label that means trouble. (env WATCHER_ALERT_LABEL; default: open)", valueName: "label"))
    var alertLabel: String?

    @Option(help: ArgumentHelp("Alert when the alert label's probability is at least this. (env WATCHER_THRESHOLD; default: 0.7)", valueName: "p"))
    var threshold: Double?

    @Option(help: ArgumentHelp("Count as closed at or below this probability; in between is 'unsure', which never alerts. (env WATCHER_CLEAR_BELOW; default: 0.3)", valueName: "p"))
    var clearBelow: Double?

    @Option(help: ArgumentHelp("Consecutive alert results needed before the first message. (env WATCHER_DEBOUNCE; default: 2)", valueName: "n"))
    var debounce: Int?

    @Option(help: ArgumentHelp("Remind while it stays open, e.g. 30m; 0 for never. (env WATCHER_REMIND_EVERY; default: 30m)", valueName: "duration"))
    var remindEvery: String?

    @Option(help: ArgumentHelp("Send one 'unreachable' message after this many failed checks in a row (camera offline, key rejected, budget spent, model broken…), and one 'recovered' at the next good check; 0 for never. (env WATCHER_ALERT_AFTER_FAILURES; default: 3)", valueName: "n"))
    var alertAfterFailures: Int?

    @Option(help: ArgumentHelp("Send one 'unsure' message after unsure results for this long without a break (lens blocked, crop off); 0 for never. (env WATCHER_ALERT_UNSURE_AFTER; default: 1h)", valueName: "duration"))
    var alertUnsureAfter: String?

    @Option(help: ArgumentHelp("Name used in messages. (env WATCHER_CAMERA_NAME; default: the device id, URL host or file)", valueName: "name"))
    var cameraName: String?

    func policy() throws -> DecisionPolicy {
        let failures = try EnvironmentFallback.int(alertAfterFailures, "WATCHER_ALERT_AFTER_FAILURES") ?? 3
        let policy = DecisionPolicy(
            alertLabel: alertLabelValue,
            threshold: try EnvironmentFallback.double(threshold, "WATCHER_THRESHOLD", default: 0.7),
            clearBelow: try EnvironmentFallback.double(clearBelow, "WATCHER_CLEAR_BELOW", default: 0.3),
            debounce: try EnvironmentFallback.int(debounce, "WATCHER_DEBOUNCE") ?? 2,
            remindEvery: try EnvironmentFallback.secondsOrNever(remindEvery, "WATCHER_REMIND_EVERY", default: "30m"),
            alertAfterFailures: failures == 0 ? nil : failures,
            alertUnsureAfter: try EnvironmentFallback.secondsOrNever(alertUnsureAfter, "WATCHER_ALERT_UNSURE_AFTER", default: "1h"))
        do { try policy.validate() } catch { throw ValidationError(error.message) }
        return policy
    }

    var alertLabelValue: String { EnvironmentFallback.string(alertLabel, "WATCHER_ALERT_LABEL") ?? "open" }

    var name: String? { EnvironmentFallback.string(cameraName, "WATCHER_CAMERA_NAME") }
}
