import ArgumentParser
import Watcher

/// When a result counts as open, and when and how often to say so.
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

    @Option(help: ArgumentHelp("Folder for each camera's decision state. (env WATCHER_STATE_DIR; default: $STATE_DIRECTORY, else $XDG_STATE_HOME/watcher, else ~/.local/state/watcher)", valueName: "path"))
    var stateDir: String?

    @Option(help: ArgumentHelp("Name used in messages. (env WATCHER_CAMERA_NAME; default: the device id, URL host or file)", valueName: "name"))
    var cameraName: String?

    func policy() throws -> DecisionPolicy {
        let remind = try EnvironmentFallback.seconds(remindEvery, "WATCHER_REMIND_EVERY", default: "30m")
        let policy = DecisionPolicy(
            alertLabel: EnvironmentFallback.string(alertLabel, "WATCHER_ALERT_LABEL") ?? "open",
            threshold: try EnvironmentFallback.double(threshold, "WATCHER_THRESHOLD", default: 0.7),
            clearBelow: try EnvironmentFallback.double(clearBelow, "WATCHER_CLEAR_BELOW", default: 0.3),
            debounce: try EnvironmentFallback.int(debounce, "WATCHER_DEBOUNCE") ?? 2,
            remindEvery: remind == 0 ? nil : remind)
        do { try policy.validate() } catch { throw ValidationError(error.message) }
        return policy
    }

    var stateFolder: String {
        if let folder = EnvironmentFallback.string(stateDir, "WATCHER_STATE_DIR") { return folder }
        // systemd's StateDirectory= sets this.
        if let systemd = Environment.value("STATE_DIRECTORY") { return String(systemd.prefix { $0 != ":" }) }
        if let xdg = Environment.value("XDG_STATE_HOME") { return FileSystem.join(xdg, "watcher") }
        if let home = Environment.value("HOME") { return FileSystem.join(home, ".local/state/watcher") }
        return "watcher-state"
    }

    var name: String? { EnvironmentFallback.string(cameraName, "WATCHER_CAMERA_NAME") }
}
