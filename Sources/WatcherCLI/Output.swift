import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// How the command writes: one line at a time, unbuffered, so logs under cron,
/// systemd and pipes are timely and whole.
enum Output {
    /// `once` and `run` start every log line with an ISO 8601 time, unless the
    /// lines go to the systemd journal, which stamps them itself.
    nonisolated(unsafe) static var timestamps = false
    /// `--quiet`: no line per check; messages, warnings and errors only.
    nonisolated(unsafe) static var quiet = false

    /// True when standard error is the journal's stream (`JOURNAL_STREAM` names
    /// its device and inode, as systemd documents for services).
    static var writesToJournal: Bool {
        guard let stream = Environment.value("JOURNAL_STREAM") else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return stream == "\(info.st_dev):\(info.st_ino)"
    }

    static func stamped(_ line: String) -> String {
        timestamps ? WallTime.logStamp(WallTime.nowMillis()) + " " + line : line
    }
}

/// A log line on standard output (stamped in `once` and `run`).
func printLine(_ line: String) {
    writeLine(Output.stamped(line), to: STDOUT_FILENO)
}

/// A check's result line (or JSON object): left out with `--quiet`; JSON is never stamped.
func printResult(_ line: String, json: Bool) {
    guard !Output.quiet else { return }
    writeLine(json ? line : Output.stamped(line), to: STDOUT_FILENO)
}

/// Machine output (`--json`): never stamped.
func printJSON(_ value: JSONValue) {
    writeLine(value.rendered, to: STDOUT_FILENO)
}

func printError(_ line: String) {
    writeLine(Output.stamped(line), to: STDERR_FILENO)
}

private func writeLine(_ line: String, to descriptor: Int32) {
    let bytes = Array((line + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return }
        written += count
    }
}
