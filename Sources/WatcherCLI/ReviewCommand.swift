import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGTERM/SIGINT; the server checks it at least once a second.
nonisolated(unsafe) private var reviewStopRequested: sig_atomic_t = 0

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Serve a local page to sort archived crops, see each camera's history, and retrain.",
        discussion: """
            The page shows each camera's state and its alert probability over the last day or week \
            (from the state folder's history), and the archive's crops in a grid per label, newest \
            first. One click moves a crop to another label (or sorts an unsure one). Learn retrains \
            the model's last layer on the sorted crops, as watcher learn does, and shows the current \
            and the new head's held-out accuracy; Use this model then replaces --model and its labels \
            (the previous files are kept as *.backup-<time>).

            It listens on 127.0.0.1 unless --listen says otherwise; on any other address it requires \
            the password in WATCHER_REVIEW_PASSWORD (HTTP Basic: use it on a network you trust, or \
            behind a TLS proxy). SIGTERM or SIGINT stops it.
            """)

    @OptionGroup(title: "Training") var training: RetrainingOptions
    @OptionGroup(title: "Decision (for the timeline)") var decision: DecisionOptions
    @OptionGroup(title: "State") var state: StateFolderOption

    @Option(help: ArgumentHelp("Address to serve on; port 0 picks a free one. (env WATCHER_LISTEN; default: 127.0.0.1:8080)", valueName: "host:port"))
    var listen: String?

    func run() throws {
        let settings = try training.settings()
        guard FileSystem.isDirectory(settings.archive) else {
            throw ValidationError("--archive-dir \(settings.archive) is not a folder")
        }
        let policy = try decision.policy()
        let address = EnvironmentFallback.string(listen, "WATCHER_LISTEN") ?? "127.0.0.1:8080"
        let password = Environment.value("WATCHER_REVIEW_PASSWORD")
        // Only a model file named on purpose is replaced: never the built-in default.
        let modelPath = training.modelSource.filePath
        let labelsPath = EnvironmentFallback.string(training.labels, "WATCHER_LABELS")
            ?? modelPath.map { FileSystem.join(FileSystem.directory(of: $0), "labels.txt") }
        let stateFolder = try RetrainingOptions.localFolder(state.folder, option: "--state-dir")
        let server = try reportingFailures {
            let listener = try HTTPListener(listen: address)
            return try ReviewServer(
                configuration: ReviewServer.Configuration(
                    training: settings, modelPath: modelPath, labelsPath: labelsPath, stateFolder: stateFolder,
                    alertLabel: policy.alertLabel, threshold: policy.threshold, clearBelow: policy.clearBelow, password: password),
                listener: listener)
        }
        server.log = { printError("watcher review: " + $0) }
        signal(SIGTERM) { _ in reviewStopRequested = 1 }
        signal(SIGINT) { _ in reviewStopRequested = 1 }
        // A parent may have started us with these blocked (a thread pool's mask is inherited).
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
        printLine("watcher review: serving \(settings.archive) on \(server.listener.url)")
        server.serve(until: { reviewStopRequested != 0 })
        printError("watcher review: stopped")
    }
}
