import Foundation
import Testing
@testable import Watcher

/// The real `watcher` binary against the fake SoraCam: it says when it cannot see
/// the lock and when it can again, when it has been unsure for too long, never
/// announces an episode twice when two checks overlap, and delivers an owed
/// message to the notifier configured after the broken one was fixed.
@Suite(.serialized) struct WatcherHealthTests {
    let folder: URL
    let soracam: FakeSoraCamServer
    let receiver: FakeHTTPServer

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        soracam = try FakeSoraCamServer(jpeg: TestStills.blue)
        receiver = try FakeHTTPServer { request in
            request.path == "/broken" ? FakeResponse(status: 500) : FakeResponse(status: 200, body: Array("ok".utf8))
        }
    }

    var environment: [String: String] {
        [
            "SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
            "SORACOM_AUTH_KEY": soracam.authKey, "WATCHER_STATE_DIR": folder.appendingPathComponent("state").path,
        ]
    }

    func arguments(hook: String = "/hook", _ extra: [String] = []) -> [String] {
        ["once", "--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model, "--crop", TestStills.crop,
         "--camera-name", "Front door", "--timeout", "20s", "--notify", "webhook:\(receiver.baseURL)\(hook)", "--json"] + extra
    }

    func once(_ still: [UInt8], hook: String = "/hook", _ extra: [String] = []) throws -> WatcherProcess.Result {
        soracam.jpeg = still
        return try WatcherProcess.run(arguments(hook: hook, extra), environment: environment, folder: folder)
    }

    func messages(_ path: String = "/hook") -> [JSONValue] {
        receiver.requests(path: path).compactMap(\.json)
    }

    @Test(arguments: [
        ("camera offline", FailureCause.cameraOffline),
        ("key rejected", FailureCause.keyRejected),
        ("export budget exhausted", FailureCause.budgetExhausted),
    ])
    func threeFailedChecksGiveOneUnreachableAndTheNextGoodOneRecovered(headline: String, cause: FailureCause) throws {
        #expect(try once(TestStills.blue).status == 0)
        func breakIt() {
            switch cause {
            case .cameraOffline: soracam.statusSequence = ["processing", "failed"]  // no recording: the camera is off
            case .keyRejected:
                soracam.revokeTokens()
                soracam.inject(.unauthorized, into: .auth)
            case .budgetExhausted: soracam.setBudget(limitFrames: 10, usedFrames: 10)
            default: Issue.record("no way to cause \(cause)")
            }
        }
        for attempt in 1...4 {
            breakIt()
            let result = try once(TestStills.blue)
            #expect(result.status == 1, "attempt \(attempt): \(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.errorLines.count == 1 && result.stderr.contains("watcher: error: "), "\(result.stderr)")
        }
        #expect(messages().map { $0["event"]?.stringValue } == ["unreachable"])
        let unreachable = try #require(messages().first)
        let text = try #require(unreachable["text"]?.stringValue)
        #expect(text.contains("Front door") && text.contains("cannot see the lock") && text.contains(headline), "\(text)")
        #expect(unreachable["cause"]?.stringValue?.contains(cause.advice.prefix(20)) == true)
        #expect(unreachable["label"] == .null && unreachable["failingSince"]?.stringValue != nil)

        soracam.statusSequence = ["processing", "processing", "completed"]
        soracam.setBudget(limitFrames: 100_000, usedFrames: 0)
        let good = try once(TestStills.blue)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(messages().map { $0["event"]?.stringValue } == ["unreachable", "recovered"])
        let recovered = try #require(messages().last)
        #expect(recovered["blindSeconds"]?.intValue != nil && recovered["text"]?.stringValue?.contains("blind for") == true)
        #expect(try once(TestStills.blue).status == 0)
        #expect(messages().count == 2)
    }

    @Test func unsureForLongerThanTheLimitGivesOneUnsure() throws {
        #expect(try once(TestStills.grey, ["--alert-unsure-after", "2s"]).status == 0)
        #expect(messages().isEmpty)
        Thread.sleep(forTimeInterval: 2.2)
        let late = try once(TestStills.grey, ["--alert-unsure-after", "2s"])
        #expect(late.status == 0, "\(late.stderr)")
        #expect(try JSONValue.parse(try #require(late.lines.last))["notifications"] == ["unsure"])
        #expect(try once(TestStills.grey, ["--alert-unsure-after", "2s"]).status == 0)
        #expect(messages().map { $0["event"]?.stringValue } == ["unsure"])
        let unsure = try #require(messages().first)
        #expect(unsure["unsureSeconds"]?.intValue.map { $0 >= 2 } == true)
        #expect(unsure["text"]?.stringValue?.contains("cannot tell whether the lock is open") == true)
        // A sure result ends it, and says so.
        _ = try once(TestStills.blue, ["--alert-unsure-after", "2s"])
        #expect(messages().map { $0["event"]?.stringValue } == ["unsure", "recovered"])
    }

    /// Two checks started at the same instant on an open lock with --debounce 1:
    /// the second waits for the first's lock, then starts from the state it left.
    @Test func twoChecksAtTheSameInstantAnnounceTheEpisodeOnce() throws {
        soracam.jpeg = TestStills.red
        let runs = try (0..<2).map { _ in
            try WatcherProcess.start(arguments(["--debounce", "1"]), environment: environment, folder: folder)
        }
        let results = runs.map { process, out, err in
            process.waitUntilExit()
            return WatcherProcess.finish(process, out, err)
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        #expect(messages().map { $0["event"]?.stringValue } == ["opened"])
        let notified = try results.map { try JSONValue.parse(try #require($0.lines.last))["notification"] }
        #expect(notified.filter { $0 == "opened" }.count == 1, "\(notified)")
        #expect(soracam.count(.exportStart) == 2)  // each did its own check, one after the other
        let history = try WatcherProcess.run(["history", "--json"], environment: environment, folder: folder)
        #expect(history.lines.count == 2, "\(history.stdout)")
    }

    /// The webhook's URL was wrong when the door opened; the message waits in the
    /// state and goes to the URL configured at the next check.
    @Test func anOwedMessageReachesTheNotifierConfiguredAfterTheURLChanged() throws {
        let first = try once(TestStills.red, hook: "/broken", ["--debounce", "1"])
        #expect(first.status == 0 && first.stderr.contains("will retry"), "\(first.stderr)")
        #expect(try JSONValue.parse(try #require(first.lines.last))["pendingMessages"]?.intValue == 1)
        let failedID = try #require(messages("/broken").first?["id"]?.stringValue)

        let second = try once(TestStills.red, hook: "/fixed", ["--debounce", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try JSONValue.parse(try #require(second.lines.last))["pendingMessages"]?.intValue == 0)
        #expect(messages("/fixed").map { $0["event"]?.stringValue } == ["opened"])
        #expect(messages("/fixed").first?["id"]?.stringValue == failedID)
        _ = try once(TestStills.red, hook: "/fixed", ["--debounce", "1"])
        #expect(messages("/fixed").count == 1 && messages("/broken").count == 1)
    }

    @Test func aMessageNobodyCouldDeliverIsDroppedAfterTheMaximumAgeWithAWarning() throws {
        _ = try once(TestStills.red, hook: "/broken", ["--debounce", "1", "--max-message-age", "1m"])
        let path = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("state").path)
            .first { $0.hasPrefix("camera-\(FakeSoraCamServer.deviceId)-") && $0.hasSuffix(".json") })
        // Age the owed message by two minutes, as if the checks had gone on failing.
        let file = folder.appendingPathComponent("state/" + path)
        var text = try String(contentsOf: file, encoding: .utf8)
        let state = try JSONValue.parse(text)
        let time = try #require(state["outbox"]?.arrayValue?.first?["alert"]?["time"]?.intValue)
        text = text.replacingOccurrences(of: "\"time\":\(time),", with: "\"time\":\(time - 120_000),")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try once(TestStills.red, hook: "/broken", ["--debounce", "1", "--max-message-age", "1m"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("opened message") && result.stderr.contains("--max-message-age") && result.stderr.contains("dropped"),
                "\(result.stderr)")
        #expect(try JSONValue.parse(try #require(result.lines.last))["pendingMessages"]?.intValue == 0)
    }
}
