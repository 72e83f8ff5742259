import Foundation
import Testing
@testable import Watcher

/// The real `watcher` binary against the fake SoraCam and a real Mosquitto broker:
/// what a Home Assistant subscriber receives (discovery, states, the crop, events),
/// a broker that is down and then up, a wrong password, TLS with a private CA, and
/// a daemon that answers Home Assistant's `online` and leaves with its will.
@Suite(.serialized) struct WatcherMQTTTests {
    let folder: URL
    let soracam: FakeSoraCamServer

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        soracam = try FakeSoraCamServer(jpeg: TestStills.blue)
    }

    /// The camera's id in topics and unique ids: its state file's stem without `camera-`.
    static let cameraID = String(CameraKey.soraCam(deviceID: FakeSoraCamServer.deviceId).fileStem.dropFirst("camera-".count))
    static let base = "watcher/\(cameraID)"
    static let node = "watcher_\(cameraID)"
    static let lockTopic = base + "/lock"
    static let eventTopic = base + "/event"
    static let imageTopic = base + "/image"
    static let availabilityTopic = base + "/availability"
    static func configTopic(_ component: String, _ object: String) -> String {
        "homeassistant/\(component)/\(node)/\(object)/config"
    }

    func environment(_ broker: MosquittoBroker, password: String? = nil) -> [String: String] {
        [
            "SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId,
            "SORACOM_AUTH_KEY": soracam.authKey, "WATCHER_STATE_DIR": folder.appendingPathComponent("state").path,
            "WATCHER_MQTT_PASSWORD": password ?? broker.password,
        ]
    }

    func arguments(_ broker: MosquittoBroker, _ extra: [String]) -> [String] {
        ["--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model, "--crop", TestStills.crop,
         "--camera-name", "Front door", "--debounce", "2", "--timeout", "20s", "--notify", broker.url(), "--json"] + extra
    }

    func once(_ still: [UInt8], _ broker: MosquittoBroker, _ extra: [String] = [],
              environment more: [String: String] = [:]) throws -> WatcherProcess.Result {
        soracam.jpeg = still
        return try WatcherProcess.run(["once"] + arguments(broker, extra),
                                      environment: environment(broker).merging(more) { $1 }, folder: folder)
    }

    func testNotify(_ url: String, _ broker: MosquittoBroker, environment more: [String: String] = [:]) throws
        -> WatcherProcess.Result
    {
        try WatcherProcess.run(["test-notify", "--notify", url], environment: environment(broker).merging(more) { $1 },
                               folder: folder)
    }

    func json(_ result: WatcherProcess.Result) throws -> JSONValue {
        try JSONValue.parse(Array(try #require(result.lines.last).utf8))
    }

    func noSecret(_ result: WatcherProcess.Result, _ secrets: [String]) {
        for secret in secrets {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "the password was printed")
        }
    }

    /// Must show: a subscriber to `homeassistant/#` sees a retained discovery config
    /// for a binary_sensor with device_class lock and a state_topic; on that topic ON
    /// after an open episode is confirmed and OFF after it closes; the image topic
    /// carries the crop as a JPEG. Every config parses and carries what Home Assistant needs.
    @Test func anEpisodeInHomeAssistant() throws {
        let broker = try MosquittoBroker()
        let live = try broker.subscribe(["homeassistant/#", "watcher/#"])
        let archive = folder.appendingPathComponent("archive").path
        var lastCrop: [UInt8] = []
        let stills = [TestStills.blue, TestStills.blue, TestStills.red, TestStills.red, TestStills.red, TestStills.blue]
        for (index, still) in stills.enumerated() {
            let result = try once(still, broker, ["--archive-dir", archive])
            #expect(result.status == 0 && result.errorLines.isEmpty, "check \(index): \(result.stderr)")
            noSecret(result, [broker.password])
            live.wait { $0.filter { $0.topic == Self.lockTopic }.count == index + 1 }
            let archived = try #require(try json(result)["archived"]?.stringValue)
            lastCrop = Array(try Data(contentsOf: URL(fileURLWithPath: archived)))
        }
        let received = live.wait { $0.filter { $0.topic == Self.eventTopic }.count == 2 }
        // The lock follows the debounced verdict: ON at the second red in a row, OFF at the blue after.
        #expect(received.filter { $0.topic == Self.lockTopic }.map(\.text) == ["OFF", "OFF", "OFF", "ON", "ON", "OFF"])
        let events = received.filter { $0.topic == Self.eventTopic }.compactMap(\.json)
        #expect(events.map { $0["event_type"]?.stringValue } == ["opened", "closed"])
        #expect(events.allSatisfy { $0["camera"]?.stringValue == "Front door" && $0["id"]?.stringValue?.isEmpty == false })
        #expect(events.last?["openSeconds"]?.intValue != nil)
        // Discovery is published at every one-shot check, the same each time: stable unique ids.
        let lockConfigs = received.filter { $0.topic == Self.configTopic("binary_sensor", "lock") }
        #expect(lockConfigs.count == stills.count && Set(lockConfigs.map(\.payload)).count == 1)

        // What a subscriber arriving now (Home Assistant after a restart) receives.
        let discovery = try broker.retained(["homeassistant/#"])
        let lock = try #require(discovery.first { $0.topic == Self.configTopic("binary_sensor", "lock") }, "\(discovery)")
        #expect(lock.retained)
        let lockConfig = try #require(lock.json)
        #expect(lockConfig["device_class"]?.stringValue == "lock")
        #expect(lockConfig["state_topic"]?.stringValue == Self.lockTopic)
        #expect(lockConfig["payload_on"]?.stringValue == "ON" && lockConfig["payload_off"]?.stringValue == "OFF")
        #expect(lockConfig["expire_after"]?.intValue == 900)
        let expected: [(String, String, [String: String])] = [
            ("binary_sensor", "lock", ["device_class": "lock", "state_topic": Self.lockTopic]),
            ("sensor", "probability", ["unit_of_measurement": "%", "state_topic": Self.base + "/probability"]),
            ("sensor", "last_check", ["device_class": "timestamp", "state_topic": Self.base + "/last_check"]),
            ("image", "crop", ["image_topic": Self.imageTopic, "content_type": "image/jpeg"]),
            ("event", "event", ["state_topic": Self.eventTopic]),
        ]
        var uniqueIDs: Set<String> = []
        for (component, object, fields) in expected {
            let message = try #require(discovery.first { $0.topic == Self.configTopic(component, object) }, "\(component)")
            #expect(message.retained, "\(component)")
            let config = try #require(message.json, "\(component) config is not JSON: \(message.text)")
            for (key, value) in fields { #expect(config[key]?.stringValue == value, "\(component).\(key)") }
            #expect(config["name"]?.stringValue?.isEmpty == false)
            uniqueIDs.insert(try #require(config["unique_id"]?.stringValue))
            #expect(config["availability_topic"]?.stringValue == Self.availabilityTopic)
            let device = try #require(config["device"])
            #expect(device["identifiers"] == JSONValue.array([.string(Self.node)]))
            #expect(device["name"]?.stringValue == "Front door")
            #expect(device["model"]?.stringValue == "model.pb")
            #expect(device["sw_version"]?.stringValue == WatcherVersion.text)
        }
        #expect(uniqueIDs.count == expected.count)
        let eventConfig = try #require(discovery.first { $0.topic == Self.configTopic("event", "event") }?.json)
        let eventTypes = eventConfig["event_types"]?.arrayValue?.compactMap { $0.stringValue }
        #expect(eventTypes == ["opened", "reminder", "closed", "unreachable", "recovered", "unsure"])

        let states = try broker.retained([Self.base + "/#"])
        func state(_ name: String) throws -> MosquittoBroker.Received {
            try #require(states.first { $0.topic == Self.base + "/" + name }, "\(name) in \(states)")
        }
        #expect(states.allSatisfy { $0.retained })
        #expect(try state("lock").text == "OFF")
        #expect(try state("availability").text == "online")
        let percent = try #require(Double(try state("probability").text))
        #expect((0...30).contains(percent), "blue is closed: \(percent)%")
        let checked = try #require(ISO8601DateFormatter().date(from: try state("last_check").text))
        #expect(abs(checked.timeIntervalSinceNow) < 300)
        // The image topic carries the crop: the very JPEG the archive kept (the lock
        // box, decoded at the scale the model needs), a picture a JPEG decoder reads.
        let image = try state("image").payload
        #expect(image == lastCrop && image.starts(with: [0xFF, 0xD8]))
        let (width, height) = try TinyImageProbe.size(image)
        #expect(width == height && width >= 16, "\(width)×\(height)")
        // Events are not retained: a replay would fire automations again.
        #expect(!states.contains { $0.topic == Self.eventTopic })
    }

    /// A broker that is down: the check still completes (exit 0) with one clear warning
    /// per failure and no password; the message stays in the outbox and is delivered,
    /// once, at the first check after the broker is back.
    @Test func aBrokerDownThenUpGetsTheMessageAtTheNextCheck() throws {
        let broker = try MosquittoBroker()
        broker.stop()
        #expect(try once(TestStills.red, broker).status == 0)
        let opened = try once(TestStills.red, broker)
        #expect(opened.status == 0)
        noSecret(opened, [broker.password])
        let output = try json(opened)
        #expect(output["notification"]?.stringValue == "opened")
        #expect(output["pendingMessages"]?.intValue == 1)
        let warnings = opened.errorLines
        #expect(warnings.count == 2, "\(opened.stderr)")
        #expect(warnings.allSatisfy { $0.contains("watcher: warning: ") && $0.contains("mqtt#")
            && $0.contains("cannot connect to the MQTT broker at 127.0.0.1:\(broker.port): connection refused") },
                "\(opened.stderr)")
        #expect(warnings.first?.contains("lock state not published, will retry") == true)
        #expect(warnings.last?.contains("opened message not delivered, will retry") == true)

        try broker.start()
        let live = try broker.subscribe([Self.eventTopic, Self.lockTopic])
        let back = try once(TestStills.red, broker)
        #expect(back.status == 0 && back.errorLines.isEmpty, "\(back.stderr)")
        #expect(try json(back)["pendingMessages"]?.intValue == 0)
        let received = live.wait { $0.contains { $0.topic == Self.eventTopic } && $0.contains { $0.topic == Self.lockTopic } }
        #expect(received.filter { $0.topic == Self.lockTopic }.map(\.text) == ["ON"])
        #expect(try once(TestStills.red, broker).status == 0)
        live.wait { $0.filter { $0.topic == Self.lockTopic }.count == 2 }
        // Delivered once: the next check sends nothing again.
        #expect(live.received().filter { $0.topic == Self.eventTopic }.compactMap { $0.json?["event_type"]?.stringValue }
            == ["opened"])
    }

    /// A wrong password: one clear error, never the password; the message waits in
    /// the outbox. `test-notify` reports ok or that one error.
    @Test func aWrongPasswordIsOneClearErrorAndTestNotifySaysOk() throws {
        let broker = try MosquittoBroker()
        let wrong = "not-the-s3cret"
        _ = try once(TestStills.red, broker, environment: ["WATCHER_MQTT_PASSWORD": wrong])
        let refused = try once(TestStills.red, broker, environment: ["WATCHER_MQTT_PASSWORD": wrong])
        #expect(refused.status == 0)
        noSecret(refused, [wrong, broker.password])
        #expect(try json(refused)["pendingMessages"]?.intValue == 1)
        #expect(refused.errorLines.count == 2
            && refused.errorLines.allSatisfy { $0.contains("refused the connection: not authorized") }, "\(refused.stderr)")

        let live = try broker.subscribe(["watcher/#"])
        // The password in the URL, percent-encoded, is as secret as in the environment.
        let inURL = broker.url().replacingOccurrences(of: "watcher@", with: "watcher:wrong%20pass%40word@")
        let failed = try testNotify(inURL, broker, environment: ["WATCHER_MQTT_PASSWORD": ""])
        #expect(failed.status == 1 && failed.stdout.isEmpty)
        #expect(failed.errorLines.count == 1 && failed.errorLines[0].hasPrefix("watcher: error: mqtt#")
            && failed.errorLines[0].contains("not authorized"), "\(failed.stderr)")
        noSecret(failed, ["wrong pass@word", "wrong%20pass%40word"])

        let ok = try testNotify(broker.url(), broker)
        #expect(ok.status == 0 && ok.errorLines.isEmpty, "\(ok.stderr)")
        #expect(ok.lines.count == 1 && ok.lines[0].hasPrefix("mqtt#") && ok.lines[0].hasSuffix(": ok"), "\(ok.stdout)")
        let test = live.wait { $0.contains { $0.topic == "watcher/test" } }.first { $0.topic == "watcher/test" }
        #expect(test?.json?["event_type"]?.stringValue == "test" && test?.retained == false)
        noSecret(ok, [broker.password])

        // The owed message reaches the broker at the next check with the right password.
        #expect(try once(TestStills.red, broker).errorLines.isEmpty)
        let events = live.wait { $0.contains { $0.topic == Self.eventTopic } }.filter { $0.topic == Self.eventTopic }
        #expect(events.compactMap { $0.json?["event_type"]?.stringValue } == ["opened"])
    }

    /// mqtts:// verifies the broker: a private CA from WATCHER_MQTT_CA_FILE or ca=FILE
    /// works; without it, or for another host name, one clear error.
    @Test func tlsWithAPrivateCAIsVerified() throws {
        let broker = try MosquittoBroker(tls: true)
        let checked = try once(TestStills.red, broker, environment: ["WATCHER_MQTT_CA_FILE": broker.caFile])
        #expect(checked.status == 0 && checked.errorLines.isEmpty, "\(checked.stderr)")
        let states = try broker.retained([Self.lockTopic, Self.availabilityTopic])
        #expect(states.map(\.text).sorted() == ["OFF", "online"], "\(states)")

        let viaQuery = try testNotify(broker.url("?ca=" + broker.caFile), broker)
        #expect(viaQuery.status == 0 && viaQuery.lines.first?.hasSuffix(": ok") == true, "\(viaQuery.stderr)")

        let untrusted = try testNotify(broker.url(), broker)
        #expect(untrusted.status == 1 && untrusted.errorLines.count == 1, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("TLS: certificate verify failed"), "\(untrusted.stderr)")

        let plain = try testNotify(broker.url().replacingOccurrences(of: "mqtts://", with: "mqtt://"), broker)
        #expect(plain.status == 1 && plain.stderr.contains("use mqtts://"), "\(plain.stderr)")

        // A certificate for `localhost` only does not pass for 127.0.0.1: the host name is checked too.
        let other = try MosquittoBroker(tls: true, certificateHosts: ["DNS:localhost"])
        let wrongHost = try testNotify("mqtts://watcher@127.0.0.1:\(other.port)?ca=\(other.caFile)", other)
        #expect(wrongHost.status == 1 && wrongHost.stderr.contains("certificate verify failed"), "\(wrongHost.stderr)")
        let rightHost = try testNotify("mqtts://watcher@localhost:\(other.port)?ca=\(other.caFile)", other)
        #expect(rightHost.status == 0, "\(rightHost.stderr)")
    }

    /// The camera turns unavailable in Home Assistant once the failed checks are
    /// announced (`unreachable`), and available again with `recovered`.
    @Test func availabilityFollowsWhetherTheWatcherSeesTheLock() throws {
        let broker = try MosquittoBroker()
        let live = try broker.subscribe([Self.availabilityTopic, Self.eventTopic])
        #expect(try once(TestStills.blue, broker).status == 0)
        soracam.statusSequence = ["processing", "failed"]  // the camera is off
        for _ in 1...3 { #expect(try once(TestStills.blue, broker).status == 1) }
        soracam.statusSequence = ["processing", "processing", "completed"]
        #expect(try once(TestStills.blue, broker).status == 0)
        let received = live.wait { $0.filter { $0.topic == Self.eventTopic }.count == 2 }
        #expect(received.filter { $0.topic == Self.availabilityTopic }.map(\.text)
            == ["online", "online", "online", "offline", "online"])
        #expect(received.filter { $0.topic == Self.eventTopic }.compactMap { $0.json?["event_type"]?.stringValue }
            == ["unreachable", "recovered"])
    }

    /// `watcher run` stays connected: it publishes discovery again when Home Assistant
    /// announces `online`, and its entities turn unavailable when it stops (SIGTERM)
    /// or dies (its will).
    @Test func aDaemonAnswersHomeAssistantAndLeavesWithItsWill() throws {
        let broker = try MosquittoBroker()
        let live = try broker.subscribe([Self.availabilityTopic, Self.lockTopic])
        soracam.jpeg = TestStills.red
        let (process, out, err) = try WatcherProcess.start(["run", "--every", "1h"] + arguments(broker, []),
                                                           environment: environment(broker), folder: folder)
        defer { if process.isRunning { process.terminate() } }
        live.wait { $0.contains { $0.topic == Self.lockTopic } }
        let config = try #require(try broker.retained([Self.configTopic("binary_sensor", "lock")]).first?.json)
        #expect(config["expire_after"]?.intValue == 3 * 3600)

        // Home Assistant lost the config (a broker without persistence restarted), then announces itself.
        try broker.publish(Self.configTopic("binary_sensor", "lock"), "", retain: true)
        #expect(try broker.retained([Self.configTopic("binary_sensor", "lock")]).isEmpty)
        try broker.publish("homeassistant/status", "online")
        var again: [MosquittoBroker.Received] = []
        for _ in 0..<20 where again.isEmpty {
            again = try broker.retained([Self.configTopic("binary_sensor", "lock")])
        }
        #expect(again.first?.json?["device_class"]?.stringValue == "lock", "\(again)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let result = WatcherProcess.finish(process, out, err)
        #expect(result.status == 0, "\(result.stderr)")
        noSecret(result, [broker.password])
        // Online at the first check and again with the configs for Home Assistant, offline when stopped.
        func availability(count: Int) -> [String] {
            live.wait { $0.filter { $0.topic == Self.availabilityTopic }.count == count }
                .filter { $0.topic == Self.availabilityTopic }.map(\.text)
        }
        #expect(availability(count: 3) == ["online", "online", "offline"])

        // A daemon that dies without a word: the broker publishes its will.
        let (killed, _, _) = try WatcherProcess.start(["run", "--every", "1h"] + arguments(broker, []),
                                                      environment: environment(broker), folder: folder)
        #expect(availability(count: 4).last == "online")
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(availability(count: 5) == ["online", "online", "offline", "online", "offline"])
        #expect(try broker.retained([Self.availabilityTopic]).map(\.text) == ["offline"])
    }

    /// A broker URL that cannot work is a configuration error (64) before any export.
    @Test(arguments: [
        ("mqtt://watcher@127.0.0.1:70000", "port"),
        ("mqtt://watcher@127.0.0.1/a/+/b", "wildcards"),
        ("mqtt://watcher@127.0.0.1?ca=/etc/ssl/certs/ca-certificates.crt", "mqtts://"),
        ("mqtts://watcher@127.0.0.1?ca=/nonexistent/ca.pem", "cannot read the CA file"),
        ("mqtt://watcher@127.0.0.1?expire=5m", "unknown option 'expire'"),
        ("mqtt://127.0.0.1", "WATCHER_MQTT_PASSWORD is set but the mqtt URL has no user"),
    ])
    func aBadBrokerURLIsAConfigurationError(url: String, expected: String) throws {
        let broker = try MosquittoBroker()
        broker.stop()
        soracam.jpeg = TestStills.red
        let result = try WatcherProcess.run(["once"] + arguments(broker, []).map { $0 == broker.url() ? url : $0 },
                                            environment: environment(broker), folder: folder)
        #expect(result.status == 64 && result.errorLines.count == 1 && result.stderr.contains(expected), "\(result.stderr)")
        #expect(soracam.count(.exportStart) == 0)
    }
}
