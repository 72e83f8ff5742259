import Foundation

/// Reads libjpeg's heap use from the LD_PRELOAD probe in `jpeg_heap_probe.c`.
///
/// A test cannot count another library's mallocs from inside the process unless the
/// probe was preloaded, so `HeapProbe.measure` compiles the probe with the C compiler
/// that comes with Swift, runs this test binary again under it with only the memory
/// test selected, and returns what that run printed. Inside that run, `HeapProbe()`
/// finds the probe's functions and counts.
struct HeapProbe {
    private let begin: @convention(c) () -> Void
    private let end: @convention(c) () -> Int

    /// Set in the re-run, where a missing probe is an error rather than the cue to re-run.
    static let childVariable = "TINYIMAGE_HEAP_PROBE_CHILD"

    /// nil when no probe is preloaded.
    init?() {
        guard let begin = dlsym(nil, "tinyimage_probe_begin"), let end = dlsym(nil, "tinyimage_probe_end") else { return nil }
        self.begin = unsafeBitCast(begin, to: (@convention(c) () -> Void).self)
        self.end = unsafeBitCast(end, to: (@convention(c) () -> Int).self)
    }

    /// The most bytes libjpeg held at once on this thread while `body` ran.
    func peak(_ body: () throws -> Void) rethrows -> Int {
        begin()
        defer { _ = end() }
        try body()
        return end()
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Builds the probe and runs the test `testName` of this binary under it; returns
    /// the run's standard output. Throws when the probe cannot be built or the run fails.
    static func runUnderProbe(testName: String) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("jpeg_heap_probe.c")
        let library = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg_heap_probe-\(getpid()).so")
        defer { try? FileManager.default.removeItem(at: library) }
        let compiler = try run("/usr/bin/env", ["cc", "-O2", "-shared", "-fPIC", "-o", library.path, source.path])
        guard compiler.status == 0 else {
            throw Failure(description: "cannot build the heap probe with cc (exit \(compiler.status)): \(compiler.output)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library.path
        environment[childVariable] = "1"
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let child = try run(testBinary, ["--testing-library", "swift-testing", "--filter", testName], environment: environment)
        guard child.status == 0 else {
            throw Failure(description: "the test run under the heap probe failed (exit \(child.status)):\n\(child.output)")
        }
        return child.output
    }

    private static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
