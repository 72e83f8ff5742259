import Foundation
import Testing
import Watcher

@Suite("SoraCam token store")
struct SoraCamTokenStoreTests {
    private func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "soracam-tokens-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aStoredTokenServesTheNextRun() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/token.json"

        let loginTime = fixture.clock.now()
        _ = try fixture.export(try fixture.client(store: FileTokenStore(path: path)))
        // A new process: a new client with the same store.
        _ = try fixture.export(try fixture.client(store: FileTokenStore(path: path)))
        #expect(fixture.server.count(.auth) == 1)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["token.json"])
        let stored = try #require(FileTokenStore(path: path).load())
        #expect(stored.endpoint == fixture.server.endpoint)
        #expect(stored.identity == "authKeyId \(fixture.server.authKeyId)")
        #expect(stored.expiresAt == loginTime + 86_400)
        #expect(fixture.server.requests(.exportStart).last?.header("X-Soracom-API-Key") == stored.apiKey)
        // The file never holds the auth key's secret.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(fixture.server.authKey))
    }

    @Test func aTokenOfOtherCredentialsIsNotUsed() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = FileTokenStore(path: folder + "/token.json")
        _ = try fixture.client(store: store).devices()
        let sam = fixture.server.samUser
        _ = try fixture.client(credentials: .samUser(operatorId: sam.operatorId, userName: sam.userName, password: sam.password),
                               store: store).devices()
        #expect(fixture.server.count(.auth) == 2)
        #expect(store.load()?.identity == "SAM user \(sam.operatorId)/\(sam.userName)")
    }

    @Test func aRevokedStoredTokenIsReplaced() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = FileTokenStore(path: folder + "/token.json")
        _ = try fixture.client(store: store).devices()
        let first = try #require(store.load())
        fixture.server.revokeTokens()
        #expect(try fixture.client(store: store).devices().count == 2)
        #expect(fixture.server.count(.auth) == 2)
        #expect(store.load()?.apiKey != first.apiKey)
    }

    @Test func anExpiredStoredTokenIsReplaced() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = FileTokenStore(path: folder + "/token.json")
        _ = try fixture.client(store: store).devices()
        fixture.clock.advance(86_400)
        _ = try fixture.client(store: store).devices()
        #expect(fixture.server.count(.auth) == 2)
    }

    @Test func anUnwritableStoreIsAWarningNotAFailure() throws {
        let fixture = try SoraCamTestFixture()
        defer { fixture.server.stop() }
        let client = try fixture.client(store: FileTokenStore(path: "/nonexistent-folder-\(UUID().uuidString)/token.json"))
        #expect(try client.devices().count == 2)
        #expect(client.tokenStoreWarning?.kind == .state)
    }

    @Test func aDamagedFileReadsAsNoToken() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/token.json"
        try Data("{\"apiKey\":".utf8).write(to: URL(fileURLWithPath: path))
        #expect(FileTokenStore(path: path).load() == nil)
        #expect(FileTokenStore(path: folder + "/missing.json").load() == nil)
    }
}
