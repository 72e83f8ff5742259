import Foundation
import Testing
@testable import Watcher

/// The real `watcher` binary against a fake SoraCam API and fake notification
/// receivers on 127.0.0.1: whole alert episodes, and every injected fault.
@Suite(.serialized) struct WatcherOnceTests {
    let folder: URL
    let soracam: FakeSoraCamServer
    let receiver: FakeHTTPServer
    /// What the receiver answers; tests switch it to simulate an outage.
    let receiverStatus = LockedValue(200)

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        soracam = try FakeSoraCamServer(jpeg: TestStills.blue)
        let status = receiverStatus
        receiver = try FakeHTTPServer { _ in FakeResponse(status: status.value, body: Array("ok".utf8)) }
    }

    var stateFolder: String { folder.appendingPathComponent("state").path }

    var environment: [String: String] {
        [
            "SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
            "SORACOM_AUTH_KEY": soracam.authKey, "WATCHER_STATE_DIR": stateFolder,
        ]
    }

    func once(_ still: [UInt8], extra: [String] = [], environment more: [String: String] = [:]) throws -> WatcherProcess.Result {
        soracam.jpeg = still
        return try WatcherProcess.run(
            ["once", "--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model, "--crop", TestStills.crop,
             "--camera-name", "Front door", "--debounce", "2", "--timeout", "20s",
             "--notify", "webhook:\(receiver.baseURL)/hook", "--json"] + extra,
            environment: environment.merging(more) { $1 }, folder: folder)
    }

    func messages() -> [JSONValue] {
        receiver.requests(path: "/hook").compactMap(\.json)
    }

    /// The camera's state file: named by the device id (and a hash), not the camera name.
    var statePath: String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stateFolder)) ?? []
        return names.first { $0.hasPrefix("camera-\(FakeSoraCamServer.deviceId)-") && $0.hasSuffix(".json") }
            .map { stateFolder + "/" + $0 }
    }

    func state() throws -> JSONValue {
        try JSONValue.parse(Array(try #require(statePath.flatMap { FileManager.default.contents(atPath: $0) })))
    }

    func json(_ result: WatcherProcess.Result) throws -> JSONValue {
        try JSONValue.parse(try #require(result.lines.last))
    }

    @Test func oneMessagePerEpisodeNoneWhileClosedAndOneClosedAgain() throws {
        var verdicts: [String] = []
        for still in [TestStills.blue, TestStills.blue, TestStills.red, TestStills.red, TestStills.red, TestStills.grey,
                      TestStills.red, TestStills.blue, TestStills.blue, TestStills.red, TestStills.blue] {
            let result = try once(still)
            #expect(result.status == 0, "\(result.stderr)")
            verdicts.append(try json(result)["verdict"]?.stringValue ?? "?")
        }
        #expect(verdicts == ["clear", "clear", "alert", "alert", "alert", "unsure", "alert", "clear", "clear", "alert", "clear"])
        // Opened on the second red in a row, closed again on the first blue after; the
        // last lone red is debounced away.
        #expect(messages().map { $0["event"]?.stringValue } == ["opened", "closed"])
        #expect(messages()[0]["camera"]?.stringValue == "Front door")
        // One export per check, one login for all eleven runs (the token is cached).
        #expect(soracam.count(.exportStart) == 11)
        #expect(soracam.count(.auth) == 1)
        // Each export asks for "now" in Unix milliseconds (the fake refuses seconds).
        let started = Int(Date().timeIntervalSince1970 * 1000)
        for request in soracam.requests(.exportStart) {
            let time = try #require(request.json?["time"]?.intValue)
            #expect(time <= started && time > started - 600_000, "export time \(time)")
        }
        let tokenFile = stateFolder + "/soracom-token.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func remindersWhileItStaysOpen() throws {
        for _ in 0..<2 { _ = try once(TestStills.red, extra: ["--remind-every", "1s"]) }
        Thread.sleep(forTimeInterval: 1.1)
        _ = try once(TestStills.red, extra: ["--remind-every", "1s"])
        _ = try once(TestStills.red, extra: ["--remind-every", "1h"])
        #expect(messages().map { $0["event"]?.stringValue } == ["opened", "reminder"])
    }

    /// Each fault: a clear one-line error with the time in front, exit status 1, no
    /// secret in the output; the lock's state as it was, the failure counted with
    /// its cause.
    @Test(arguments: [
        ("wrong auth key", FaultCase.auth401, "auth", FailureCause.keyRejected),
        ("export start 500", FaultCase.exportStart500, "500", .serviceFailing),
        ("limit exceeded", FaultCase.limitExceeded, "budget", .budgetExhausted),
        ("truncated download", FaultCase.truncatedDownload, "", .networkDown),
        ("expired URL", FaultCase.urlExpired, "expired", .serviceFailing),
        ("slow answers", FaultCase.slow, "timed out", .timedOut),
        ("truncated JPEG", FaultCase.truncatedJPEG, "truncated", .unusableStill),
        ("not a JPEG", FaultCase.notJPEG, "JPEG", .unusableStill),
    ])
    func faultsAreOneLineAndLeaveTheLockStateAsItWas(name: String, fault: FaultCase, expected: String,
                                                    cause: FailureCause) throws {
        _ = try once(TestStills.red)  // one alert so far: streak 1
        let before = try state()
        var still = TestStills.red
        var extra: [String] = []
        switch fault {
        case .auth401:
            soracam.revokeTokens()
            soracam.inject(.unauthorized, into: .auth)  // the client logs in once per run, then gives up
        case .exportStart500: soracam.inject(.serverError, into: .exportStart)
        case .limitExceeded: soracam.setBudget(limitFrames: 10, usedFrames: 10)
        case .truncatedDownload: soracam.inject(.truncated(bytes: 1000), into: .download, times: 5)
        case .urlExpired: soracam.inject(.urlExpired, into: .download)
        case .slow:
            // The export POST is never repeated after a timeout, so one slow answer fails the check.
            soracam.inject(.slow(seconds: 6), into: .exportStart)
            extra = ["--timeout", "3s"]
        case .truncatedJPEG: still = Array(TestStills.red.prefix(TestStills.red.count / 3))
        case .notJPEG: still = Array("<html>503 Service Unavailable</html>".utf8)
        }
        let result = try once(still, extra: extra)
        #expect(result.status == 1, "\(name): \(result.stdout) \(result.stderr)")
        let errorLines = result.errorLines
        #expect(errorLines.count == 1 && Self.isStamped(errorLines.first ?? "", "watcher: error: "), "\(name): \(result.stderr)")
        if !expected.isEmpty { #expect(result.stderr.lowercased().contains(expected.lowercased()), "\(name): \(result.stderr)") }
        #expect(result.stdout.isEmpty)
        for secret in [soracam.authKey] + soracam.issuedSignatures {
            #expect(!result.stderr.contains(secret), "\(name) leaked a secret")
        }
        let after = try state()
        for field in ["alertStreak", "openSince", "announced", "lastAnnouncedAt", "lastCheck"] {
            #expect(after[field] == before[field], "\(name) changed \(field)")
        }
        #expect(after["failureStreak"]?.intValue == 1, "\(name)")
        #expect(after["lastFailure"]?["cause"]?.stringValue == cause.rawValue, "\(name): \(String(describing: after["lastFailure"]))")
        #expect(messages().isEmpty)
        // The next check works again and carries on from the saved streak.
        soracam.setBudget(limitFrames: 100_000, usedFrames: 0)
        let next = try once(TestStills.red)
        #expect(next.status == 0, "\(name): \(next.stderr)")
        #expect(try json(next)["notification"]?.stringValue == "opened")
    }

    @Test func a429OnTheExportIsRetriedAndTheCheckCompletes() throws {
        soracam.inject(.tooManyRequests(retryAfter: 1), into: .exportStart)
        let result = try once(TestStills.blue)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(soracam.count(.exportStart) == 2)
    }

    @Test func aFailedNotificationIsRetriedOnTheNextCheckNotLost() throws {
        receiverStatus.value = 500
        _ = try once(TestStills.red)
        let failed = try once(TestStills.red)
        #expect(failed.status == 0)  // the check completed; delivery is retried
        #expect(failed.stderr.contains("will retry") && !failed.stderr.contains(receiver.baseURL + "/hook"))
        #expect(try json(failed)["pendingMessages"]?.intValue == 1)
        receiverStatus.value = 200
        let retried = try once(TestStills.red)
        #expect(try json(retried)["pendingMessages"]?.intValue == 0)
        let events = messages().map { $0["event"]?.stringValue }
        #expect(events == ["opened", "opened"])  // one failed attempt, one delivery
        #expect(Set(messages().compactMap { $0["id"]?.stringValue }).count == 1)
    }

    @Test func theCameraBeingDownStillRetriesOwedMessages() throws {
        receiverStatus.value = 503
        _ = try once(TestStills.red)
        _ = try once(TestStills.red)
        receiverStatus.value = 200
        soracam.inject(.serverError, into: .exportStart)
        let result = try once(TestStills.red)
        #expect(result.status == 1)
        #expect(messages().last?["event"]?.stringValue == "opened")
        #expect(receiver.requests(path: "/hook").count == 2)
    }
}

extension WatcherOnceTests {
    /// `2026-11-24T18:02:11+00:00 watcher: error: …`: an ISO 8601 time, then the text.
    static func isStamped(_ line: String, _ text: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix(text) else { return false }
        let stamp = Array(parts[0].utf8)
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24]
        return stamp.count == 25 && digits.allSatisfy { (0x30...0x39).contains(stamp[$0]) }
            && stamp[4] == 0x2D && stamp[10] == 0x54 && stamp[13] == 0x3A && (stamp[19] == 0x2B || stamp[19] == 0x2D)
    }
}

enum FaultCase: Sendable {
    case auth401, exportStart500, limitExceeded, truncatedDownload, urlExpired, slow, truncatedJPEG, notJPEG
}

/// A value shared between a test and a fake server's thread.
final class LockedValue<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
