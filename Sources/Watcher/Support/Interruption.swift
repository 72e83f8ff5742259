import CInterruptShim

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as a request to stop: once `install()` has run, the first
/// signal sets a flag that every long wait polls (an HTTP transfer through
/// libcurl's progress callback, the SoraCam client's pauses, the wait for a
/// camera's lock), so a check in flight ends within a second with an
/// `.interrupted` error. A second signal ends the process at once (status 130 for
/// SIGINT, 143 for SIGTERM).
public enum Interruption {
    public static func install() { interrupt_install() }

    /// The signal that asked to stop, or nil.
    public static var signal: Int32? {
        let number = interrupt_signal()
        return number == 0 ? nil : number
    }

    public static var isRequested: Bool { interrupt_signal() != 0 }

    /// Throws `.interrupted` once a stop was requested.
    public static func check(_ what: String) throws(WatcherError) {
        if let signal { throw error(what, signal: signal) }
    }

    static func error(_ what: String, signal: Int32) -> WatcherError {
        WatcherError(.interrupted, "\(what): interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)")")
    }

    /// Sleeps up to `seconds`, in short slices, and returns early once a stop is requested.
    public static func sleep(seconds: Double) {
        var left = seconds
        while left > 0, !isRequested {
            let slice = min(left, 0.1)
            var request = timespec(tv_sec: 0, tv_nsec: Int(slice * 1e9))
            _ = nanosleep(&request, nil)
            left -= slice
        }
    }
}
