import ArgumentParser
import Watcher

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Check every --every until stopped (a daemon).",
        discussion: """
            A failed check is reported on stderr and the daemon carries on (and says so with one \
            'unreachable' message after --alert-after-failures of them). SIGTERM or SIGINT stops it \
            within a second, also in the middle of a request (the check is abandoned and its state \
            left as it was), with exit status 0; a second signal ends it at once.
            """)

    @Option(help: ArgumentHelp("Time between checks, e.g. 5m. (env WATCHER_EVERY; default: 5m)", valueName: "duration"))
    var every: String?

    @OptionGroup(title: "Camera") var source: SourceOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Decision") var decision: DecisionOptions
    @OptionGroup(title: "State") var state: StateOptions
    @OptionGroup(title: "Notifications and archive") var notify: NotifyOptions
    @Flag(help: "Print each result as one JSON object per line. (env WATCHER_JSON)") var json = false
    @Flag(help: "Print nothing for a check; only messages, warnings and errors. (env WATCHER_QUIET)") var quiet = false

    func run() throws {
        let interval = try EnvironmentFallback.seconds(every, "WATCHER_EVERY", default: "5m")
        guard interval >= 1 else { throw ValidationError("--every must be at least 1s") }
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        Output.quiet = try EnvironmentFallback.flag(quiet, "WATCHER_QUIET")
        let watcher = try WatcherAssembly(source: source, model: model, decision: decision, state: state, notify: notify,
                                          json: json, runMode: .daemon(checkInterval: interval)).make()
        Interruption.install()
        if !Output.quiet { printError("watcher: checking \(watcher.cameraName) every \(WallTime.durationText(seconds: interval))") }
        while !Interruption.isRequested {
            let started = WallTime.nowMillis()
            do {
                WatcherAssembly.report(try watcher.check(), json: json)
            } catch where error.kind == .interrupted {
                break
            } catch where error.kind == .usage {
                throw ValidationError(error.message)
            } catch {
                printError("watcher: error: " + error.message)
            }
            let next = started + interval * 1000
            Interruption.sleep(seconds: Double(max(0, next - WallTime.nowMillis())) / 1000)
        }
        watcher.shutDown()
        if !Output.quiet { printError("watcher: stopped") }
    }
}
