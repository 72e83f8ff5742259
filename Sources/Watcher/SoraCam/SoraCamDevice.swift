/// One camera from `GET /sora_cam/devices` (OpenAPI `SoraCamDevice`).
public struct SoraCamDevice: Sendable, Equatable {
    public var deviceId: String
    public var name: String
    /// `ATOM Cam 2`, …
    public var productDisplayName: String?
    public var firmwareVersion: String?
    /// Whether the camera is connected to the cloud now.
    public var connected: Bool?
    /// `on` or `sleep`.
    public var powerState: String?
    /// Unix ms of the last connection to the cloud.
    public var lastConnectedTime: Int?
    public var deviceCategory: String?
    public var isShared: Bool?

    public init(
        deviceId: String, name: String, productDisplayName: String? = nil, firmwareVersion: String? = nil,
        connected: Bool? = nil, powerState: String? = nil, lastConnectedTime: Int? = nil,
        deviceCategory: String? = nil, isShared: Bool? = nil
    ) {
        self.deviceId = deviceId
        self.name = name
        self.productDisplayName = productDisplayName
        self.firmwareVersion = firmwareVersion
        self.connected = connected
        self.powerState = powerState
        self.lastConnectedTime = lastConnectedTime
        self.deviceCategory = deviceCategory
        self.isShared = isShared
    }

    /// Nil without a `deviceId`; every other field is optional here, although the
    /// schema requires `name` too (an unnamed camera is still worth listing).
    init?(json: JSONValue) {
        guard let deviceId = json["deviceId"]?.stringValue else { return nil }
        self.init(
            deviceId: deviceId, name: json["name"]?.stringValue ?? "",
            productDisplayName: json["productDisplayName"]?.stringValue,
            firmwareVersion: json["firmwareVersion"]?.stringValue, connected: json["connected"]?.boolValue,
            powerState: json["powerState"]?.stringValue, lastConnectedTime: json["lastConnectedTime"]?.intValue,
            deviceCategory: json["deviceCategory"]?.stringValue, isShared: json["isShared"]?.boolValue)
    }
}
