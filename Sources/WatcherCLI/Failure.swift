import ArgumentParser
import Watcher

/// Runs a command body. A WatcherError becomes one line on stderr and exit
/// status 1; a configuration error (`.usage`) exit status 64; SIGINT or SIGTERM
/// the shell's status for that signal (130, 143).
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WatcherError {
        throw exitStatus(for: error)
    }
}

/// Prints a WatcherError (usage errors are printed by `WatcherCommand.main`) and
/// returns the error that ends the command with the right status.
func exitStatus(for error: WatcherError) -> Error {
    if error.kind == .usage { return ValidationError(error.message) }
    printError("watcher: error: " + error.message)
    if error.kind == .interrupted { return ExitCode(128 + (Interruption.signal ?? 2)) }
    return ExitCode.failure
}
