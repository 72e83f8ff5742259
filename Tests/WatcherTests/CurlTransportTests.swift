import Foundation
import Testing
import Watcher

@Suite("CurlTransport", .serialized)
struct CurlTransportTests {
    @Test func getReturnsStatusHeadersAndBody() throws {
        let server = try FakeHTTPServer { _ in
            FakeResponse(status: 201, headers: [HTTPHeader("X-Answer", "forty two")], body: [0, 1, 2, 255])
        }
        defer { server.stop() }
        let transport = try CurlTransport()
        let response = try transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/status?x=1",
                                                      headers: [HTTPHeader("X-Custom", "yes")]))
        #expect(response.status == 201)
        #expect(response.header("x-answer") == "forty two")
        #expect(response.body == [0, 1, 2, 255])
        let received = try #require(server.requests.first)
        #expect(received.method == "GET")
        #expect(received.path == "/status")
        #expect(received.query == "x=1")
        #expect(received.header("X-Custom") == "yes")
        #expect(received.header("User-Agent") == CurlTransport.defaultUserAgent)
        #expect(CurlTransport.defaultUserAgent.hasPrefix("watcher/"))
    }

    @Test func postSendsBinaryBodyAndReadsTheAnswer() throws {
        let server = try FakeHTTPServer { request in
            FakeResponse(status: 200, body: request.body.reversed())
        }
        defer { server.stop() }
        let body: [UInt8] = [7, 0, 13, 10, 0, 200]
        let response = try CurlTransport().send(HTTPRequest(
            method: "POST", url: server.baseURL + "/echo", headers: [HTTPHeader("Content-Type", "application/octet-stream")],
            body: body))
        #expect(response.body == body.reversed())
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.body == body)
        #expect(received.header("Content-Type") == "application/octet-stream")
    }

    @Test func putUploadsTheBody() throws {
        let server = try FakeHTTPServer { _ in FakeResponse(status: 204) }
        defer { server.stop() }
        let body = Array("{\"k\":1}".utf8)
        let response = try CurlTransport().send(HTTPRequest(method: "PUT", url: server.baseURL + "/put", body: body))
        #expect(response.status == 204)
        #expect(server.requests.first?.method == "PUT")
        #expect(server.requests.first?.body == body)
    }

    @Test func otherVerbsAndEmptyPosts() throws {
        let server = try FakeHTTPServer { _ in FakeResponse(status: 200) }
        defer { server.stop() }
        let transport = try CurlTransport()
        _ = try transport.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/thing"))
        _ = try transport.send(HTTPRequest(method: "PATCH", url: server.baseURL + "/thing", body: Array("x=1".utf8)))
        _ = try transport.send(HTTPRequest(method: "POST", url: server.baseURL + "/empty"))
        let log = server.requests
        #expect(log.map(\.method) == ["DELETE", "PATCH", "POST"])
        #expect(log[0].body.isEmpty)
        #expect(log[1].bodyText == "x=1")
        #expect(log[2].body.isEmpty && log[2].header("Content-Length") == "0")
    }

    /// curl 7.88 asks `Expect: 100-continue` before a POST body over 1 MB and
    /// before any PUT; without the server's interim answer it would stall a second.
    @Test func largeBodiesGoThroughExpectContinue() throws {
        let server = try FakeHTTPServer { request in .text("\(request.body.count)") }
        defer { server.stop() }
        let transport = try CurlTransport()
        let body = (0..<1_100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for method in ["POST", "PUT"] {
            let start = Date()
            let response = try transport.send(HTTPRequest(method: method, url: server.baseURL + "/big", body: body))
            #expect(Date().timeIntervalSince(start) < 0.9, "\(method)")
            #expect(String(decoding: response.body, as: UTF8.self) == "1100000", "\(method)")
        }
        let log = server.requests
        #expect(log.map(\.method) == ["POST", "PUT"])
        for request in log {
            #expect(request.body == body)
            #expect(request.header("Expect") == "100-continue")
        }
    }

    @Test func reusesTheConnectionBetweenCalls() throws {
        let server = try FakeHTTPServer { _ in .text("ok") }
        defer { server.stop() }
        let transport = try CurlTransport()
        for _ in 0..<3 { _ = try transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/again")) }
        #expect(server.requests.map(\.connection) == [1, 1, 1])
    }

    @Test func slowServerIsATimeoutWithoutThePath() throws {
        let server = try FakeHTTPServer { _ in FakeResponse(status: 200, body: [1], delay: 2) }
        defer { server.stop() }
        let start = Date()
        let error = #expect(throws: WatcherError.self) {
            try CurlTransport().send(HTTPRequest(method: "GET", url: server.baseURL + "/hook/SECRETPATH?token=SECRETQUERY",
                                                 timeout: 0.3))
        }
        #expect(Date().timeIntervalSince(start) < 1.5)
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
        #expect(error?.message.contains("SECRET") == false)
    }

    @Test func connectionRefusedIsANetworkErrorWithoutThePath() throws {
        let port = FakeHTTPServer.unusedPort()
        let error = #expect(throws: WatcherError.self) {
            try CurlTransport().send(HTTPRequest(method: "POST", url: "http://user:PASSWORD@127.0.0.1:\(port)/hook/SECRET?q=SECRET"))
        }
        #expect(error?.kind == .network)
        #expect(error?.message.contains("http://127.0.0.1:\(port)") == true)
        #expect(error?.message.contains("SECRET") == false)
        #expect(error?.message.contains("PASSWORD") == false)
    }

    /// Against `openssl s_server` with a self-signed certificate for 127.0.0.1:
    /// refused with the system's CAs and under a name the certificate does not
    /// carry, accepted once that certificate is the CA bundle.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func tlsIsVerifiedAndTheCABundleCanBeReplaced() throws {
        let server = try OpenSSLTestServer()
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/"

        let untrusted = #expect(throws: WatcherError.self) {
            try CurlTransport().send(HTTPRequest(method: "GET", url: url, timeout: 5))
        }
        #expect(untrusted?.kind == .network)
        #expect(untrusted?.message.contains("certificate") == true)

        let trusting = try CurlTransport(caBundlePath: server.certificatePath)
        let response = try trusting.send(HTTPRequest(method: "GET", url: url, timeout: 5))
        #expect(response.status == 200)

        let wrongName = #expect(throws: WatcherError.self) {
            try trusting.send(HTTPRequest(method: "GET", url: "https://localhost:\(server.port)/", timeout: 5))
        }
        #expect(wrongName?.kind == .network)
    }

    @Test func oversizeResponseFailsWithOrWithoutContentLength() throws {
        let server = try FakeHTTPServer { request in
            FakeResponse(status: 200, body: [UInt8](repeating: 65, count: 10_000),
                         omitContentLength: request.path == "/streamed")
        }
        defer { server.stop() }
        let transport = try CurlTransport()
        for path in ["/announced", "/streamed"] {
            let error = #expect(throws: WatcherError.self) {
                try transport.send(HTTPRequest(method: "GET", url: server.baseURL + path, maxResponseBytes: 1000))
            }
            #expect(error?.kind == .http, "\(path)")
            #expect(error?.message.contains("1000 bytes") == true, "\(path)")
        }
        // The same handle still works afterwards, and exactly at the limit is fine.
        let fits = try transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/streamed", maxResponseBytes: 10_000))
        #expect(fits.body.count == 10_000)
    }

    @Test func truncatedBodyIsANetworkError() throws {
        let server = try FakeHTTPServer { _ in
            FakeResponse(status: 200, body: [UInt8](repeating: 1, count: 5000), truncateBodyAfter: 100)
        }
        defer { server.stop() }
        let error = #expect(throws: WatcherError.self) {
            try CurlTransport().send(HTTPRequest(method: "GET", url: server.baseURL + "/partial?sig=SECRET"))
        }
        #expect(error?.kind == .network)
        #expect(error?.message.contains("SECRET") == false)
    }

    @Test func redirectsAreFollowedOnlyWhenAsked() throws {
        let server = try FakeHTTPServer { request in
            request.path == "/moved"
                ? FakeResponse(status: 302, headers: [HTTPHeader("Location", "/final"), HTTPHeader("X-Hop", "1")])
                : FakeResponse(status: 200, headers: [HTTPHeader("X-Final", "yes")], body: [9])
        }
        defer { server.stop() }
        let transport = try CurlTransport()
        let plain = try transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/moved"))
        #expect(plain.status == 302)
        #expect(plain.header("Location") == "/final")

        var following = HTTPRequest(method: "GET", url: server.baseURL + "/moved")
        following.followRedirects = true
        let followed = try transport.send(following)
        #expect(followed.status == 200)
        #expect(followed.body == [9])
        #expect(followed.header("X-Final") == "yes")
        #expect(followed.header("X-Hop") == nil)
        #expect(server.requests.map(\.path) == ["/moved", "/moved", "/final"])
    }

    @Test func redirectLoopsStopAfterFive() throws {
        let server = try FakeHTTPServer { _ in FakeResponse(status: 302, headers: [HTTPHeader("Location", "/loop")]) }
        defer { server.stop() }
        var request = HTTPRequest(method: "GET", url: server.baseURL + "/loop")
        request.followRedirects = true
        let error = #expect(throws: WatcherError.self) { try CurlTransport().send(request) }
        #expect(error?.kind == .network)
        #expect(server.requests.count == 6)
    }

    @Test func headerInjectionIsRefused() throws {
        let transport = try CurlTransport()
        let error = #expect(throws: WatcherError.self) {
            try transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/",
                                           headers: [HTTPHeader("X-Evil", "a\r\nHost: elsewhere")]))
        }
        #expect(error?.kind == .usage)
    }

    @Test func customUserAgentAndEmptyHeaderValue() throws {
        let server = try FakeHTTPServer { _ in .text("ok") }
        defer { server.stop() }
        _ = try CurlTransport(userAgent: "watcher/9.9").send(HTTPRequest(
            method: "GET", url: server.baseURL + "/", headers: [HTTPHeader("X-Empty", "")]))
        #expect(server.requests.first?.header("User-Agent") == "watcher/9.9")
        #expect(server.requests.first?.header("X-Empty") == "")
    }

    @Test func redactedURLKeepsSchemeHostAndPortOnly() {
        #expect(redactedURL("https://discord.com/api/webhooks/123/SECRET?wait=true") == "https://discord.com")
        #expect(redactedURL("HTTP://user:pw@example.com:8080/x#frag") == "http://example.com:8080")
        #expect(redactedURL("https://bucket.s3.amazonaws.com?X-Amz-Signature=abc") == "https://bucket.s3.amazonaws.com")
        #expect(redactedURL("not a url") == "<invalid URL>")
        #expect(redactingURLs(in: "failed at https://h.example/p?q=SECRET: reset") == "failed at https://h.example: reset")
    }
}

/// `openssl s_server -www` on 127.0.0.1 with a fresh self-signed certificate.
private final class OpenSSLTestServer {
    let port = FakeHTTPServer.unusedPort()
    let folder = NSTemporaryDirectory() + "tls-" + UUID().uuidString
    var certificatePath: String { folder + "/cert.pem" }
    private let process = Process()

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/key.pem", "-out", certificatePath,
        ])
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_server", "-quiet", "-www", "-accept", "\(port)", "-cert", certificatePath,
                             "-key", folder + "/key.pem"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready once it accepts connections.
        for _ in 0..<100 {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(probe)
            if connected == 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func stop() {
        // SIGKILL: the child inherits the spawning thread's blocked signals, SIGTERM among them.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func run(_ arguments: [String]) throws {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        tool.arguments = arguments
        tool.standardOutput = FileHandle.nullDevice
        tool.standardError = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
    }
}

@Suite("MultipartBody")
struct MultipartBodyTests {
    @Test func encodesFieldsAndFiles() {
        var form = MultipartBody(boundary: "XyZ")
        form.addField(name: "payload_json", value: "{\"content\":\"open\"}", contentType: "application/json")
        form.addField(name: "plain", value: "v")
        form.addFile(name: "files[0]", filename: "lock \"1\".jpg", contentType: "image/jpeg", data: [0xFF, 0xD8, 0x00, 0xFF, 0xD9])
        #expect(form.contentType == "multipart/form-data; boundary=XyZ")
        let expected = Array((
            "--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"content\":\"open\"}\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"plain\"\r\n\r\nv\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"lock %221%22.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").utf8) + [0xFF, 0xD8, 0x00, 0xFF, 0xD9] + Array("\r\n--XyZ--\r\n".utf8)
        #expect(form.bytes == expected)
    }

    @Test func randomBoundariesDiffer() {
        let first = MultipartBody().boundary
        let second = MultipartBody().boundary
        #expect(first != second)
        #expect(first.count >= 32)
    }

    @Test func goesThroughTheTransport() throws {
        let server = try FakeHTTPServer { _ in .text("ok") }
        defer { server.stop() }
        var form = MultipartBody()
        form.addFile(name: "file", filename: "a.jpg", contentType: "image/jpeg", data: [UInt8](repeating: 0xAB, count: 4000))
        _ = try CurlTransport().send(HTTPRequest(
            method: "POST", url: server.baseURL + "/upload", headers: [HTTPHeader("Content-Type", form.contentType)],
            body: form.bytes))
        let received = try #require(server.requests.first)
        #expect(received.header("Content-Type") == form.contentType)
        #expect(received.body == form.bytes)
    }
}
