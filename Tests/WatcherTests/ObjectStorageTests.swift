import Foundation
import Testing
@testable import Watcher

/// State, history and archive in object storage: S3 against moto's server (a
/// real S3 implementation, conditional writes included), Azure Blob against
/// `FakeBlobServer`; the answers a person must act on; and the real `watcher`
/// binary, two checks at the same instant, announcing an episode once.
@Suite(.serialized) struct ObjectStorageTests {
    let folder: URL

    init() throws {
        folder = try WatcherProcess.temporaryFolder()
    }

    @Test func s3ObjectsAreWrittenOnlyWhenTheirConditionHolds() throws {
        let moto = try MotoServer.start()
        let store = try moto.store(bucket: try moto.makeBucket())
        #expect(try store.get("camera-a.json") == nil)
        let first = try store.put("camera-a.json", Array("one".utf8), contentType: "application/json", condition: .absent)
        expectConflict {
            try store.put("camera-a.json", Array("two".utf8), contentType: "application/json", condition: .absent)
        }
        let read = try #require(try store.get("camera-a.json"))
        #expect(read.bytes == Array("one".utf8) && read.etag == first)
        expectConflict {
            try store.put("camera-a.json", Array("two".utf8), contentType: "application/json", condition: .matches("\"stale\""))
        }
        let second = try store.put("camera-a.json", Array("two".utf8), contentType: "application/json", condition: .matches(first))
        let rewritten = try store.get("camera-a.json")
        #expect(second != first && rewritten?.bytes == Array("two".utf8))
        _ = try store.put("open/x.jpg", [1, 2], contentType: "image/jpeg", condition: .always)
        #expect(try store.list(prefix: "camera-").map(\.name) == ["camera-a.json"])
        #expect(try store.list(prefix: "").map(\.name) == ["camera-a.json", "open/x.jpg"])
        let modified = try #require(try store.list(prefix: "open/").first?.lastModified)
        #expect(abs(modified - WallTime.nowMillis()) < 600_000)
        try store.delete("open/x.jpg")
        try store.delete("open/x.jpg")
        #expect(try store.list(prefix: "open/").isEmpty)
    }

    @Test func aMissingBucketIsAClearError() throws {
        let moto = try MotoServer.start()
        let store = try moto.store(bucket: "no-such-bucket-here")
        #expect {
            try store.put("camera-a.json", [1], contentType: "application/json", condition: .absent)
        } throws: { error in
            let error = error as? WatcherError
            return error?.status == 404 && error?.message.contains("s3://no-such-bucket-here/cams/: the bucket does not exist") == true
        }
    }

    @Test func deniedThrottledAndMissingCredentialsAreClearErrors() throws {
        let server = try FakeHTTPServer { request in
            request.path.hasSuffix("/denied.json")
                ? FakeResponse(status: 403, body: Array("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".utf8))
                : FakeResponse(status: 503, headers: [HTTPHeader("Retry-After", "0")],
                               body: Array("<Error><Code>SlowDown</Code></Error>".utf8))
        }
        defer { server.stop() }
        let environment = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL": server.baseURL]
        let store = try S3ObjectStore(bucket: "bucket", prefix: "", transport: try CurlTransport(), environment: { environment[$0] })
        #expect {
            _ = try store.get("denied.json")
        } throws: { error in
            let message = (error as? WatcherError)?.message ?? ""
            return message.contains("access denied (403 AccessDenied)") && message.contains("s3:PutObject")
        }
        #expect {
            _ = try store.get("busy.json")
        } throws: { error in
            (error as? WatcherError)?.message.contains("throttling requests (503 SlowDown) after 4 attempts") == true
        }
        #expect(server.requests(path: "/bucket/busy.json").count == ObjectRequests.attempts)
        #expect {
            _ = try S3ObjectStore(bucket: "bucket", prefix: "", transport: try CurlTransport(), environment: { _ in nil })
        } throws: { error in
            (error as? WatcherError)?.kind == .usage && (error as? WatcherError)?.message.contains("AWS_ACCESS_KEY_ID") == true
        }
    }

    @Test func azureBlobsAreWrittenOnlyWhenTheirConditionHolds() throws {
        let azure = try FakeBlobServer()
        defer { azure.stop() }
        let connection = azure.connectionString
        let store = try AzureBlobObjectStore(account: FakeBlobServer.account, container: FakeBlobServer.container,
                                             prefix: "front/", transport: try CurlTransport(),
                                             environment: { $0 == "AzureWebJobsStorage" ? connection : nil })
        #expect(try store.get("camera-a.json") == nil)
        let first = try store.put("camera-a.json", Array("one".utf8), contentType: "application/json", condition: .absent)
        expectConflict {
            try store.put("camera-a.json", Array("two".utf8), contentType: "application/json", condition: .absent)
        }
        expectConflict {
            try store.put("camera-a.json", [2], contentType: "application/json", condition: .matches("\"0xSTALE\""))
        }
        _ = try store.put("camera-a.json", Array("two".utf8), contentType: "application/json", condition: .matches(first))
        #expect(azure.blob("front/camera-a.json") == Array("two".utf8))
        #expect(try store.list(prefix: "camera-").map(\.name) == ["camera-a.json"])
        #expect(try store.list(prefix: "").first?.lastModified == 1_796_292_000_000)
        try store.delete("camera-a.json")
        #expect(azure.names.isEmpty)

        let wrongKey = "AccountName=\(FakeBlobServer.account);AccountKey=\(Base64.encode(Array("wrong".utf8)));BlobEndpoint=\(azure.server.baseURL)"
        let denied = try AzureBlobObjectStore(account: FakeBlobServer.account, container: FakeBlobServer.container, prefix: "",
                                              transport: try CurlTransport(), environment: { $0 == "AzureWebJobsStorage" ? wrongKey : nil })
        #expect {
            _ = try denied.get("x.json")
        } throws: { error in (error as? WatcherError)?.message.contains("access denied (403 AuthenticationFailed)") == true }
        let otherContainer = try AzureBlobObjectStore(account: FakeBlobServer.account, container: "missing", prefix: "",
                                                      transport: try CurlTransport(), environment: { $0 == "AzureWebJobsStorage" ? connection : nil })
        #expect {
            _ = try otherContainer.get("x.json")
        } throws: { error in (error as? WatcherError)?.message.contains("the container does not exist") == true }
        #expect {
            _ = try AzureBlobObjectStore(account: "someoneelse", container: "watcher", prefix: "", transport: try CurlTransport(),
                                         environment: { $0 == "AzureWebJobsStorage" ? connection : nil })
        } throws: { error in (error as? WatcherError)?.message.contains("is for account 'watchertest'") == true }
    }

    /// The issue's race: two `watcher once` at the same instant, both read the
    /// empty state before either saves (the export is slowed down), both see the
    /// lock open with --debounce 1. One save wins; the other conflicts, reads the
    /// winner's state and decides again: exactly one `opened` message, and the
    /// state object counts both checks.
    @Test func twoChecksAtTheSameInstantOnS3AnnounceTheEpisodeOnce() throws {
        let moto = try MotoServer.start()
        let bucket = try moto.makeBucket()
        let soracam = try FakeSoraCamServer(jpeg: TestStills.red)
        defer { soracam.stop() }
        soracam.inject(.slow(seconds: 1.5), into: .exportStatus, times: 2)
        let receiver = try FakeHTTPServer { _ in FakeResponse(status: 200) }
        defer { receiver.stop() }
        let environment = moto.environment.merging([
            "SORACOM_ENDPOINT": soracam.endpoint, "SORACOM_AUTH_KEY_ID": soracam.authKeyId, "SORACOM_AUTH_KEY": soracam.authKey,
        ]) { $1 }
        let arguments = ["once", "--device-id", FakeSoraCamServer.deviceId, "--model", TestStills.model, "--crop", TestStills.crop,
                         "--camera-name", "Front door", "--debounce", "1", "--state-dir", "s3://\(bucket)/front",
                         "--notify", "webhook:\(receiver.baseURL)/hook", "--json"]
        let first = try WatcherProcess.start(arguments, environment: environment, folder: folder)
        let second = try WatcherProcess.start(arguments, environment: environment, folder: folder)
        first.0.waitUntilExit()
        second.0.waitUntilExit()
        let results = [WatcherProcess.finish(first.0, first.1, first.2), WatcherProcess.finish(second.0, second.1, second.2)]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let notifications = try results.map { try JSONValue.parse(try #require($0.lines.last))["notifications"] }
        #expect(notifications.filter { $0 == ["opened"] }.count == 1 && notifications.filter { $0 == [] }.count == 1,
                "\(notifications)")
        let events = receiver.requests(path: "/hook").compactMap { $0.json?["event"]?.stringValue }
        #expect(events == ["opened"])

        let store = try moto.store(bucket: bucket, prefix: "front/")
        let names = try store.list(prefix: "").map(\.name)
        let stateName = try #require(names.first { $0.hasPrefix("camera-") && $0.hasSuffix(".json") })
        let stateObject = try #require(try store.get(stateName))
        let state = try CameraStateCoding.decode(try JSONValue.parse(stateObject.bytes))
        #expect(state.alertStreak == 2 && state.announced && state.outbox.isEmpty && state.camera == "Front door")
        #expect(names.contains("soracom-token.json"))
        let history = ObjectHistory(store: store, name: String(stateName.dropLast(5)) + ".history.jsonl").read()
        #expect(history.entries.count == 2 && history.damagedLines == 0)
        #expect(history.entries.flatMap(\.events) == ["opened"])
    }

    /// A Functions app's own storage account: state, history and archive in
    /// Blob Storage from AzureWebJobsStorage, read back by `status` and `history`.
    @Test func onceStatusAndHistoryWorkOnAzureBlobStorage() throws {
        let azure = try FakeBlobServer()
        defer { azure.stop() }
        let still = folder.appendingPathComponent("still.jpg")
        try Data(TestStills.red).write(to: still)
        let environment = ["AzureWebJobsStorage": azure.connectionString]
        let location = "azblob://\(FakeBlobServer.account)/\(FakeBlobServer.container)/front"
        let once = ["once", "--image", still.path, "--model", TestStills.model, "--crop", TestStills.crop, "--camera-name", "Front door",
                    "--debounce", "2", "--state-dir", location, "--archive-dir", location + "/archive", "--archive-keep-count", "1",
                    "--notify", "stdout"]
        for _ in 0..<3 {
            let result = try WatcherProcess.run(once, environment: environment, folder: folder)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(azure.names.filter { $0.hasPrefix("front/archive/open/") }.count == 1, "\(azure.names)")
        let status = try WatcherProcess.run(["status", "--json", "--state-dir", location], environment: environment, folder: folder)
        #expect(status.status == 0, "\(status.stderr)")
        let statusLine = try #require(status.lines.last)
        let cameras = try #require(try JSONValue.parse(statusLine).arrayValue)
        #expect(cameras.count == 1 && cameras[0]["camera"]?.stringValue == "Front door" && cameras[0]["announced"] == .bool(true))
        let history = try WatcherProcess.run(["history", "--json", "--state-dir", location], environment: environment, folder: folder)
        let events = history.lines.map { line -> JSONValue? in (try? JSONValue.parse(line))?["events"] }
        #expect(events == [[], ["opened"], []], "\(history.stdout)")
        let unsigned = try WatcherProcess.run(["status", "--state-dir", location], folder: folder)
        #expect(unsigned.status == 64 && unsigned.stderr.contains("needs Azure Storage credentials"), "\(unsigned.stderr)")
    }

    func expectConflict(_ body: () throws -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { _ = try body() } throws: { ($0 as? WatcherError)?.isConflict == true }
    }
}
