import Foundation
import Testing
import Watcher

@Suite("SoraCamClient")
struct SoraCamClientTests {
    @Test func exportsPollsAndDownloadsAStill() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let jpeg = try fixture.export(try fixture.client())
        #expect(jpeg == SoraCamTestFixture.still)

        let server = fixture.server
        #expect(server.count(.auth) == 1)
        #expect(server.count(.exportStart) == 1)
        #expect(server.count(.exportStatus) == 3)
        #expect(server.count(.download) == 1)
        #expect(server.requests.count == 6)
        // Backoff between polls: 0.5 s doubling.
        #expect(fixture.clock.sleeps == [0.5, 1, 2])

        let auth = try #require(server.requests(.auth).first?.json)
        #expect(auth["authKeyId"]?.stringValue == server.authKeyId)
        #expect(auth["authKey"]?.stringValue == server.authKey)
        #expect(auth["tokenTimeoutSeconds"]?.intValue == 86_400)

        let post = try #require(server.requests(.exportStart).first)
        #expect(post.path == "/v1/sora_cam/devices/\(SoraCamTestFixture.device)/images/exports")
        #expect(post.json == ["time": .number(Double(SoraCamTestFixture.time))])
        #expect(post.header("Content-Type") == "application/json")

        // The API calls carry the key and token; the download carries neither.
        let apiKey = try #require(post.header("X-Soracom-API-Key"))
        for request in server.requests(.exportStart) + server.requests(.exportStatus) {
            #expect(request.header("X-Soracom-API-Key") == apiKey)
            #expect(request.header("X-Soracom-Token")?.hasPrefix("token-") == true)
        }
        let download = try #require(server.requests(.download).first)
        #expect(download.headers.allSatisfy { !$0.name.lowercased().hasPrefix("x-soracom") })
        #expect(download.query?.contains("X-Amz-Signature=") == true)
    }

    /// The fake follows the API: `time` is Unix milliseconds, so a time in seconds
    /// (January 1970 as milliseconds) is refused with 400, and a client that sent
    /// seconds would fail every test that exports.
    @Test func anExportTimeInSecondsIsRefused() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client()
        #expect(throws: WatcherError.self) {
            _ = try client.exportStill(deviceId: SoraCamTestFixture.device, time: SoraCamTestFixture.time / 1000,
                                       deadline: fixture.clock.now() + 60)
        }
        #expect(fixture.server.count(.exportStart) == 1)
        #expect(fixture.server.count(.exportStatus) == 0)
    }

    @Test func reusesTheTokenForTheNextExport() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client()
        _ = try fixture.export(client)
        fixture.clock.advance(300)
        _ = try fixture.export(client)
        #expect(fixture.server.count(.auth) == 1)
        #expect(fixture.server.count(.exportStart) == 2)
    }

    @Test func logsInAgainFiveMinutesBeforeExpiry() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client { $0.tokenTimeoutSeconds = 3600 }
        _ = try fixture.export(client)
        #expect(fixture.server.requests(.auth).first?.json?["tokenTimeoutSeconds"]?.intValue == 3600)
        fixture.clock.advance(3600 - 400)
        _ = try fixture.export(client)
        #expect(fixture.server.count(.auth) == 1)
        fixture.clock.advance(200)  // now within 5 minutes of expiry
        _ = try fixture.export(client)
        #expect(fixture.server.count(.auth) == 2)
        let keys = Set(fixture.server.requests(.exportStart).compactMap { $0.header("X-Soracom-API-Key") })
        #expect(keys.count == 2)
    }

    @Test func a401OnAnOlderTokenLogsInOnceAndRepeats() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client()
        _ = try fixture.export(client)
        fixture.server.revokeTokens()
        let jpeg = try fixture.export(client)
        #expect(jpeg == SoraCamTestFixture.still)
        #expect(fixture.server.count(.auth) == 2)
        // The refused POST, then its repeat with the new token.
        #expect(fixture.server.count(.exportStart) == 3)
    }

    @Test func a401RightAfterLoggingInIsFinal() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        fixture.server.inject(.unauthorized, into: .devices, times: 5)
        let error = #expect(throws: WatcherError.self) { try fixture.client().devices() }
        #expect(error?.kind == .soracam)
        #expect(error?.status == 401)
        #expect(error?.message.contains("UNAUTHORIZED: Invalid API key or token") == true)
        #expect(fixture.server.count(.auth) == 1)
        #expect(fixture.server.count(.devices) == 1)
    }

    @Test func aRejectedAuthKeyIsFinalAndNotEchoed() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client(credentials: .authKey(id: "keyId-WRONGID", secret: "secret-WRONGSECRET"))
        let error = #expect(throws: WatcherError.self) { try fixture.export(client) }
        #expect(error?.kind == .soracam)
        #expect(error?.status == 401)
        #expect(error?.message.contains("rejected the auth key") == true)
        #expect(error?.message.contains("WRONG") == false)
        #expect(fixture.server.count(.auth) == 1)
        #expect(fixture.server.count(.exportStart) == 0)
    }

    @Test func logsInAsASAMUser() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let sam = fixture.server.samUser
        let client = try fixture.client(credentials: .samUser(operatorId: sam.operatorId, userName: sam.userName, password: sam.password))
        #expect(try client.devices().count == 2)
        let auth = try #require(fixture.server.requests(.auth).first?.json)
        #expect(auth["operatorId"]?.stringValue == sam.operatorId)
        #expect(auth["userName"]?.stringValue == sam.userName)
        #expect(auth["password"]?.stringValue == sam.password)
        #expect(auth["authKey"] == nil)
    }

    @Test func listsDevices() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let devices = try fixture.client().devices()
        #expect(devices == [
            SoraCamDevice(
                deviceId: FakeSoraCamServer.deviceId, name: "Front door", productDisplayName: "ATOM Cam 2",
                firmwareVersion: "4.58.0.97", connected: true, powerState: "on", lastConnectedTime: 1_664_512_183_393,
                deviceCategory: "Camera", isShared: false),
            SoraCamDevice(
                deviceId: FakeSoraCamServer.otherDeviceId, name: "Garage", productDisplayName: "ATOM Cam Swing",
                firmwareVersion: "4.37.1.55", connected: false, powerState: "sleep", lastConnectedTime: nil,
                deviceCategory: "Camera", isShared: true),
        ])
        #expect(fixture.server.requests(.devices).first?.path == "/v1/sora_cam/devices")
    }

    @Test func readsTheExportBudget() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client()
        _ = try fixture.export(client)
        let usage = try client.exportUsage(deviceId: SoraCamTestFixture.device)
        #expect(usage.deviceId == SoraCamTestFixture.device)
        #expect(usage.meteredYearMonth == "202611")
        // The fake starts at 69 used frames; the export spent one.
        #expect(usage.image == SoraCamExportUsage.Frames(limit: 259_200, used: 70, remaining: 259_130, billed: 0))
        #expect(usage.video == SoraCamExportUsage.Seconds(limit: 259_200, used: 70, remaining: 259_130, billed: 0))
        #expect(fixture.server.requests(.usage).first?.path == "/v1/sora_cam/devices/\(SoraCamTestFixture.device)/exports/usage")
    }

    @Test func anUnknownCameraShowsTheAPIsCodeAndMessage() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client()
        let error = #expect(throws: WatcherError.self) {
            try client.exportStill(deviceId: "NOSUCHCAM", time: SoraCamTestFixture.time, deadline: fixture.clock.now() + 60)
        }
        #expect(error?.kind == .soracam)
        #expect(error?.status == 404)
        #expect(error?.message.contains("NOSUCHCAM") == true)
        #expect(error?.message.contains("DEVICE_NOT_FOUND: The specified SoraCam device could not be found") == true)
        #expect(fixture.server.count(.exportStart) == 1)
    }

    @Test func endpointsAreSchemeAndHost() throws {
        let transport = try CurlTransport()
        func endpoint(_ text: String) throws -> String {
            try SoraCamClient(endpoint: text, credentials: .authKey(id: "k", secret: "s"), transport: transport).endpoint
        }
        #expect(try endpoint("https://g.api.soracom.io/v1/") == "https://g.api.soracom.io")
        #expect(try endpoint("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        for bad in ["https://api.soracom.io/v1/auth", "ftp://api.soracom.io", "api.soracom.io", "https://", "https://x?k=1"] {
            #expect(throws: WatcherError.self, "\(bad)") { try endpoint(bad) }
        }
        #expect(SoraCamClient.endpoint(coverage: "jp") == "https://api.soracom.io")
        #expect(SoraCamClient.endpoint(coverage: "g") == "https://g.api.soracom.io")
        #expect(SoraCamClient.endpoint(coverage: "mars") == nil)
    }
}
