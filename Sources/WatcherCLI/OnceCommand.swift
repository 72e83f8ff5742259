import ArgumentParser
import Watcher

struct OnceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Run one check and exit (for cron, systemd timers and serverless timers).",
        discussion: """
            State is kept in --state-dir between runs, so debounce, reminders and the health messages \
            work across invocations. Checks of one camera take turns: a second `watcher once` (or a \
            `watcher run`) waits for the first one's lock (--lock-timeout) and then starts from the \
            state it left, so an episode is announced once. Exit status: 0 when the check saw the \
            lock, 1 when it could not, 64 for a configuration error, 130 or 143 when SIGINT or SIGTERM \
            stopped it.
            """)

    @OptionGroup(title: "Camera") var source: SourceOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Decision") var decision: DecisionOptions
    @OptionGroup(title: "State") var state: StateOptions
    @OptionGroup(title: "Notifications and archive") var notify: NotifyOptions
    @Flag(help: "Print the result as one JSON object. (env WATCHER_JSON)") var json = false
    @Flag(help: "Print nothing for a check; only messages, warnings and errors (for cron's mail). (env WATCHER_QUIET)") var quiet = false

    func run() throws {
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        Output.quiet = try EnvironmentFallback.flag(quiet, "WATCHER_QUIET")
        let watcher = try WatcherAssembly(source: source, model: model, decision: decision, state: state, notify: notify,
                                          json: json).make()
        Interruption.install()
        let outcome = try reportingFailures { try watcher.check() }
        if !WatcherAssembly.report(outcome, json: json) { throw ExitCode.failure }
    }
}
