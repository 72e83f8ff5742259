/// Why a check could not see the lock, in the words a person acts on: the
/// `unreachable` message names it, `watcher status` and the history show it.
/// The code that fails sets it where it knows (`WatcherError.cause`); otherwise
/// it follows from the error's kind.
public enum FailureCause: String, Sendable, Equatable, CaseIterable {
    case cameraOffline = "camera-offline"
    case keyRejected = "key-rejected"
    case budgetExhausted = "budget-exhausted"
    case cameraUnknown = "camera-unknown"
    case serviceFailing = "service-failing"
    case networkDown = "network-down"
    case timedOut = "timed-out"
    case unusableStill = "unusable-still"
    case cropOutsideStill = "crop-outside-still"
    case modelCannotLoad = "model-cannot-load"
    case other

    public init(_ error: WatcherError) {
        if let cause = error.cause {
            self = cause
            return
        }
        switch error.kind {
        case .network: self = .networkDown
        case .timeout: self = .timedOut
        case .http: self = .serviceFailing
        case .image: self = .unusableStill
        case .model: self = .modelCannotLoad
        case .usage, .soracam, .state, .notify, .io, .interrupted, .locked: self = .other
        }
    }

    /// A few words: `camera offline`.
    public var headline: String {
        switch self {
        case .cameraOffline: return "camera offline"
        case .keyRejected: return "key rejected"
        case .budgetExhausted: return "export budget exhausted"
        case .cameraUnknown: return "camera not found"
        case .serviceFailing: return "camera service failing"
        case .networkDown: return "network down"
        case .timedOut: return "no answer in time"
        case .unusableStill: return "unusable still"
        case .cropOutsideStill: return "crop outside the still"
        case .modelCannotLoad: return "model cannot load"
        case .other: return "check failed"
        }
    }

    /// What to do about it.
    public var advice: String {
        switch self {
        case .cameraOffline:
            return "Check that the camera is powered and online (SoraCam app, or its own page)."
        case .keyRejected:
            return "Check the credentials (SORACOM_AUTH_KEY_ID and SORACOM_AUTH_KEY, or the snapshot URL's user and "
                + "password), and that the key and its user are still enabled and allowed to use the camera."
        case .budgetExhausted:
            return "The camera's monthly export budget is spent: checks resume when it resets next month "
                + "(see `watcher usage`); check less often to make it last."
        case .cameraUnknown:
            return "Check --device-id against `watcher devices`."
        case .serviceFailing:
            return "The camera's service keeps answering with errors; if it lasts, check SORACOM's status page."
        case .networkDown:
            return "This machine cannot reach the camera's service: check its network connection and DNS."
        case .timedOut:
            return "The camera or the network is too slow: check the camera's connection, or raise --timeout."
        case .unusableStill:
            return "The camera sent something that is not a usable JPEG; look at one with `watcher still`."
        case .cropOutsideStill:
            return "The still is smaller than --crop expects: did the camera's resolution change? Save one with "
                + "`watcher still` and find the crop again."
        case .modelCannotLoad:
            return "Check the --model file: was it replaced, moved or damaged?"
        case .other:
            return "See the error, and `watcher history` for the checks before."
        }
    }
}
