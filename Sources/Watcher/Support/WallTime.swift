#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in unix milliseconds (the SoraCam API's unit), and how the
/// watcher prints it to people.
public enum WallTime {
    public static func nowMillis() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int(time.tv_sec) * 1000 + Int(time.tv_nsec) / 1_000_000
    }

    /// Local time with its UTC offset, as a person reads it: `2026-11-24 18:02:11 +0900`.
    /// Follows `TZ`, like `date`.
    public static func localText(_ millis: Int) -> String {
        format(millis, "%Y-%m-%d %H:%M:%S %z", local: true)
    }

    /// RFC 3339 UTC, for machines: `2026-11-24T09:02:11Z`.
    public static func iso8601(_ millis: Int) -> String {
        format(millis, "%Y-%m-%dT%H:%M:%SZ", local: false)
    }

    /// ISO 8601 local time with its offset, for the start of log lines:
    /// `2026-11-24T18:02:11+09:00`. Follows `TZ`.
    public static func logStamp(_ millis: Int) -> String {
        let text = format(millis, "%Y-%m-%dT%H:%M:%S%z", local: true)
        guard text.count >= 5 else { return text }
        return String(text.dropLast(2)) + ":" + String(text.suffix(2))
    }

    /// The first instant (unix ms) of the month after the one `millis` falls in, in UTC.
    public static func startOfNextMonthUTC(_ millis: Int) -> Int {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        parts.tm_mday = 1
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mon += 1  // timegm normalises month 12 into January of the next year
        return Int(timegm(&parts)) * 1000
    }

    /// A compact stamp for file names: `20261124-180211` (local time).
    public static func fileStamp(_ millis: Int) -> String {
        format(millis, "%Y%m%d-%H%M%S", local: true)
    }

    private static func format(_ millis: Int, _ pattern: String, local: Bool) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        if local { localtime_r(&seconds, &parts) } else { gmtime_r(&seconds, &parts) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `42 s`, `7 min`, `2 h 5 min`, `3 d 4 h`: how long a lock has been open.
    public static func durationText(seconds: Int) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds) s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        return hours % 24 == 0 ? "\(hours / 24) d" : "\(hours / 24) d \(hours % 24) h"
    }
}
