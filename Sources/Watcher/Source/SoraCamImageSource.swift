/// A SoraCam camera: each check exports the still for "now" and downloads it.
public struct SoraCamImageSource: ImageSource {
    public let client: SoraCamClient
    public let deviceID: String
    /// Seconds allowed for export, polling and download together.
    public let timeoutSeconds: Double

    public init(client: SoraCamClient, deviceID: String, timeoutSeconds: Double) {
        self.client = client
        self.deviceID = deviceID
        self.timeoutSeconds = timeoutSeconds
    }

    public var cameraID: String { deviceID }
    public var cameraKey: CameraKey { .soraCam(deviceID: deviceID) }

    /// A token that could not be cached means the next run logs in again: worth saying.
    public func warnings() -> [String] {
        client.tokenStoreWarning.map { ["SORACOM token not cached (\($0.message)); the next run logs in again"] } ?? []
    }

    public func fetchStill(now: Int) throws(WatcherError) -> [UInt8] {
        try client.exportStill(deviceId: deviceID, time: now, deadline: Double(now) / 1000 + timeoutSeconds)
    }
}
