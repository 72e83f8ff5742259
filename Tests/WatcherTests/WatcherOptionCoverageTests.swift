import Foundation
import Testing
@testable import Watcher

/// Options and commands that had no test: each case fails if the option is ignored.
@Suite struct WatcherOptionCoverageTests {
    let folder: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
    }

    func writeFile(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func check(_ image: String, _ extra: [String]) throws -> WatcherProcess.Result {
        try WatcherProcess.run(["check", "--image", image, "--model", TestStills.model, "--crop", TestStills.crop,
                                "--json"] + extra, folder: folder)
    }

    func label(_ result: WatcherProcess.Result) throws -> String? {
        try JSONValue.parse(try #require(result.lines.last))["label"]?.stringValue
    }

    /// The colour-lock model reads red as open in BGR (custom-vision); fed RGB
    /// (rgb255), the channels swap and the red box looks blue: close.
    @Test func pixelsChangesTheChannelOrderTheModelSees() throws {
        let red = try writeFile(TestStills.red, "red.jpg")
        let bgr = try check(red, [])
        #expect(bgr.status == 0, "\(bgr.stderr)")
        #expect(try label(bgr) == "open")
        let rgb = try check(red, ["--pixels", "rgb255"])
        #expect(rgb.status == 0, "\(rgb.stderr)")
        #expect(try label(rgb) == "close")
        let bad = try check(red, ["--pixels", "yuv"])
        #expect(bad.status == 64 && bad.stderr.contains("--pixels"), "\(bad.stderr)")
    }

    /// --threads runs the built-in model on more threads with the same bits out;
    /// counts out of range (also from WATCHER_THREADS) are configuration errors.
    @Test func threadsGiveTheSameAnswerAndBadCountsAreRefused() throws {
        let still = WatcherProcess.repositoryRoot + "/Samples/03-day-open.jpg"
        func check(_ extra: [String], environment: [String: String] = [:]) throws -> WatcherProcess.Result {
            try WatcherProcess.run(["check", "--image", still, "--crop", "128x128+650+378", "--json"] + extra,
                                   environment: environment, folder: folder)
        }
        let one = try check([])
        let three = try check(["--threads", "3"])
        let fromEnvironment = try check([], environment: ["WATCHER_THREADS": "2"])
        #expect(one.status == 0 && three.status == 0 && fromEnvironment.status == 0, "\(three.stderr)\(fromEnvironment.stderr)")
        #expect(try label(one) == "open")
        #expect(three.lines.last == one.lines.last)
        #expect(fromEnvironment.lines.last == one.lines.last)
        for bad in ["-1", "100000"] {
            let refused = try check(["--threads=" + bad])
            #expect(refused.status == 64 && refused.stderr.contains("--threads"), "\(refused.stderr)")
        }
        let notANumber = try check([], environment: ["WATCHER_THREADS": "many"])
        #expect(notANumber.status == 64 && notANumber.stderr.contains("WATCHER_THREADS"), "\(notANumber.stderr)")
    }

    /// --labels names the outputs; the wrong number of labels is refused.
    @Test func labelsFileNamesTheOutputs() throws {
        let red = try writeFile(TestStills.red, "red.jpg")
        let swapped = try writeFile(Array("locked\nunlocked\n".utf8), "swapped.txt")
        let named = try check(red, ["--labels", swapped])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try label(named) == "unlocked")
        let three = try writeFile(Array("a\nb\nc\n".utf8), "three.txt")
        let wrong = try check(red, ["--labels", three])
        #expect(wrong.status != 0 && wrong.stderr.contains("labels"), "\(wrong.stderr)")
    }

    /// A snapshot URL with credentials: fetched with basic auth, and the password
    /// appears nowhere in the output.
    @Test func snapshotURLFetchesWithBasicAuthAndHidesThePassword() throws {
        let camera = try FakeHTTPServer { request in
            request.path == "/snapshot.jpg" ? FakeResponse(status: 200, body: TestStills.red) : FakeResponse(status: 404)
        }
        defer { camera.stop() }
        let url = camera.baseURL.replacingOccurrences(of: "http://", with: "http://cam:s3cr3t-pw@") + "/snapshot.jpg"
        let result = try WatcherProcess.run(
            ["once", "--snapshot-url", url, "--model", TestStills.model, "--crop", TestStills.crop, "--debounce", "1",
             "--state-dir", folder.appendingPathComponent("state").path, "--notify", "stdout", "--json"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(try #require(result.lines.last))
        #expect(json["label"]?.stringValue == "open" && json["notification"]?.stringValue == "opened")
        let request = try #require(camera.requests(path: "/snapshot.jpg").first)
        let expected = "Basic " + Data("cam:s3cr3t-pw".utf8).base64EncodedString()
        #expect(request.header("Authorization") == expected)
        #expect(!result.stdout.contains("s3cr3t-pw") && !result.stderr.contains("s3cr3t-pw"))
        let stateFiles = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("state").path)
        for name in stateFiles {
            let text = try String(contentsOfFile: folder.appendingPathComponent("state/" + name).path, encoding: .utf8)
            #expect(!name.contains("s3cr3t-pw") && !text.contains("s3cr3t-pw"), "\(name)")
        }
    }

    /// --archive-keep-days deletes crops older than that many days, and only those.
    @Test func archiveKeepDaysPrunesOldCrops() throws {
        let archive = folder.appendingPathComponent("archive")
        let open = archive.appendingPathComponent("open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true)
        let day = 86_400.0
        for (name, age) in [("20000101-000000-000-Front_door-p99.jpg", 3 * day), ("20000102-000000-000-Front_door-p99.jpg", 1 * day)] {
            let path = open.appendingPathComponent(name).path
            try Data(TestStills.red.prefix(100)).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
        }
        let red = try writeFile(TestStills.red, "red.jpg")
        let result = try WatcherProcess.run(
            ["once", "--image", red, "--model", TestStills.model, "--crop", TestStills.crop, "--camera-name", "Front door",
             "--state-dir", folder.appendingPathComponent("state").path, "--archive-dir", archive.path,
             "--archive-keep-days", "2"], folder: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: open.path).sorted()
        #expect(!left.contains("20000101-000000-000-Front_door-p99.jpg"), "the 3-day-old crop stayed: \(left)")
        #expect(left.contains("20000102-000000-000-Front_door-p99.jpg"), "the 1-day-old crop went: \(left)")
        #expect(left.count == 2, "\(left)")
    }

    /// `devices` and `usage` print what the API answered, in words and as JSON.
    @Test func devicesAndUsagePrintTheAPIsAnswer() throws {
        let soracam = try FakeSoraCamServer(jpeg: TestStills.red)
        defer { soracam.stop() }
        soracam.setBudget(limitFrames: 259_200, usedFrames: 1_200)
        let environment = ["SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
                           "SORACOM_AUTH_KEY": soracam.authKey,
                           "WATCHER_STATE_DIR": folder.appendingPathComponent("state").path]
        let devices = try WatcherProcess.run(["devices"], environment: environment, folder: folder)
        #expect(devices.status == 0, "\(devices.stderr)")
        #expect(devices.lines.contains { $0.contains(FakeSoraCamServer.deviceId) && $0.contains("Front door") && $0.contains("online") })
        #expect(devices.lines.contains { $0.contains(FakeSoraCamServer.otherDeviceId) && $0.contains("Garage") && $0.contains("offline") })
        let devicesJSON = try WatcherProcess.run(["devices", "--json"], environment: environment, folder: folder)
        let devicesLine = try #require(devicesJSON.lines.last)
        let list = try #require(try JSONValue.parse(devicesLine).arrayValue)
        #expect(list.map { $0["deviceId"]?.stringValue } == [FakeSoraCamServer.deviceId, FakeSoraCamServer.otherDeviceId])

        let usage = try WatcherProcess.run(["usage", "--device-id", FakeSoraCamServer.deviceId, "--json"],
                                           environment: environment, folder: folder)
        #expect(usage.status == 0, "\(usage.stderr)")
        let json = try JSONValue.parse(try #require(usage.lines.last))
        #expect(json["stills"]?["limit"]?.intValue == 259_200 && json["stills"]?["used"]?.intValue == 1_200)
        #expect(json["stills"]?["remaining"]?.intValue == 258_000)
        let text = try WatcherProcess.run(["usage", "--device-id", FakeSoraCamServer.deviceId],
                                          environment: environment, folder: folder)
        #expect(text.status == 0 && text.stdout.contains("1200 used of 259200") && text.stdout.contains("258000 left"),
                "\(text.stdout)")
    }
}

/// The options this version added, and those of the commands that had no
/// variable: each is read from its WATCHER_* variable (a bad value fails naming
/// the variable, or the value shows in what the command did).
@Suite struct WatcherEnvironmentTests {
    let folder: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
    }

    @Test func everyNewOptionReadsItsVariable() throws {
        let red = folder.appendingPathComponent("red.jpg").path
        try Data(TestStills.red).write(to: URL(fileURLWithPath: red))
        let model = ["--model", TestStills.model]
        let onceBase = ["once", "--image", red] + model + ["--crop", TestStills.crop,
                                                           "--state-dir", folder.appendingPathComponent("state").path]
        let cases: [([String], [String: String], Int32, String)] = [
            (["check", "--image", red] + model, ["WATCHER_CROP": "1x1"], 64, "crop '1x1'"),
            (["check", "--image", red] + model, ["WATCHER_WHOLE_IMAGE": "perhaps"], 64, "WATCHER_WHOLE_IMAGE"),
            (["check", "--image", red] + model + ["--crop", TestStills.crop], ["WATCHER_SAVE_CROP": "/proc/nope/crop.jpg"], 1,
             "/proc/nope/crop.jpg"),
            (["check", "--image", red] + model, ["WATCHER_WHOLE_IMAGE": "1", "WATCHER_JSON": "1"], 0, "\"crop\":null"),
            (onceBase, ["WATCHER_LOCK_TIMEOUT": "soon"], 64, "WATCHER_LOCK_TIMEOUT"),
            (onceBase, ["WATCHER_MAX_MESSAGE_AGE": "forever"], 64, "WATCHER_MAX_MESSAGE_AGE"),
            (onceBase, ["WATCHER_ALERT_UNSURE_AFTER": "1 hour"], 64, "WATCHER_ALERT_UNSURE_AFTER"),
            (onceBase, ["WATCHER_TIMEOUT": "0s"], 64, "--timeout"),
            (onceBase, ["WATCHER_CAMERA_NAME": "Side gate", "WATCHER_JSON": "true"], 0, "\"camera\":\"Side gate\""),
            (["demo"], ["WATCHER_SAMPLES": folder.appendingPathComponent("none").path], 64, "none"),
            (["demo"], ["WATCHER_MODEL": folder.appendingPathComponent("none.pb").path], 1, "none.pb"),
            (["demo"], ["WATCHER_DEBOUNCE": "two"], 64, "WATCHER_DEBOUNCE"),
            (["demo"], ["WATCHER_PAUSE": "a bit"], 64, "WATCHER_PAUSE"),
            (["demo"], ["WATCHER_CROP": "10x10+0+0", "WATCHER_NOTIFY": "ntfy:bad topic"], 64, "topic"),
            (["still", "--device-id", "7C"], [:], 64, "--output"),
            (["still", "--output", folder.appendingPathComponent("s.jpg").path], ["WATCHER_DEVICE_ID": "7C"], 64, "SORACOM"),
            (["still", "--device-id", "7C"], ["WATCHER_OUTPUT": "x.jpg", "WATCHER_AUTH_KEY_ID": "keyId-x"], 64, "SORACOM_AUTH_KEY"),
            (["status"], ["WATCHER_STATE_DIR": folder.appendingPathComponent("empty").path], 0, "empty"),
            (["status"], ["WATCHER_JSON": "1", "WATCHER_STATE_DIR": folder.appendingPathComponent("empty").path], 0, "[]"),
            (["history"], ["WATCHER_CAMERA": "Garage", "WATCHER_STATE_DIR": folder.path], 64, "Garage"),
            (["history"], ["WATCHER_SINCE": "yesterday"], 64, "WATCHER_SINCE"),
            (["usage", "--device-id", "7C"], ["WATCHER_EVERY": "often"], 64, "WATCHER_EVERY"),
            (["devices"], ["WATCHER_JSON": "sometimes"], 64, "WATCHER_JSON"),
            (["devices"], ["WATCHER_COVERAGE_TYPE": "mars", "SORACOM_AUTH_KEY_ID": "k", "SORACOM_AUTH_KEY": "s"], 64, "mars"),
            (["test-notify"], ["WATCHER_NOTIFY": "webhook:notaurl"], 64, "http(s) URL"),
            (["test-notify", "--notify", "line:U0123456789abcdef0123456789abcdef"], [:], 64, "WATCHER_LINE_CHANNEL_TOKEN"),
        ]
        for (arguments, environment, status, expected) in cases {
            let result = try WatcherProcess.run(arguments, environment: environment, folder: folder)
            #expect(result.status == status, "\(arguments) \(environment): \(result.status) \(result.stderr)")
            #expect((result.stdout + result.stderr).contains(expected), "\(arguments) \(environment): \(result.stdout) \(result.stderr)")
        }
    }
}
