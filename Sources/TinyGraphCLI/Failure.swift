#if canImport(Glibc)
import Glibc
#endif

/// A failure that is not the user's command line: printed as one line, exit status 1.
struct CommandFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

func printError(_ message: String) {
    // One line, whatever the message holds.
    var line = "tinygraph: error: "
    for character in message { line.append(character == "\n" ? " " : character) }
    line += "\n"
    // Write to file descriptor 2 directly: the C `stderr` global is not concurrency-safe in Swift 6.
    _ = line.withCString { write(2, $0, strlen($0)) }
}
