import Foundation
import Testing
@testable import Watcher

/// An installed binary: copied alone into an empty folder and run from `/`, it
/// classifies with its built-in model, keeps history and status, and `watcher
/// demo` finds the samples installed beside it (or says where it looked).
@Suite struct WatcherAnywhereTests {
    let folder: URL
    let lonely: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        let bin = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        lonely = bin.appendingPathComponent("watcher")
        try FileManager.default.copyItem(at: WatcherProcess.executable, to: lonely)
    }

    func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: WatcherProcess.repositoryRoot + "/Samples/" + name)))
    }

    @Test func theBinaryAloneClassifiesWithItsBuiltInModelFromTheRootFolder() throws {
        #expect(try FileManager.default.contentsOfDirectory(atPath: lonely.deletingLastPathComponent().path) == ["watcher"])
        let still = folder.appendingPathComponent("still.jpg")
        try Data(try sample("03-day-open.jpg")).write(to: still)
        let result = try WatcherProcess.run(["check", "--image", still.path, "--crop", "128x128+650+378", "--json"],
                                            folder: folder, executable: lonely, workingDirectory: "/")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        #expect(json["model"]?.stringValue == BuiltInModel.name)
        #expect(json["label"]?.stringValue == "open" && (json["probability"]?.doubleValue ?? 0) > 0.99)
    }

    /// README's `watcher once` example, outside the repository: checks against the
    /// fake SoraCam, then `status --json` and `history --json` report them.
    @Test func onceThenStatusAndHistoryReportTheChecksJustMade() throws {
        let soracam = try FakeSoraCamServer(jpeg: try sample("03-day-open.jpg"))
        defer { soracam.stop() }
        let state = folder.appendingPathComponent("state").path
        let environment = ["SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
                           "SORACOM_AUTH_KEY": soracam.authKey, "WATCHER_STATE_DIR": state]
        let once = ["once", "--device-id", FakeSoraCamServer.deviceId, "--crop", "128x128+650+378", "--camera-name", "Front door",
                    "--notify", "stdout"]
        let first = try WatcherProcess.run(once, environment: environment, folder: folder, executable: lonely, workingDirectory: "/")
        #expect(first.status == 0, "\(first.stderr)")
        let second = try WatcherProcess.run(once, environment: environment, folder: folder, executable: lonely, workingDirectory: "/")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("[opened] Front door: the lock is OPEN"), "\(second.stdout)")
        soracam.statusSequence = ["failed"]
        let third = try WatcherProcess.run(once, environment: environment, folder: folder, executable: lonely, workingDirectory: "/")
        #expect(third.status == 1)

        let status = try WatcherProcess.run(["status", "--json"], environment: environment, folder: folder, executable: lonely,
                                            workingDirectory: "/")
        #expect(status.status == 0, "\(status.stderr)")
        let statusLine = try #require(status.lines.last)
        let cameras = try #require(try JSONValue.parse(statusLine).arrayValue)
        #expect(cameras.count == 1)
        let camera = cameras[0]
        #expect(camera["camera"]?.stringValue == "Front door" && camera["source"]?.stringValue == FakeSoraCamServer.deviceId)
        #expect(camera["lastCheck"]?["label"]?.stringValue == "open" && camera["lastCheck"]?["verdict"]?.stringValue == "alert")
        #expect(camera["openSince"]?.stringValue != nil && camera["announced"] == .bool(true))
        #expect(camera["failureStreak"]?.intValue == 1 && camera["lastError"]?["cause"]?.stringValue == "camera-offline")
        #expect(camera["lock"] == .null && camera["owedMessages"]?.arrayValue?.isEmpty == true)

        let history = try WatcherProcess.run(["history", "--json", "--camera", "Front door"], environment: environment,
                                             folder: folder, executable: lonely, workingDirectory: "/")
        #expect(history.status == 0, "\(history.stderr)")
        let entries = try history.lines.map { try JSONValue.parse($0) }
        #expect(entries.map { $0["label"]?.stringValue } == ["open", "open", nil])
        #expect(entries.map { $0["events"] } == [[], ["opened"], []])
        #expect(entries[2]["cause"]?.stringValue == "camera-offline" && entries[2]["error"]?.stringValue?.contains("failed") == true)

        let text = try WatcherProcess.run(["history"], environment: environment, folder: folder, executable: lonely,
                                          workingDirectory: "/")
        #expect(text.lines.count == 3 && text.lines[1].contains("Front door: open 100.0% [alert] → opened"), "\(text.stdout)")
        let human = try WatcherProcess.run(["status"], environment: environment, folder: folder, executable: lonely,
                                           workingDirectory: "/")
        #expect(human.stdout.contains("Front door (\(FakeSoraCamServer.deviceId))") && human.stdout.contains("camera offline"),
                "\(human.stdout)")
        let unknown = try WatcherProcess.run(["history", "--camera", "Garage"], environment: environment, folder: folder,
                                             executable: lonely, workingDirectory: "/")
        #expect(unknown.status == 64 && unknown.stderr.contains("Front door"), "\(unknown.stderr)")
    }

    @Test func demoFindsTheSamplesInstalledBesideTheBinaryOrSaysWhereItLooked() throws {
        let missing = try WatcherProcess.run(["demo"], folder: folder, executable: lonely, workingDirectory: "/")
        #expect(missing.status == 64 && missing.errorLines.count == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("looked in Samples, ") && missing.stderr.contains(folder.path + "/share/watcher/Samples"),
                "\(missing.stderr)")

        let prefix = folder.appendingPathComponent("usr-local")
        let bin = prefix.appendingPathComponent("bin"), share = prefix.appendingPathComponent("share/watcher")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: lonely, to: bin.appendingPathComponent("watcher"))
        try FileManager.default.copyItem(at: URL(fileURLWithPath: WatcherProcess.repositoryRoot + "/Samples"),
                                         to: share.appendingPathComponent("Samples"))
        let demo = try WatcherProcess.run(["demo"], folder: folder, executable: bin.appendingPathComponent("watcher"),
                                          workingDirectory: "/")
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.lines.first?.contains("8 stills from \(share.path)/Samples/, model \(BuiltInModel.name)") == true,
                "\(demo.stdout)")
        #expect(demo.lines.filter { $0.hasPrefix("    → [") }.count == 3)
    }
}
