#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time and this process's peak memory, for `bench`.
enum SystemClock {
    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Peak resident set size of this process so far, in bytes: `VmHWM` from
    /// /proc/self/status. (getrusage's ru_maxrss is not used: after a fork it starts
    /// from the parent's peak, so a bench run from a large Python parent reports
    /// the parent's size.)
    static func peakResidentBytes() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("VmHWM:") else { continue }
            let digits = text.dropFirst(6).filter { $0 >= "0" && $0 <= "9" }
            return (Int(digits) ?? 0) * 1024  // reported in kB
        }
        return 0
    }
}
