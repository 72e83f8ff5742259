import ArgumentParser
import Watcher

struct OnceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Run one check and exit (for cron, systemd timers and serverless timers).",
        discussion: "State is kept in --state-dir between runs, so debounce and reminders work across invocations.")

    @OptionGroup(title: "Camera") var source: SourceOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Decision") var decision: DecisionOptions
    @OptionGroup(title: "Notifications and archive") var notify: NotifyOptions
    @Flag(help: "Print the result as one JSON object. (env WATCHER_JSON)") var json = false

    func run() throws {
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let watcher = try WatcherAssembly(source: source, model: model, decision: decision, notify: notify, json: json).make()
        let result = try reportingFailures { try watcher.check(now: WallTime.nowMillis()) }
        WatcherAssembly.report(result, json: json)
    }
}
