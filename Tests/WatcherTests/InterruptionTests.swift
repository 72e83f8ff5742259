import Foundation
import Testing

/// The signal handling every watcher command installs (Sources/CInterruptShim):
/// the first SIGINT or SIGTERM is a request that long waits poll; a second one
/// exits at once with the shell's status for it. The shim is compiled with a small
/// driver that sends the signals to itself, which makes the order exact.
@Suite struct InterruptionTests {
    @Test(arguments: [("INT", "INT", Int32(130)), ("TERM", "INT", 130), ("INT", "TERM", 143)])
    func aSecondSignalExitsAtOnce(first: String, second: String, status: Int32) throws {
        let driver = try Self.buildDriver()
        let process = Process()
        process.executableURL = driver
        process.arguments = [first, second]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == "first signal noted\n")
        #expect(process.terminationReason == .exit && process.terminationStatus == status)
    }

    static func buildDriver() throws -> URL {
        let root = WatcherProcess.repositoryRoot
        let folder = try WatcherProcess.temporaryFolder()
        let driver = folder.appendingPathComponent("interrupt-driver")
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-O1", "-I", root + "/Sources/CInterruptShim/include", "-o", driver.path,
                              root + "/Tests/WatcherTests/Support/interrupt_driver.c", root + "/Sources/CInterruptShim/shim.c"]
        let output = Pipe()
        compiler.standardOutput = output
        compiler.standardError = output
        try compiler.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else {
            throw POSIXError(.ENOEXEC, userInfo: [NSLocalizedDescriptionKey: "cannot build the interrupt driver with cc: \(said)"])
        }
        return driver
    }
}
