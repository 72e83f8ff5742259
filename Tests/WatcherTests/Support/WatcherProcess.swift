import Foundation

/// Runs the real `watcher` executable that `swift test` built beside the test
/// bundle, with a clean environment (only what the test gives, plus PATH).
enum WatcherProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Standard output's lines, without empty ones.
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        /// Standard error's lines, without empty ones.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    static let executable: URL = {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("watcher")
    }()

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Starts watcher; output goes to files (no pipe can fill up and block it).
    /// It runs in the repository unless `workingDirectory` says otherwise.
    static func start(_ arguments: [String], environment: [String: String] = [:], folder: URL, executable: URL? = nil,
                      workingDirectory: String? = nil) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = executable ?? Self.executable
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder.path, "TZ": "UTC"].merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? repositoryRoot)
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("stdout-\(id)"), err = folder.appendingPathComponent("stderr-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        if environment["JOURNAL_STREAM"] == journalStreamOfStandardError {
            // As systemd does for a service logging to the journal: the stream's device and inode.
            var info = stat()
            stat(err.path, &info)
            process.environment?["JOURNAL_STREAM"] = "\(info.st_dev):\(info.st_ino)"
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    /// Pass as `JOURNAL_STREAM` to have it name the process's standard error, as under systemd.
    static let journalStreamOfStandardError = "<standard error>"

    static func run(_ arguments: [String], environment: [String: String] = [:], folder: URL, executable: URL? = nil,
                    workingDirectory: String? = nil) throws -> Result {
        let (process, out, err) = try start(arguments, environment: environment, folder: folder, executable: executable,
                                            workingDirectory: workingDirectory)
        process.waitUntilExit()
        return finish(process, out, err)
    }

    static func finish(_ process: Process, _ out: URL, _ err: URL) -> Result {
        Result(status: process.terminationStatus,
               stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
               stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("watcher-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
