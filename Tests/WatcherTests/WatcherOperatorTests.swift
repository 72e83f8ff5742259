import Foundation
import Testing
import TinyImage
@testable import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// What an operator meets: configuration errors as one line and status 64 before
/// any export; `--quiet` and time-stamped lines for cron; Ctrl-C and SIGTERM that
/// stop a slow request within a second; `still`, `check --save-crop`, `usage`.
@Suite(.serialized) struct WatcherOperatorTests {
    let folder: URL
    let soracam: FakeSoraCamServer

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        soracam = try FakeSoraCamServer(jpeg: TestStills.red)
    }

    var environment: [String: String] {
        [
            "SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
            "SORACOM_AUTH_KEY": soracam.authKey, "WATCHER_STATE_DIR": folder.appendingPathComponent("state").path,
        ]
    }

    var once: [String] {
        ["once", "--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model, "--crop", TestStills.crop]
    }

    func writeFile(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every configuration error: one line, status 64, and nothing sent (no login, no export).
    @Test func configurationErrorsAreOneLineAndStatus64BeforeAnyExport() throws {
        let three = try writeFile(Array("a\nb\nc\n".utf8), "three.txt")
        let cases: [([String], [String: String], String)] = [
            (once + ["--notify", "ntfy:my topic"], [:], "topic"),
            (once + ["--notify", "slack:https://hooks.slack.com/services/T0 B0"], [:], "space"),
            (once + ["--notify", "webhook:https://host:99999/x"], [:], "port"),
            (once + ["--notify", "line:U0123"], [:], "32 hex digits"),
            (once + ["--notify", "line:U0123456789abcdef0123456789abcdef"], [:], "WATCHER_LINE_CHANNEL_TOKEN"),
            (once, ["WATCHER_NOTIFY": "teams:not-a-url"], "http(s) URL"),
            (once + ["--labels", three], [:], "labels"),
            (once + ["--alert-label", "ajar"], [:], "ajar"),
            (["once", "--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model], [:], "--crop"),
            (once + ["--whole-image"], [:], "not both"),
            (once + ["--crop", "128x128"], [:], "WxH+X+Y"),
            (once, ["WATCHER_THRESHOLD": "high"], "WATCHER_THRESHOLD"),
            (once, ["WATCHER_ALERT_AFTER_FAILURES": "three"], "WATCHER_ALERT_AFTER_FAILURES"),
            (once + ["--alert-unsure-after", "1x"], [:], "unit"),
            (once + ["--lock-timeout", "soon"], [:], "soon"),
            (once + ["--max-message-age", "10s"], [:], "max-message-age"),
            (once, ["WATCHER_QUIET": "maybe"], "WATCHER_QUIET"),
            (["once", "--snapshot-url", "http://ca mera/snap.jpg", "--model", TestStills.model, "--crop", TestStills.crop], [:],
             "space"),
            (once + ["--bogus"], [:], "--bogus"),
            (once, ["SORACOM_AUTH_KEY_ID": "", "SORACOM_AUTH_KEY": ""], "SORACOM_AUTH_KEY"),
            (["run", "--every", "0s"] + once.dropFirst(), [:], "--every"),
        ]
        for (arguments, extra, expected) in cases {
            let result = try WatcherProcess.run(arguments, environment: environment.merging(extra) { $1 }, folder: folder)
            #expect(result.status == 64, "\(arguments) \(extra): \(result.status) \(result.stderr)")
            #expect(result.errorLines.count == 1 && result.stderr.contains("watcher: error: ") && result.stderr.contains(expected),
                    "\(arguments) \(extra): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(soracam.count(.auth) == 0 && soracam.count(.exportStart) == 0)
    }

    /// cron mails whatever a job prints: with --quiet a check prints nothing
    /// unless it sends a message; every line of `once` and `run` starts with the time.
    @Test func quietPrintsOnlyMessagesAndErrorsAndLinesCarryTheTime() throws {
        soracam.jpeg = TestStills.blue
        let closed = try WatcherProcess.run(once + ["--quiet", "--notify", "stdout"], environment: environment, folder: folder)
        #expect(closed.status == 0 && closed.stdout.isEmpty && closed.stderr.isEmpty, "\(closed.stdout)\(closed.stderr)")
        soracam.jpeg = TestStills.red
        let opened = try WatcherProcess.run(once + ["--notify", "stdout", "--debounce", "1"],
                                            environment: environment.merging(["WATCHER_QUIET": "1"]) { $1 }, folder: folder)
        #expect(opened.status == 0)
        #expect(opened.lines.count == 1 && WatcherOnceTests.isStamped(opened.lines[0], "[opened] "), "\(opened.stdout)")
        let loud = try WatcherProcess.run(once, environment: environment, folder: folder)
        #expect(loud.lines.count == 1 && WatcherOnceTests.isStamped(loud.lines[0], "\(FakeSoraCamServer.deviceId): open"),
                "\(loud.stdout)")
        soracam.inject(.serverError, into: .exportStart)
        let failed = try WatcherProcess.run(once + ["--quiet"], environment: environment, folder: folder)
        #expect(failed.status == 1 && failed.stdout.isEmpty)
        #expect(failed.errorLines.count == 1 && WatcherOnceTests.isStamped(failed.errorLines[0], "watcher: error: "),
                "\(failed.stderr)")
        // Under systemd the journal stamps lines itself.
        soracam.inject(.serverError, into: .exportStart)
        let journal = try WatcherProcess.run(
            once, environment: environment.merging(["JOURNAL_STREAM": WatcherProcess.journalStreamOfStandardError]) { $1 },
            folder: folder)
        #expect(journal.errorLines.count == 1 && journal.errorLines[0].hasPrefix("watcher: error: "), "\(journal.stderr)")
        // JSON stays machine output.
        let json = try WatcherProcess.run(once + ["--json"], environment: environment, folder: folder)
        #expect(json.lines.count == 1 && json.lines[0].hasPrefix("{"), "\(json.stdout)")
    }

    /// Ctrl-C in the middle of a slow export: the request is abandoned within a
    /// second, nothing is recorded, exit status 130.
    @Test func sigintAbortsAnInFlightRequestWithinASecond() throws {
        soracam.inject(.slow(seconds: 30), into: .exportStart)
        let (process, out, err) = try WatcherProcess.start(once + ["--timeout", "60s"], environment: environment, folder: folder)
        try waitUntil { soracam.count(.exportStart) >= 1 }
        Thread.sleep(forTimeInterval: 0.2)  // inside curl's wait for the answer
        let sent = Date()
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let elapsed = Date().timeIntervalSince(sent)
        let result = WatcherProcess.finish(process, out, err)
        #expect(elapsed < 1.5, "took \(elapsed) s")
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.errorLines.count == 1 && result.stderr.contains("interrupted by SIGINT"), "\(result.stderr)")
        // An interrupted check is not a failed one.
        let status = try WatcherProcess.run(["status", "--json"], environment: environment, folder: folder)
        #expect(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(status.stdout)")
    }

    /// The daemon stops cleanly (status 0) within a second of SIGTERM, even mid-request.
    /// A second signal ends it at once, before any clean-up: stopped, then sent SIGTERM
    /// and SIGINT, it handles both on waking, and the second ends it with 128 plus its
    /// number (which of the two the kernel delivers second is its choice; the exact
    /// order is InterruptionTests' job).
    @Test func sigtermStopsTheDaemonMidRequestAndASecondSignalExitsAtOnce() throws {
        soracam.inject(.slow(seconds: 30), into: .exportStart, times: 2)
        let run = ["run", "--every", "1m"] + once.dropFirst() + ["--timeout", "60s"]
        for twice in [false, true] {
            let before = soracam.count(.exportStart)
            let (process, out, err) = try WatcherProcess.start(run, environment: environment, folder: folder)
            try waitUntil { soracam.count(.exportStart) > before }
            Thread.sleep(forTimeInterval: 0.2)
            if twice { kill(process.processIdentifier, SIGSTOP) }
            let sent = Date()
            kill(process.processIdentifier, SIGTERM)
            if twice {
                kill(process.processIdentifier, SIGINT)
                kill(process.processIdentifier, SIGCONT)
            }
            process.waitUntilExit()
            let elapsed = Date().timeIntervalSince(sent)
            let result = WatcherProcess.finish(process, out, err)
            #expect(elapsed < 1.5, "took \(elapsed) s")
            if twice {
                #expect([130, 143].contains(result.status) && !result.stderr.contains("stopped"), "\(result.status) \(result.stderr)")
            } else {
                #expect(result.status == 0 && result.stderr.contains("stopped"), "\(result.stderr)")
            }
        }
    }

    @Test func stillSavesOneStillAndSaysItSpentAnExport() throws {
        let output = folder.appendingPathComponent("still.jpg").path
        let result = try WatcherProcess.run(["still", "--device-id", FakeSoraCamServer.deviceId, "--output", output],
                                            environment: environment, folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: output) == Data(TestStills.red))
        #expect(result.stderr.contains("spends one export") && result.stdout.contains("1920x1080") && result.stdout.contains("1 export spent"),
                "\(result.stdout)\(result.stderr)")
        #expect(soracam.count(.exportStart) == 1)
        let missing = try WatcherProcess.run(["still", "--device-id", FakeSoraCamServer.deviceId], environment: environment, folder: folder)
        #expect(missing.status == 64 && missing.stderr.contains("--output"))
        #expect(soracam.count(.exportStart) == 1)
    }

    @Test func checkSavesTheCropTheModelSaw() throws {
        let red = try writeFile(TestStills.red, "red.jpg")
        let crop = folder.appendingPathComponent("crop.jpg").path
        let result = try WatcherProcess.run(["check", "--image", red, "--model", TestStills.model, "--crop", TestStills.crop,
                                             "--save-crop", crop], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let saved = Array(try #require(FileManager.default.contents(atPath: crop)))
        #expect(try TinyImageProbe.size(saved) == (32, 32))  // the colour-lock model's input
        let image = try TinyImage.JPEGDecoder.decode(saved)
        let centre = image[16, 16]
        #expect(centre.r > 180 && centre.g < 80 && centre.b < 80, "\(centre)")  // the red box
        // Percentages, never 6.2e-09.
        #expect(result.lines.contains { $0.hasPrefix("  open: ") && $0.hasSuffix("%") }, "\(result.stdout)")
        #expect(!result.stdout.contains("e-"), "\(result.stdout)")
    }

    @Test func checkReadsWatcherImageAndWatcherJSON() throws {
        let red = try writeFile(TestStills.red, "red.jpg")
        let result = try WatcherProcess.run(["check", "--model", TestStills.model, "--crop", TestStills.crop],
                                            environment: ["WATCHER_IMAGE": red, "WATCHER_JSON": "yes"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONValue.parse(try #require(result.lines.last))["label"]?.stringValue == "open")
    }

    /// The budget resets when the month ends: days left come from the calendar,
    /// not from the stills left.
    @Test func usageComputesTheDaysLeftInThisMonth() throws {
        soracam.setBudget(limitFrames: 259_200, usedFrames: 1_200)
        let result = try WatcherProcess.run(["usage", "--device-id", FakeSoraCamServer.deviceId, "--json"],
                                            environment: environment, folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        let nextMonth = calendar.date(byAdding: .month, value: 1, to: monthStart)!
        let expected = nextMonth.timeIntervalSince(now) / 86_400
        let days = try #require(json["daysLeftInMonth"]?.doubleValue)
        #expect(abs(days - expected) < 0.01 && days <= 31, "\(days) vs \(expected)")
        #expect(json["stillsNeeded"]?.intValue == Int((nextMonth.timeIntervalSince(now) / 300).rounded(.up))
            || abs((json["stillsNeeded"]?.intValue ?? 0) - Int(nextMonth.timeIntervalSince(now) / 300)) <= 1)
        #expect(json["lastsTheMonth"] == .bool(true))
        // Half of what one still every 5 minutes needs until the month ends.
        let half = Int(nextMonth.timeIntervalSinceNow / 300) / 2
        soracam.setBudget(limitFrames: 259_200, usedFrames: 259_200 - half)
        let short = try WatcherProcess.run(["usage", "--device-id", FakeSoraCamServer.deviceId], environment: environment,
                                           folder: folder)
        if half > 0 {
            #expect(short.stdout.contains("days left in the month") && short.stdout.contains("they last "
                + WallTime.durationText(seconds: half * 300)) && short.stdout.contains("would last the month"), "\(short.stdout)")
        } else {
            #expect(short.stdout.contains("no stills left"), "\(short.stdout)")
        }
    }

    func waitUntil(_ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(20)
        while !condition() {
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}
