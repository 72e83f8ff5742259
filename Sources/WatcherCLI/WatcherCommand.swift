import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

@main
struct WatcherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watcher",
        abstract: "Tells you when the front-door lock was left open.",
        discussion: """
            Each check takes a still from a SORACOM SoraCam (or a snapshot URL, or a file), crops the \
            lock, classifies it with a TinyGraph model (the built-in demo model, a Custom Vision export \
            or your own), and sends a message when it has been open for --debounce checks in a row, a \
            reminder while it stays open, and one message when it is closed again. It also says when it \
            cannot see the lock (camera offline, key rejected, budget spent, model broken) and when it \
            has been unsure for long.

            Every option can also be set in the environment as WATCHER_<OPTION> (e.g. WATCHER_REMIND_EVERY=1h); \
            SORACOM credentials also read soracom-cli's names: SORACOM_AUTH_KEY_ID, SORACOM_AUTH_KEY, \
            SORACOM_COVERAGE_TYPE, SORACOM_ENDPOINT. Secrets are never printed.

            Exit status: 0 when a check completed (open or closed), 1 when it could not, 64 for a \
            configuration error (one line on stderr, before anything is sent), 130 or 143 when SIGINT \
            or SIGTERM stopped it.
            """,
        version: WatcherVersion.text,
        subcommands: [OnceCommand.self, RunCommand.self, CheckCommand.self, StillCommand.self, StatusCommand.self,
                      HistoryCommand.self, DemoCommand.self, TestNotifyCommand.self, DevicesCommand.self, UsageCommand.self,
                      LearnCommand.self, ReviewCommand.self, LambdaCommand.self, FunctionsCommand.self]
    )

    /// Like swift-argument-parser's, except that an error is one line
    /// (`watcher: error: …`) with its exit status, so cron mail and logs stay
    /// readable, and that `once` and `run` stamp their lines with the time.
    static func main() {
        let subcommand = HostDetection.processArguments().dropFirst().first
        Output.timestamps = (subcommand == "once" || subcommand == "run") && !Output.writesToJournal
        do {
            var command = try parseAsRoot(HostDetection.arguments())
            try command.run()
        } catch {
            let status = exitCode(for: error)
            if status == .success {  // --help, --version
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            if !(error is ExitCode) {
                let lines = message(for: error).split(separator: "\n").map { String($0).trimmingCharacters() }
                    .filter { !$0.isEmpty }
                printError("watcher: error: " + lines.joined(separator: "; "))
            }
            Glibc.exit(status.rawValue)
        }
    }
}
