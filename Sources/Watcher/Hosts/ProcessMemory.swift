/// This process's memory as the kernel counts it (`/proc/self/status`): what a
/// function's memory setting must cover.
public enum ProcessMemory {
    /// Resident now and at the peak (VmRSS, VmHWM), in KiB; nil where /proc is missing.
    public static func residentKiB() -> (current: Int, peak: Int)? {
        guard let bytes = try? FileSystem.read("/proc/self/status", limit: 64 << 10) else { return nil }
        var current: Int?, peak: Int?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "VmRSS:" { current = Int(fields[1]) }
            if fields[0] == "VmHWM:" { peak = Int(fields[1]) }
        }
        guard let current, let peak else { return nil }
        return (current, peak)
    }
}
