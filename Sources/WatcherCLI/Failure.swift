import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// Runs a command body; a WatcherError becomes one line on stderr and exit status 1.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WatcherError {
        if error.kind == .usage { throw ValidationError(error.message) }
        printError("watcher: error: " + error.message)
        throw ExitCode.failure
    }
}

func printError(_ line: String) {
    writeLine(line, to: STDERR_FILENO)
}

/// Standard output, written per line (unbuffered) so logs under systemd and pipes are timely.
func printLine(_ line: String) {
    writeLine(line, to: STDOUT_FILENO)
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
