import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGTERM/SIGINT; read between checks.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Check every --every until stopped (a daemon).",
        discussion: """
            A failed check is reported on stderr and the daemon carries on. SIGTERM or SIGINT ends it \
            cleanly: a check in progress finishes and saves its state first.
            """)

    @Option(help: ArgumentHelp("Time between checks, e.g. 5m. (env WATCHER_EVERY; default: 5m)", valueName: "duration"))
    var every: String?

    @OptionGroup(title: "Camera") var source: SourceOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Decision") var decision: DecisionOptions
    @OptionGroup(title: "Notifications and archive") var notify: NotifyOptions
    @Flag(help: "Print each result as one JSON object per line. (env WATCHER_JSON)") var json = false

    func run() throws {
        let interval = try EnvironmentFallback.seconds(every, "WATCHER_EVERY", default: "5m")
        guard interval >= 1 else { throw ValidationError("--every must be at least 1s") }
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let watcher = try WatcherAssembly(source: source, model: model, decision: decision, notify: notify, json: json).make()

        signal(SIGTERM) { _ in stopRequested = 1 }
        signal(SIGINT) { _ in stopRequested = 1 }
        // A parent may have started us with these blocked (a thread pool's mask is inherited).
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
        printError("watcher: checking \(watcher.cameraName) every \(WallTime.durationText(seconds: interval))")
        while stopRequested == 0 {
            let started = WallTime.nowMillis()
            do {
                WatcherAssembly.report(try watcher.check(now: started), json: json)
            } catch {
                printError("watcher: error: " + error.message)
            }
            let next = started + interval * 1000
            while stopRequested == 0, WallTime.nowMillis() < next {
                let remaining = next - WallTime.nowMillis()
                var pause = timespec(tv_sec: remaining / 1000, tv_nsec: (remaining % 1000) * 1_000_000)
                _ = nanosleep(&pause, nil)  // a signal interrupts it with EINTR
            }
        }
        printError("watcher: stopped")
    }
}
