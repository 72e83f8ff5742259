import Foundation
import Testing
@testable import Watcher

/// The real `watcher` binary as the serverless hosts start it: with no
/// arguments, under a fake Lambda Runtime API (events, responses, errors, init
/// errors) and under a fake Azure Functions host (a timer request).
@Suite(.serialized) struct HostModeTests {
    let folder: URL
    let still: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
        still = folder.appendingPathComponent("still.jpg")
        try Data(TestStills.red).write(to: still)
    }

    var options: [String: String] {
        ["WATCHER_IMAGE": still.path, "WATCHER_MODEL": TestStills.model, "WATCHER_CROP": TestStills.crop,
         "WATCHER_STATE_DIR": folder.appendingPathComponent("state").path, "WATCHER_DEBOUNCE": "2",
         "WATCHER_CAMERA_NAME": "Front door", "WATCHER_NOTIFY": "stdout"]
    }

    /// Hands out `events` one per GET .../next, then holds the next GET open (an idle instance).
    final class RuntimeAPI: @unchecked Sendable {
        let lock = NSLock()
        var events: [String]
        var served = 0
        var server: FakeHTTPServer!

        init(events: [String]) throws {
            self.events = events
            server = try FakeHTTPServer { [unowned self] request in
                guard request.method == "GET", request.path == "/2018-06-01/runtime/invocation/next" else {
                    return FakeResponse(status: 202)
                }
                let next: (Int, String)? = lock.withLock {
                    guard !self.events.isEmpty else { return nil }
                    self.served += 1
                    return (self.served, self.events.removeFirst())
                }
                guard let (number, event) = next else { return FakeResponse(status: 500, delay: 20) }
                return FakeResponse(status: 200, headers: [HTTPHeader("Lambda-Runtime-Aws-Request-Id", "request-\(number)"),
                                                           HTTPHeader("Lambda-Runtime-Deadline-Ms", "9999999999999")],
                                    body: Array(event.utf8))
            }
        }

        func posts() -> [RecordedRequest] { server.requests.filter { $0.method == "POST" } }
    }

    @Test func lambdaServesEveryEventFromOneProcessAndReportsBadOverridesAsErrors() throws {
        let scheduled = #"{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#
        let api = try RuntimeAPI(events: [scheduled, scheduled, #"{"watcher":{"camera-name":"Back door"}}"#,
                                          #"{"watcher":{"no-such-option":1}}"#])
        defer { api.server.stop() }
        let environment = options.merging(["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(api.server.port)"]) { $1 }
        let (process, out, err) = try WatcherProcess.start([], environment: environment, folder: folder)
        let deadline = Date().addingTimeInterval(60)
        while api.posts().count < 4, process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(process.isRunning, "the runtime must stay alive between events")
        process.terminate()
        process.waitUntilExit()
        let result = WatcherProcess.finish(process, out, err)
        let posts = api.posts()
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/invocation/request-1/response",
                                      "/2018-06-01/runtime/invocation/request-2/response",
                                      "/2018-06-01/runtime/invocation/request-3/response",
                                      "/2018-06-01/runtime/invocation/request-4/error"], "\(result.stderr)")
        guard posts.count == 4 else { return }
        let bodies = posts.compactMap(\.json)
        #expect(bodies.prefix(3).map { $0["invocation"]?.intValue } == [1, 2, 3])
        #expect(bodies.prefix(3).map { $0["ok"] } == [.bool(true), .bool(true), .bool(true)])
        #expect(bodies.prefix(3).map { $0["notifications"] } == [[], ["opened"], []])
        #expect(bodies[2]["camera"]?.stringValue == "Back door")
        #expect(bodies[0]["memory"]?["peakRSSKiB"]?.intValue != nil)
        #expect(bodies[3]["errorType"]?.stringValue == "Watcher.Configuration"
            && bodies[3]["errorMessage"]?.stringValue?.contains("no-such-option") == true, "\(bodies[3])")
        #expect(posts[3].header("Lambda-Runtime-Function-Error-Type") == "Watcher.Configuration")
    }

    @Test func aConfigurationErrorGoesToInitError() throws {
        let api = try RuntimeAPI(events: [])
        defer { api.server.stop() }
        var environment = options.merging(["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(api.server.port)"]) { $1 }
        environment["WATCHER_CROP"] = "not-a-crop"
        let result = try WatcherProcess.run([], environment: environment, folder: folder)
        #expect(result.status == 64)
        let posts = api.posts()
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/init/error"])
        #expect(posts.first?.json?["errorType"]?.stringValue == "Watcher.Configuration")
    }

    @Test func functionsAnswersATimerRequestWithTheDocumentedJSON() throws {
        let port = FakeHTTPServer.unusedPort()
        let environment = options.merging(["FUNCTIONS_CUSTOMHANDLER_PORT": String(port)]) { $1 }
        let (process, out, err) = try WatcherProcess.start([], environment: environment, folder: folder)
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let transport = try CurlTransport()
        let body = #"{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"check"}}}"#
        var response: HTTPResponse?
        for _ in 0..<100 where response == nil {
            response = try? transport.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/check",
                                                       headers: [HTTPHeader("Content-Type", "application/json")],
                                                       body: Array(body.utf8), timeout: 60))
            if response == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let answer = try #require(response, "\(WatcherProcess.finish(process, out, err).stderr)")
        #expect(answer.status == 200)
        let json = try JSONValue.parse(answer.body)
        #expect(json["Outputs"] == .object([]))
        let logs = try #require(json["Logs"]?.arrayValue)
        #expect(!logs.isEmpty && logs.allSatisfy { $0.stringValue != nil })
        #expect(json["ReturnValue"]?["ok"] == .bool(true) && json["ReturnValue"]?["label"]?.stringValue == "open")
        let wrong = try transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/check"))
        #expect(wrong.status == 404)
    }
}
