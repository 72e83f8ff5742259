import Testing
@testable import Watcher

/// `--notify mqtt://…` parsing: defaults, percent-encoded credentials, options, and
/// errors that never repeat the password.
@Suite struct MQTTEndpointTests {
    @Test func defaults() throws {
        let plain = try MQTTEndpoint(parsing: "mqtt://homeassistant.local")
        #expect(!plain.useTLS && plain.host == "homeassistant.local" && plain.port == 1883)
        #expect(plain.user == nil && plain.password == nil && plain.caFile == nil && plain.expireAfter == nil)
        #expect(plain.prefix == "watcher" && plain.discoveryPrefix == "homeassistant")
        let tls = try MQTTEndpoint(parsing: "MQTTS://broker.example.com/")
        #expect(tls.useTLS && tls.port == 8883 && tls.prefix == "watcher")
        #expect(tls.address == "broker.example.com:8883")
    }

    @Test func everyPart() throws {
        let endpoint = try MQTTEndpoint(parsing:
            "mqtts://door%20watcher:p%40ss%3Aword%2F@[fd00::1]:8884/home/front-door?ca=/etc/ca%20file.pem"
            + "&expire-after=20m&discovery-prefix=ha")
        #expect(endpoint.user == "door watcher" && endpoint.password == "p@ss:word/")
        #expect(endpoint.host == "fd00::1" && endpoint.port == 8884 && endpoint.address == "[fd00::1]:8884")
        #expect(endpoint.prefix == "home/front-door" && endpoint.discoveryPrefix == "ha")
        #expect(endpoint.caFile == "/etc/ca file.pem" && endpoint.expireAfter == 1200)
        #expect(try MQTTEndpoint(parsing: "mqtt://u@h?expire-after=0").expireAfter == 0)
    }

    @Test(arguments: [
        ("http://broker", "scheme"),
        ("mqtt://", "no host"),
        ("mqtt://:pw@broker", "user name"),
        ("mqtt://bro ker", "space"),
        ("mqtt://broker:0", "port"),
        ("mqtt://broker:1883x", "port"),
        ("mqtt://bro_ker", "host"),
        ("mqtt://[fd00::1", "closing ]"),
        ("mqtt://broker/a//b", "empty level"),
        ("mqtt://broker/$SYS", "cannot begin with $"),
        ("mqtt://broker/#", "#"),
        ("mqtt://broker/a+b", "wildcards"),
        ("mqtt://broker?ca=/ca.pem", "mqtts://"),
        ("mqtt://broker?expire-after=5x", "expire-after"),
        ("mqtt://broker?expire-after", "needs a value"),
        ("mqtt://broker?discovery-prefix=ha/%2B", "wildcards"),
        ("mqtt://broker?retain=false", "unknown option"),
        ("mqtt://user:bad%zzsecret@broker", "%-escape"),
    ])
    func refusals(url: String, expected: String) {
        #expect {
            try MQTTEndpoint(parsing: url)
        } throws: { error in
            guard let error = error as? WatcherError else { return false }
            return error.kind == .usage && error.message.contains(expected) && !error.message.contains("secret")
        }
    }

    @Test func notifierSpecs() throws {
        let spec = try NotifierSpec(parsing: "mqtt://watcher:hunter2@broker:1883/door")
        #expect(spec.kind == .mqtt && spec.target == "mqtt://watcher:hunter2@broker:1883/door")
        #expect(spec.id.hasPrefix("mqtt#") && !spec.id.contains("hunter2"))
        #expect(try NotifierSpec(parsing: "mqtt:mqtts://broker").target == "mqtts://broker")
        #expect(try NotifierSpec(parsing: "MQTTS://broker").kind == .mqtt)
        #expect(throws: WatcherError.self) { try NotifierSpec(parsing: "mqtt:broker") }
        #expect(throws: WatcherError.self) { try NotifierSpec(parsing: "mqtt://broker:99999") }
    }

    @Test func eventPayloadStartsWithItsType() throws {
        let alert = AlertMessage(kind: .opened, camera: "Front door", label: "open", probability: 0.97, time: 1_700_000_000_000,
                                 openSince: 1_699_999_700_000, id: "id-1")
        let payload = HomeAssistantDevice.eventPayload(alert)
        guard case .object(let members) = payload else { Issue.record("not an object"); return }
        #expect(members.first?.key == "event_type" && payload["event_type"]?.stringValue == "opened")
        #expect(payload["openSeconds"]?.intValue == 300 && payload["id"]?.stringValue == "id-1")
    }

    @Test func nodeIDsHoldOnlyWhatHomeAssistantAllows() throws {
        let status = LockStatus(cameraName: "Door", cameraID: "file-_srv_door.jpg-1a2b3c4d", model: "model.pb",
                                alertLabel: "open", time: 0, reading: nil, isWatching: true)
        let device = HomeAssistantDevice(status: status, endpoint: try MQTTEndpoint(parsing: "mqtt://b/x"), expireAfter: 0,
                                         softwareVersion: "1")
        #expect(device.nodeID == "watcher_file-_srv_door_jpg-1a2b3c4d")
        #expect(device.lockTopic == "x/file-_srv_door_jpg-1a2b3c4d/lock")
        // expire_after 0: never expires, so the key is left out.
        #expect(device.discovery.allSatisfy { !String(decoding: $0.payload, as: UTF8.self).contains("expire_after") })
    }
}
