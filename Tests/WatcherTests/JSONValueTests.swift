import Testing
@testable import Watcher

@Suite struct JSONValueTests {
    @Test func parsesTheAPIShapes() throws {
        let json = try JSONValue.parse(#"{"exportId":"e-1","status":"completed","time":1700000000123,"n":-1.5e2,"ok":true,"x":null,"a":[1,"two",{"b":[]}],"s":"\u00e9\ud83d\udd12\n\"q\""}"#)
        #expect(json["exportId"]?.stringValue == "e-1")
        #expect(json["time"]?.intValue == 1_700_000_000_123)
        #expect(json["n"]?.doubleValue == -150)
        #expect(json["ok"]?.boolValue == true)
        #expect(json["x"] == .null)
        #expect(json["a"]?.arrayValue?.count == 3)
        #expect(json["s"]?.stringValue == "é🔒\n\"q\"")
    }

    @Test func writesWhatItReads() throws {
        let value: JSONValue = ["text": "line\nbreak \"quoted\" \u{1}", "n": 1_700_000_000_123, "f": 0.25, "list": [true, .null]]
        #expect(try JSONValue.parse(value.rendered) == value)
        #expect(value.rendered.contains("1700000000123"))
    }

    @Test(arguments: ["", "{", "[1,", "{\"a\" 1}", "tru", "\"open", "{\"a\":1}x", "01x", "\"\\q\"", "[1e999]"])
    func rejectsBrokenDocuments(text: String) {
        #expect(throws: WatcherError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesDeepNesting() {
        #expect(throws: WatcherError.self) { try JSONValue.parse(String(repeating: "[", count: 10_000)) }
    }
}
