/// The state of one still export (OpenAPI `SoraCamImageExportInfo`), as answered
/// by the export POST and by every status poll.
public struct SoraCamImageExport: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case initializing, processing, retrying
        /// `url` and `expiryTime` are set.
        case completed
        case failed
        /// The camera's monthly export budget is spent.
        case limitExceeded
        /// The download URL expired.
        case expired
        /// A status this client does not know; polled like `processing`.
        case other(String)

        init(_ text: String) {
            switch text {
            case "initializing": self = .initializing
            case "processing": self = .processing
            case "retrying": self = .retrying
            case "completed": self = .completed
            case "failed": self = .failed
            case "limitExceeded": self = .limitExceeded
            case "expired": self = .expired
            default: self = .other(text)
            }
        }

        public var text: String {
            switch self {
            case .initializing: return "initializing"
            case .processing: return "processing"
            case .retrying: return "retrying"
            case .completed: return "completed"
            case .failed: return "failed"
            case .limitExceeded: return "limitExceeded"
            case .expired: return "expired"
            case .other(let text): return text
            }
        }
    }

    public var exportId: String
    public var deviceId: String
    public var status: Status
    /// The presigned JPEG URL; a secret until it expires, so never printed whole.
    public var url: String?
    /// Unix ms when `url` stops working (10 minutes after completion).
    public var expiryTime: Int?
    /// Unix ms when SORACOM accepted the export request.
    public var requestedTime: Int?

    public init(exportId: String, deviceId: String, status: Status, url: String? = nil, expiryTime: Int? = nil,
                requestedTime: Int? = nil) {
        self.exportId = exportId
        self.deviceId = deviceId
        self.status = status
        self.url = url
        self.expiryTime = expiryTime
        self.requestedTime = requestedTime
    }

    init?(json: JSONValue) {
        guard let exportId = json["exportId"]?.stringValue, let status = json["status"]?.stringValue else { return nil }
        self.init(
            exportId: exportId, deviceId: json["deviceId"]?.stringValue ?? "", status: Status(status),
            url: json["url"]?.stringValue, expiryTime: json["expiryTime"]?.intValue,
            requestedTime: json["requestedTime"]?.intValue)
    }
}
