import Foundation
import Testing
@testable import Watcher

/// The real `watcher` binary: every notifier kind against fake receivers, the
/// daemon's clean stop, `check`, and the option/environment contract.
@Suite struct WatcherCommandTests {
    let folder: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
    }

    func writeStill(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func baseArguments(_ image: String) -> [String] {
        ["--image", image, "--model", TestStills.model, "--crop", TestStills.crop, "--camera-name", "Front door",
         "--state-dir", folder.appendingPathComponent("state").path]
    }

    @Test func everyNotifierKindDeliversWhatItsServiceExpects() throws {
        let receiver = try FakeHTTPServer { request in
            request.path == "/discord" ? FakeResponse(status: 204) : FakeResponse(status: 200, body: Array("{}".utf8))
        }
        defer { receiver.stop() }
        let red = try writeStill(TestStills.red, "red.jpg")
        let base = receiver.baseURL
        let arguments = ["once"] + baseArguments(red) + ["--debounce", "1",
            "--notify", "webhook:\(base)/webhook", "--notify", "slack:\(base)/slack", "--notify", "discord:\(base)/discord",
            "--notify", "teams:\(base)/teams", "--notify", "ntfy:\(base)/door", "--notify", "line:U00000000000000000000000000000001",
            "--notify", "stdout"]
        let result = try WatcherProcess.run(arguments, environment: [
            "WATCHER_LINE_CHANNEL_TOKEN": "line-token-SECRET", "WATCHER_LINE_API": base,
        ], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"))
        #expect(result.stdout.contains("[opened] Front door: the lock is OPEN"))

        let line = try #require(receiver.requests(path: "/v2/bot/message/push").first)
        #expect(line.header("Authorization") == "Bearer line-token-SECRET")
        #expect(line.header("X-Line-Retry-Key")?.count == 36)
        #expect(line.json?["to"]?.stringValue == "U00000000000000000000000000000001")
        #expect(line.json?["messages"]?.arrayValue?.first?["text"]?.stringValue?.contains("OPEN") == true)

        #expect(receiver.requests(path: "/slack").first?.json?["text"]?.stringValue?.contains("Front door") == true)
        #expect(receiver.requests(path: "/webhook").first?.json?["event"]?.stringValue == "opened")
        let teams = try #require(receiver.requests(path: "/teams").first?.json)
        #expect(teams["attachments"]?.arrayValue?.first?["content"]?["type"]?.stringValue == "AdaptiveCard")

        // Discord and ntfy carry the crop as a JPEG the decoder accepts: the crop as the
        // model saw it (128×128 decoded at DCT scale 2/8 for this 32×32-input model).
        let discord = try #require(receiver.requests(path: "/discord").first)
        #expect(discord.header("Content-Type")?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(discord.bodyText.contains("filename=\"lock.jpg\"") && discord.bodyText.contains("payload_json"))
        let ntfy = try #require(receiver.requests(path: "/door").first)
        #expect(ntfy.method == "PUT" && ntfy.header("Filename") == "lock.jpg")
        #expect(ntfy.header("Message")?.contains("OPEN") == true)
        let info = try TinyImageProbe.size(ntfy.body)
        #expect(info == (32, 32))
    }

    @Test func daemonChecksRepeatedlyAndStopsCleanlyOnSIGTERM() throws {
        let blue = try writeStill(TestStills.blue, "blue.jpg")
        let (process, out, err) = try WatcherProcess.start(["run", "--every", "1s"] + baseArguments(blue), folder: folder)
        Thread.sleep(forTimeInterval: 2.6)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let result = WatcherProcess.finish(process, out, err)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.count >= 2 && result.lines.allSatisfy { $0.contains("close") })
        #expect(result.stderr.contains("stopped"))
    }

    @Test func checkClassifiesALocalImage() throws {
        let red = try writeStill(TestStills.red, "red.jpg")
        let result = try WatcherProcess.run(["check", "--image", red, "--model", TestStills.model, "--crop", TestStills.crop,
                                             "--json"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        #expect(json["label"]?.stringValue == "open")
        #expect((json["probabilities"]?["open"]?.doubleValue ?? 0) > 0.99)
    }

    @Test func checkWithTheRealCustomVisionExport() throws {
        let fruits = WatcherProcess.repositoryRoot + "/Tests/Fixtures/models/customvision-fruits/model.pb"
        let still = try writeStill(TestStills.red, "red.jpg")
        let result = try WatcherProcess.run(["check", "--image", still, "--model", fruits, "--crop", "300x300+600+300",
                                             "--json"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        let probabilities = try #require(json["probabilities"])
        guard case .object(let members) = probabilities else { Issue.record("no probabilities"); return }
        #expect(members.count == 4)
    }

    @Test func badInputIsOneClearLineAndExitStatus1() throws {
        let truncated = try writeStill(Array(TestStills.red.prefix(5000)), "cut.jpg")
        let cases: [([String], String)] = [
            (["check", "--image", truncated, "--model", TestStills.model, "--crop", TestStills.crop], "truncated"),
            (["check", "--image", folder.appendingPathComponent("missing.jpg").path, "--model", TestStills.model,
              "--whole-image"], "missing.jpg"),
            (["check", "--image", truncated, "--model", folder.path + "/nope.pb", "--crop", TestStills.crop], "nope.pb"),
            (["check", "--image", try writeStill(TestStills.red, "ok.jpg"), "--model", TestStills.model,
              "--crop", "128x128+1900+378"], "crop"),
        ]
        for (arguments, expected) in cases {
            let result = try WatcherProcess.run(arguments, folder: folder)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(expected), "\(result.stderr)")
        }
    }

    @Test func usageErrorsExit64AndNameTheProblem() throws {
        let red = try writeStill(TestStills.red, "red.jpg")
        let cases: [([String], [String: String], String)] = [
            (["once"] + baseArguments(red) + ["--threshold", "0.2", "--clear-below", "0.5"], [:], "clear-below"),
            (["once"] + baseArguments(red), ["WATCHER_DEBOUNCE": "many"], "WATCHER_DEBOUNCE"),
            (["once"] + baseArguments(red) + ["--notify", "email:me"], [:], "unknown kind"),
            (["once"] + baseArguments(red) + ["--alert-label", "ajar"], [:], "ajar"),
            (["once", "--model", TestStills.model, "--crop", TestStills.crop], [:], "--device-id"),
            (["once", "--device-id", "7C00", "--model", TestStills.model, "--crop", TestStills.crop], [:], "SORACOM_AUTH_KEY"),
            (["once"] + baseArguments(red) + ["--notify", "line:U0123456789abcdef0123456789abcdef"], [:], "WATCHER_LINE_CHANNEL_TOKEN"),
        ]
        for (arguments, environment, expected) in cases {
            let result = try WatcherProcess.run(arguments, environment: environment, folder: folder)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }

    @Test func optionsFallBackToWatcherEnvironmentVariables() throws {
        let red = try writeStill(TestStills.red, "red.jpg")
        let environment = [
            "WATCHER_IMAGE": red, "WATCHER_MODEL": TestStills.model, "WATCHER_CROP": TestStills.crop,
            "WATCHER_DEBOUNCE": "1", "WATCHER_CAMERA_NAME": "Back door", "WATCHER_NOTIFY": "stdout",
            "WATCHER_STATE_DIR": folder.appendingPathComponent("env-state").path, "WATCHER_JSON": "1",
        ]
        let result = try WatcherProcess.run(["once"], environment: environment, folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        #expect(json["camera"]?.stringValue == "Back door" && json["notification"]?.stringValue == "opened")
        // With --json, the stdout notifier writes to stderr so stdout stays JSON.
        #expect(result.lines.count == 1 && result.stderr.contains("[opened]"))
        // The state is keyed by the file's absolute path, and remembers the name.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("env-state").path)
        let stateFile = try #require(names.first { $0.hasPrefix("camera-file-") && $0.contains("_red.jpg-") && $0.hasSuffix(".json") })
        let text = try String(contentsOfFile: folder.appendingPathComponent("env-state/" + stateFile).path, encoding: .utf8)
        #expect(text.contains("\"camera\":\"Back door\""))
    }

    @Test func archiveKeepsCropsPerLabelWithRetention() throws {
        let archive = folder.appendingPathComponent("archive")
        for (index, still) in [TestStills.red, TestStills.blue, TestStills.red, TestStills.grey, TestStills.red].enumerated() {
            let path = try writeStill(still, "still-\(index).jpg")
            let result = try WatcherProcess.run(["once"] + baseArguments(path) + [
                "--archive-dir", archive.path, "--archive-keep-count", "2", "--archive-stills"], folder: folder)
            #expect(result.status == 0, "\(result.stderr)")
            Thread.sleep(forTimeInterval: 0.01)
        }
        let open = try FileManager.default.contentsOfDirectory(atPath: archive.appendingPathComponent("open").path)
        #expect(open.filter { !$0.hasSuffix(".still.jpg") }.count == 2 && open.filter { $0.hasSuffix(".still.jpg") }.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive.appendingPathComponent("close").path).count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive.appendingPathComponent("unsure").path).count == 2)
    }

    @Test func testNotifySaysWhichNotifierWorks() throws {
        let receiver = try FakeHTTPServer { request in FakeResponse(status: request.path == "/broken" ? 500 : 200) }
        defer { receiver.stop() }
        let result = try WatcherProcess.run(["test-notify", "--notify", "webhook:\(receiver.baseURL)/hook",
                                             "--notify", "slack:\(receiver.baseURL)/broken"], folder: folder)
        #expect(result.status == 1)
        #expect(result.stdout.contains("webhook#") && result.stdout.contains(": ok"))
        #expect(result.stderr.contains("slack#") && result.stderr.contains("HTTP 500") && !result.stderr.contains("/broken"))
        #expect(receiver.requests(path: "/hook").first?.json?["event"]?.stringValue == "test")
    }
}
