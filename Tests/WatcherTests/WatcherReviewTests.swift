import Foundation
import Testing
@testable import Watcher

/// `watcher review`, the real binary, over raw HTTP: what it serves, what it changes
/// when asked properly, and the hostile requests that must change nothing. The page
/// itself is driven in a real browser by tools/review_browser_test.py (in .ci/run).
@Suite(.serialized) struct WatcherReviewTests {
    let folder: URL
    let archive: URL
    let model: String

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        archive = folder.appendingPathComponent("archive")
        // Green for open: the colour-lock model calls it close.
        try ColourCrops.write(archive, label: "open", count: 6, r: 20, g: 200, b: 30)
        try ColourCrops.write(archive, label: "close", count: 6, r: 20, g: 30, b: 210, firstSeed: 100)
        try ColourCrops.write(archive, label: "unsure", count: 2, r: 128, g: 128, b: 128, firstSeed: 200)
        model = try ColourCrops.modelCopy(in: folder)
    }

    /// Starts the server on a free port; returns it and the port.
    func start(_ extra: [String] = [], environment: [String: String] = [:]) throws -> (Process, Int, URL) {
        let (process, out, err) = try WatcherProcess.start(
            ["review", "--archive-dir", archive.path, "--model", model, "--state-dir", folder.appendingPathComponent("state").path,
             "--listen", "127.0.0.1:0"] + extra, environment: environment, folder: folder)
        for _ in 0..<300 {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://[^ ]+:(\d+)/"#, options: .regularExpression) {
                let port = Int(text[range].split(separator: ":").last!.dropLast())!
                return (process, port, err)
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        process.terminate()
        throw StartFailure(description: "watcher review did not start: " + ((try? String(contentsOf: err, encoding: .utf8)) ?? ""))
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    func token(_ port: Int) throws -> String {
        let page = try RawHTTP.request(port: port, "GET", "/").text
        let marker = #"name="watcher-token" content=""#
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix(64))
    }

    func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    @Test func servesThePageTheCropsAndTheOverview() throws {
        let (process, port, _) = try start()
        defer { stop(process) }
        let page = try RawHTTP.request(port: port, "GET", "/")
        #expect(page.status == 200)
        #expect(page.headers.contains("Content-Security-Policy: default-src 'none'"))
        #expect(page.text.contains("<title>watcher review</title>") && page.text.contains("id=\"learn-button\""))
        // The only URL in the page is SVG's namespace name, which is never fetched.
        let withoutNamespace = page.text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://") && !withoutNamespace.contains("//"),
                "the page loads nothing from elsewhere")

        let overview = try #require(try RawHTTP.request(port: port, "GET", "/api/overview").json)
        let folders = overview["folders"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(folders == ["unsure", "close", "open"])
        #expect(overview["targets"] == .array([.string("close"), .string("open")]))
        let firstOpen = try #require(overview["folders"]?.arrayValue?[2]["crops"]?.arrayValue?.first?["name"]?.stringValue)
        let image = try RawHTTP.request(port: port, "GET", "/crops/open/" + firstOpen)
        #expect(image.status == 200 && image.headers.contains("Content-Type: image/jpeg") && image.body.prefix(2) == [0xFF, 0xD8])
    }

    @Test func movesALabeledCropWhenAskedWithTheToken() throws {
        let (process, port, _) = try start()
        defer { stop(process) }
        let token = try token(port)
        let name = try #require(FileManager.default.contentsOfDirectory(atPath: archive.appendingPathComponent("unsure").path).sorted().first)
        let moved = try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                        json: #"{"folder":"unsure","name":"\#(name)","to":"close"}"#)
        #expect(moved.status == 200, "\(moved.text)")
        #expect(FileManager.default.fileExists(atPath: archive.appendingPathComponent("close/" + name).path))
        #expect(!FileManager.default.fileExists(atPath: archive.appendingPathComponent("unsure/" + name).path))
        // The same move again: the crop is no longer there.
        let again = try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                        json: #"{"folder":"unsure","name":"\#(name)","to":"close"}"#)
        #expect(again.status == 404)
    }

    @Test func hostileRequestsChangeNothing() throws {
        let (process, port, _) = try start()
        defer { stop(process) }
        let token = try token(port)
        let crop = try #require(FileManager.default.contentsOfDirectory(atPath: archive.appendingPathComponent("close").path).sorted().first)
        let modelFolder = URL(fileURLWithPath: model).deletingLastPathComponent()
        let before = ColourCrops.snapshot([archive, modelFolder])
        let move = #"{"folder":"close","name":"\#(crop)","to":"open"}"#
        let cases: [(String, RawHTTP.Answer, Int)] = [
            ("traversal", try RawHTTP.request(port: port, "GET", "/crops/../../model/model.pb"), 404),
            ("encoded traversal", try RawHTTP.request(port: port, "GET", "/crops/close/..%2F..%2Fmodel%2Fmodel.pb"), 404),
            ("encoded dot-dot folder", try RawHTTP.request(port: port, "GET", "/crops/%2e%2e/model.pb"), 404),
            ("absolute", try RawHTTP.request(port: port, "GET", "/crops/%2Fetc%2Fpasswd/x.jpg"), 404),
            ("broken escape", try RawHTTP.request(port: port, "GET", "/crops/close/%zz.jpg"), 400),
            ("no token", try RawHTTP.request(port: port, "POST", "/api/move", json: move), 403),
            ("wrong token", try RawHTTP.request(port: port, "POST", "/api/move", token: String(repeating: "0", count: 64), json: move), 403),
            ("foreign origin", try RawHTTP.request(port: port, "POST", "/api/move", token: token, json: move,
                                                   extra: ["Origin: http://evil.example"]), 403),
            ("foreign host", try RawHTTP.request(port: port, "GET", "/api/overview", host: "evil.example"), 403),
            ("name with ..", try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                                 json: #"{"folder":"close","name":"../../model/model.pb","to":"open"}"#), 404),
            ("folder outside", try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                                   json: #"{"folder":"../model","name":"model.pb","to":"open"}"#), 404),
            ("target outside", try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                                   json: #"{"folder":"close","name":"\#(crop)","to":"../evil"}"#), 422),
            ("target unsure", try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                                  json: #"{"folder":"close","name":"\#(crop)","to":"unsure"}"#), 422),
            ("not JSON", try RawHTTP.request(port: port, "POST", "/api/move", token: token, json: "folder=close"), 400),
            ("form post", try RawHTTP.send(port: port, "POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Watcher-Token: \(token)\r\n"
                                                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b"), 415),
            ("big body", try RawHTTP.request(port: port, "POST", "/api/move", token: token,
                                             json: String(repeating: " ", count: 100_000) + move), 413),
            ("huge length", try RawHTTP.send(port: port, "POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Watcher-Token: \(token)\r\n"
                                                  + "Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n"), 413),
            ("no length", try RawHTTP.send(port: port, "POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Watcher-Token: \(token)\r\n"
                                                + "Content-Type: application/json\r\n\r\n"), 411),
            ("chunked", try RawHTTP.send(port: port, "POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nTransfer-Encoding: chunked\r\n"
                                              + "X-Watcher-Token: \(token)\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n"), 501),
            ("big header", try RawHTTP.request(port: port, "GET", "/", extra: ["X-Pad: " + String(repeating: "y", count: 40_000)]), 431),
            ("two lengths", try RawHTTP.send(port: port, "POST /api/move HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 2\r\n"
                                                  + "Content-Length: 40\r\n\r\n{}"), 400),
            ("install without token", try RawHTTP.request(port: port, "POST", "/api/install", json: "{}"), 403),
            ("install before learn", try RawHTTP.request(port: port, "POST", "/api/install", token: token, json: "{}"), 409),
            ("other method", try RawHTTP.request(port: port, "PUT", "/api/move", token: token), 405),
            ("not HTTP", try RawHTTP.send(port: port, "GARBAGE\r\n\r\n"), 400),
        ]
        for (name, answer, expected) in cases {
            #expect(answer.status == expected, "\(name): \(answer.status) \(answer.text)")
        }
        #expect(ColourCrops.snapshot([archive, modelFolder]) == before)
        // Still serving after all that.
        #expect(try RawHTTP.request(port: port, "GET", "/api/overview").status == 200)
    }

    @Test func learnsAndInstallsKeepingTheOldModel() throws {
        let (process, port, _) = try start()
        defer { stop(process) }
        let token = try token(port)
        let old = try Data(contentsOf: URL(fileURLWithPath: model))
        let learned = try RawHTTP.request(port: port, "POST", "/api/learn", token: token, json: "{}")
        #expect(learned.status == 200, "\(learned.text)")
        let result = try #require(learned.json)
        #expect(result["current"]?["correct"]?.intValue == 6 && result["new"]?["correct"]?.intValue == 12)
        #expect(result["better"] == .bool(true))

        let installed = try RawHTTP.request(port: port, "POST", "/api/install", token: token, json: "{}")
        #expect(installed.status == 200, "\(installed.text)")
        let backup = try #require(installed.json?["modelBackup"]?.stringValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == old)
        let classifier = try LockClassifier(modelPath: model)
        #expect(try classifier.classify(jpeg: ColourCrops.jpeg(r: 30, g: 190, b: 40, seed: 5), crop: nil).0.top.label == "open")
        // Installed once: there is nothing more to install.
        #expect(try RawHTTP.request(port: port, "POST", "/api/install", token: token, json: "{}").status == 409)
    }

    @Test func offLoopbackItNeedsAPassword() throws {
        let refused = try WatcherProcess.run(["review", "--archive-dir", archive.path, "--model", model, "--listen", "0.0.0.0:0"],
                                             folder: folder)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("WATCHER_REVIEW_PASSWORD"))

        let (process, _, _) = try start(["--listen", "0.0.0.0:0"], environment: ["WATCHER_REVIEW_PASSWORD": "door-SECRET"])
        #expect(process.isRunning)
        stop(process)
    }

    @Test func checksThePasswordOnEveryRequest() throws {
        let (process, port, err) = try start(["--listen", "0.0.0.0:0"], environment: ["WATCHER_REVIEW_PASSWORD": "door-SECRET"])
        let host = "192.0.2.7:\(port)"  // any name: off loopback, the password protects
        let none = try RawHTTP.request(port: port, "GET", "/", host: host)
        #expect(none.status == 401 && none.headers.contains("WWW-Authenticate: Basic"))
        let wrong = try RawHTTP.request(port: port, "GET", "/", host: host, extra: ["Authorization: Basic " + Data("me:door".utf8).base64EncodedString()])
        #expect(wrong.status == 401)
        let right = try RawHTTP.request(port: port, "GET", "/api/overview", host: host,
                                        extra: ["Authorization: Basic " + Data("me:door-SECRET".utf8).base64EncodedString()])
        #expect(right.status == 200)
        stop(process)
        let log = try String(contentsOf: err, encoding: .utf8)
        #expect(!log.contains("SECRET"))
        #expect(log.contains("watcher review: stopped"))
    }
}
