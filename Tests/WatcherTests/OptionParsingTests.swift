import Testing
@testable import Watcher

@Suite struct OptionParsingTests {
    @Test func durations() throws {
        #expect(try DurationParser.seconds("90") == 90)
        #expect(try DurationParser.seconds("30s") == 30)
        #expect(try DurationParser.seconds("5m") == 300)
        #expect(try DurationParser.seconds("1h30m") == 5400)
        #expect(try DurationParser.seconds("2d") == 172_800)
        for bad in ["", "5x", "m", "5m3", "-5", "1.5h"] {
            #expect(throws: WatcherError.self) { try DurationParser.seconds(bad) }
        }
    }

    @Test func cropGeometryAsInTheSeed() throws {
        #expect(try CropGeometry(parsing: "128x128+650+378") == CropGeometry(width: 128, height: 128, x: 650, y: 378))
        for bad in ["128x128", "128+650+378", "0x10+1+1", "axb+1+2", "10x10+-1+2", "10x10+1+2+3"] {
            #expect(throws: WatcherError.self) { try CropGeometry(parsing: bad) }
        }
    }

    @Test func notifierSpecs() throws {
        let slack = try NotifierSpec(parsing: "slack:https://hooks.slack.com/services/T0/B0/secret")
        #expect(slack.kind == .slack && slack.target == "https://hooks.slack.com/services/T0/B0/secret")
        #expect(!slack.id.contains("secret") && slack.id.hasPrefix("slack#") && slack.id.count == 14)
        #expect(try NotifierSpec(parsing: "stdout").kind == .stdout)
        #expect(try NotifierSpec(parsing: "ntfy:my-door").target == "my-door")
        #expect(try NotifierSpec(parsing: "line:U0123456789abcdef0123456789abcdef").target == "U0123456789abcdef0123456789abcdef")
        #expect(try NotifierSpec(parsing: "line:C0123456789abcdef0123456789abcdef").kind == .line)
        #expect(try NotifierSpec(parsing: "ntfy:https://ntfy.example.org/door_1").target == "https://ntfy.example.org/door_1")
        #expect(try NotifierSpec(parsing: "webhook:http://[::1]:8123/api/webhook/x?y=1").kind == .webhook)
        for bad in ["email:me@example.com", "slack:hooks.slack.com", "line:", "line:U1234", "line:X0123456789abcdef0123456789abcdef",
                    "ntfy", "ntfy:my topic", "ntfy:door!", "ntfy:https://ntfy.sh", "ntfy:" + String(repeating: "a", count: 65),
                    "webhook:", "webhook:https://", "webhook:https://host:99999/x", "webhook:https://ho st/x",
                    "slack:https://hooks.slack.com/services/a b", "teams:ftp://host/x", "discord:https://host/\u{e9}",
                    "webhook:https://host/{id}"] {
            #expect(throws: WatcherError.self) { try NotifierSpec(parsing: bad) }
        }
    }

    @Test func durationsForPeople() {
        #expect(WallTime.durationText(seconds: 42) == "42 s")
        #expect(WallTime.durationText(seconds: 600) == "10 min")
        #expect(WallTime.durationText(seconds: 7500) == "2 h 5 min")
        #expect(WallTime.durationText(seconds: 3 * 86_400 + 4 * 3600) == "3 d 4 h")
    }

    @Test func randomIDsAreVersion4UUIDs() {
        let first = RandomID.uuid()
        #expect(first.count == 36 && Array(first)[14] == "4")
        #expect(first != RandomID.uuid())
    }
}
