/// The monthly export budget of one camera, from
/// `GET /sora_cam/devices/{device_id}/exports/usage` (OpenAPI `SoraCamExportUsage`).
/// Stills and video share one budget (72 h of video a month by default); the API
/// states it both ways: as frames (one still = one frame) and as seconds.
public struct SoraCamExportUsage: Sendable, Equatable {
    public struct Frames: Sendable, Equatable {
        public var limit: Int
        public var used: Int
        public var remaining: Int
        /// Frames beyond the free allowance (0: no charge so far).
        public var billed: Int
        public init(limit: Int, used: Int, remaining: Int, billed: Int) {
            self.limit = limit
            self.used = used
            self.remaining = remaining
            self.billed = billed
        }
    }

    public struct Seconds: Sendable, Equatable {
        public var limit: Int
        public var used: Int
        public var remaining: Int
        public var billed: Int
        public init(limit: Int, used: Int, remaining: Int, billed: Int) {
            self.limit = limit
            self.used = used
            self.remaining = remaining
            self.billed = billed
        }
    }

    public var deviceId: String
    /// `YYYYMM` of the month the figures are for.
    public var meteredYearMonth: String
    /// The budget counted in stills.
    public var image: Frames
    /// The same budget counted in seconds of video.
    public var video: Seconds

    public init(deviceId: String, meteredYearMonth: String, image: Frames, video: Seconds) {
        self.deviceId = deviceId
        self.meteredYearMonth = meteredYearMonth
        self.image = image
        self.video = video
    }

    init?(json: JSONValue) {
        guard let deviceId = json["deviceId"]?.stringValue, let image = json["image"], let video = json["video"],
            let limitFrames = image["limitFrames"]?.intValue, let usedFrames = image["usedFrames"]?.intValue,
            let remainingFrames = image["remainingFrames"]?.intValue,
            let limitSeconds = video["limitSeconds"]?.intValue, let usedSeconds = video["usedSeconds"]?.intValue,
            let remainingSeconds = video["remainingSeconds"]?.intValue
        else { return nil }
        self.init(
            deviceId: deviceId, meteredYearMonth: json["meteredYearMonth"]?.stringValue ?? "",
            image: Frames(limit: limitFrames, used: usedFrames, remaining: remainingFrames,
                          billed: image["billedFrames"]?.intValue ?? 0),
            video: Seconds(limit: limitSeconds, used: usedSeconds, remaining: remainingSeconds,
                           billed: video["billedSeconds"]?.intValue ?? 0))
    }
}
