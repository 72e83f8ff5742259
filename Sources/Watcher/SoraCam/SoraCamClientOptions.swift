/// Timing and limits of `SoraCamClient`; the defaults suit a check every few minutes.
public struct SoraCamClientOptions: Sendable {
    /// Asked for at login (the API allows up to 172800, 48 h).
    public var tokenTimeoutSeconds = 86_400
    /// A token this close to its expiry is replaced by a new login.
    public var renewBeforeExpirySeconds: Double = 300
    /// Per HTTP request, further cut to what is left before the call's deadline.
    public var requestTimeout: Double = 20
    public var connectTimeout: Double = 10
    /// Status polls wait this long first, doubling up to `maxPollDelay`.
    public var firstPollDelay: Double = 0.5
    public var maxPollDelay: Double = 4
    /// Tries per call for 429, 5xx and network failures (the export POST: 429 only).
    public var maxAttempts = 3
    /// The first backoff after a failed try, doubling; a 429's `Retry-After` wins.
    public var retryDelay: Double = 1
    /// A 429 asking to wait longer than this fails the call instead.
    public var maxRetryAfter: Double = 60
    /// Deadline of `devices()` and `exportUsage(deviceId:)`.
    public var callDeadline: Double = 60
    /// A still larger than this is refused (SoraCam stills are 1920x1080 JPEGs, a few hundred KB).
    public var maxStillBytes = 8 << 20

    public init() {}
}
