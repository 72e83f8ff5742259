/// The monthly export budget of one camera, from
/// `GET /sora_cam/devices/{device_id}/exports/usage` (OpenAPI `SoraCamExportUsage`).
/// Stills and video share one budget (72 h of video a month by default); the API
/// states it both ways: as frames (one still = one frame) and as seconds.
public struct SoraCamExportUsage: Sendable, Equatable {
    /// One way of counting the budget: in frames (`image`) or in seconds (`video`).
    public struct Budget: Sendable, Equatable {
        public var limit: Int
        public var used: Int
        public var remaining: Int
        /// Units beyond the free allowance (0: no charge so far).
        public var billed: Int
        public init(limit: Int, used: Int, remaining: Int, billed: Int) {
            self.limit = limit
            self.used = used
            self.remaining = remaining
            self.billed = billed
        }

        /// `{"limitFrames", "usedFrames", "remainingFrames", "billedFrames"}` for unit `Frames`, likewise `Seconds`.
        init?(json: JSONValue, unit: String) {
            guard let limit = json["limit" + unit]?.intValue, let used = json["used" + unit]?.intValue,
                let remaining = json["remaining" + unit]?.intValue
            else { return nil }
            self.init(limit: limit, used: used, remaining: remaining, billed: json["billed" + unit]?.intValue ?? 0)
        }
    }

    public typealias Frames = Budget
    public typealias Seconds = Budget

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
        guard let deviceId = json["deviceId"]?.stringValue, let image = json["image"].flatMap({ Budget(json: $0, unit: "Frames") }),
            let video = json["video"].flatMap({ Budget(json: $0, unit: "Seconds") })
        else { return nil }
        self.init(deviceId: deviceId, meteredYearMonth: json["meteredYearMonth"]?.stringValue ?? "", image: image, video: video)
    }
}
