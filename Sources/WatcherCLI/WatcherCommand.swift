import ArgumentParser
import Watcher

@main
struct WatcherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watcher",
        abstract: "Tells you when the front-door lock was left open.",
        discussion: """
            Each check takes a still from a SORACOM SoraCam (or a snapshot URL, or a file), crops the \
            lock, classifies it with a TinyGraph model (a Custom Vision export or your own), and sends \
            a message when it has been open for --debounce checks in a row, a reminder while it stays \
            open, and one message when it is closed again.

            Every option can also be set in the environment as WATCHER_<OPTION> (e.g. WATCHER_REMIND_EVERY=1h); \
            SORACOM credentials use soracom-cli's names: SORACOM_AUTH_KEY_ID, SORACOM_AUTH_KEY, \
            SORACOM_COVERAGE_TYPE, SORACOM_ENDPOINT. Secrets are never printed.

            Exit status: 0 when a check completed (open or closed), 1 when it could not, 64 for a usage error.
            """,
        version: WatcherVersion.text,
        subcommands: [OnceCommand.self, RunCommand.self, CheckCommand.self, DemoCommand.self, TestNotifyCommand.self, DevicesCommand.self, UsageCommand.self,
                      LearnCommand.self, ReviewCommand.self]
    )
}

enum WatcherVersion {
    static let text = "0.1.0"
}
