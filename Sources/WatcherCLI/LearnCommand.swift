import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Retrain the model's last layer on the archive's sorted crops, in pure Swift.",
        discussion: """
            Reads DIR/<label>/*.jpg for each label folder (the model's labels and any new ones; unsure/ \
            is ignored), computes each crop's embedding with the current model (the input of its last \
            layer, fed exactly as a check feeds a crop), trains a new last layer on them (logistic \
            regression with L2 and balanced class weights), and reports the current and the new head's \
            accuracy and confusion matrices on crops each has not seen (k-fold cross-validation; the \
            current head saw none). Then writes OUTDIR/model.pb (or model.tflite), labels.txt, \
            report.txt and report.json, unless the new head is worse on those crops: then it writes \
            nothing and exits 1, unless --force.

            Sort the archive first (watcher review, or move files by hand). To train a whole new \
            network instead, use tools/train_lock_model.py.
            """)

    @OptionGroup(title: "Training") var training: RetrainingOptions

    @Option(help: ArgumentHelp("Folder for the new model, labels.txt and the report, created if missing. (env WATCHER_OUT)", valueName: "dir"))
    var out: String?

    @Flag(help: "Write the new model even if it is worse than the current one on the held-out crops. (env WATCHER_FORCE)")
    var force = false

    @Flag(help: "Print the report as one JSON object. (env WATCHER_JSON)")
    var json = false

    func run() throws {
        let settings = try training.settings()
        guard let out = EnvironmentFallback.string(out, "WATCHER_OUT") else {
            throw ValidationError("--out is required: the folder for the new model")
        }
        let force = try EnvironmentFallback.flag(self.force, "WATCHER_FORCE")
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let progress = TerminalProgress()
        let outcome = try reportingFailures {
            try HeadTraining.run(settings, progress: progress.show)
        }
        progress.finish()
        var written: String?
        if outcome.refusal == nil || force {
            written = try reportingFailures { try outcome.write(to: out) }
        }
        if json {
            guard case .object(var members) = outcome.json else { return }
            members.append(JSONMember("written", written.map { .string($0) } ?? .null))
            printLine(JSONValue.object(members).rendered)
        } else {
            printLine(outcome.text)
            if let written { printLine("wrote \(written), labels.txt, report.txt and report.json in \(out)") }
        }
        if written == nil, let refusal = outcome.refusal {
            printError("watcher: error: not written: \(refusal); --force writes it anyway")
            throw ExitCode.failure
        }
    }
}

/// Crops embedded and training iterations on one updating line, when stderr is a terminal.
final class TerminalProgress {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false

    func show(_ progress: HeadTraining.Progress) {
        guard enabled else { return }
        switch progress {
        case .embedding(let done, let total):
            guard done == total || done % 5 == 0 else { return }
            write("embedding crops: \(done)/\(total)")
        case .training(let run, let runs, let iteration):
            guard iteration % 10 == 1 else { return }
            write("training head \(run)/\(runs) (\(run < runs ? "cross-validation" : "all crops")): iteration \(iteration)")
        }
    }

    func finish() {
        guard shown else { return }
        printErrorRaw("\r\u{1B}[K")
    }

    private func write(_ text: String) {
        shown = true
        printErrorRaw("\r\u{1B}[K" + text)
    }

    private func printErrorRaw(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
