#if canImport(Glibc)
import Glibc
#endif

/// The time source and the pause the SoraCam client uses for token expiry,
/// deadlines, polling and retry backoff; tests pass a virtual one so a minute of
/// polling takes no real time.
public protocol SoraCamClock {
    /// Unix time in seconds.
    func now() -> Double
    func sleep(seconds: Double)
}

/// The real clock: CLOCK_REALTIME and nanosleep.
public struct SystemSoraCamClock: SoraCamClock, Sendable {
    public init() {}

    public func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Returns early when SIGINT or SIGTERM asked the process to stop: the
    /// request that follows then fails at once with `.interrupted`.
    public func sleep(seconds: Double) {
        Interruption.sleep(seconds: seconds)
    }
}
