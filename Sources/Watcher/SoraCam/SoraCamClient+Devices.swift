extension SoraCamClient {
    /// The account's cameras: `GET /sora_cam/devices`.
    public func devices() throws(WatcherError) -> [SoraCamDevice] {
        let operation = "listing SoraCam cameras"
        let json = try call("GET", "/sora_cam/devices", operation: operation, deadline: clock.now() + options.callDeadline)
        guard let items = json.arrayValue else { throw WatcherError(.soracam, "\(operation): the answer is not a list") }
        return items.compactMap(SoraCamDevice.init(json:))
    }

    /// What is left of one camera's monthly export budget:
    /// `GET /sora_cam/devices/{device_id}/exports/usage`.
    public func exportUsage(deviceId: String) throws(WatcherError) -> SoraCamExportUsage {
        let operation = "reading the export budget of camera \(deviceId)"
        let json = try call(
            "GET", "/sora_cam/devices/\(percentEncoded(deviceId))/exports/usage", operation: operation,
            deadline: clock.now() + options.callDeadline)
        guard let usage = SoraCamExportUsage(json: json) else {
            throw WatcherError(.soracam, "\(operation): the answer lacks deviceId, image or video figures")
        }
        return usage
    }
}
