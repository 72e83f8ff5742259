import Foundation
import Watcher

/// A `FakeSoraCamServer`, a virtual clock and a way to make clients against them.
struct SoraCamTestFixture {
    /// Stands in for a JPEG (the SoraCam client never decodes it).
    static let still: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) } + [0xFF, 0xD9]
    static let time = 1_800_000_000_000
    static let device = FakeSoraCamServer.deviceId

    let server: FakeSoraCamServer
    let clock = SoraCamTestClock()

    init() throws {
        server = try FakeSoraCamServer(jpeg: Self.still)
    }

    var authKey: SoraCamCredentials { .authKey(id: server.authKeyId, secret: server.authKey) }

    func client(
        credentials: SoraCamCredentials? = nil, store: (any SoraCamTokenStore)? = nil,
        configure: (inout SoraCamClientOptions) -> Void = { _ in }
    ) throws -> SoraCamClient {
        var options = SoraCamClientOptions()
        configure(&options)
        return try SoraCamClient(
            endpoint: server.endpoint, credentials: credentials ?? authKey, transport: CurlTransport(), clock: clock,
            tokenStore: store, options: options)
    }

    /// One still with a minute's deadline.
    func export(_ client: SoraCamClient, deadline: Double = 60) throws -> [UInt8] {
        try client.exportStill(deviceId: Self.device, time: Self.time, deadline: clock.now() + deadline)
    }
}
