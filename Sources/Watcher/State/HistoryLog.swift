#if canImport(Glibc)
import Glibc
#endif

/// A camera's checks as JSON lines, newest last. Written so that a crash cannot
/// hide what came before: each check appends one whole line with a single write
/// and syncs it; a line a crash cut short is skipped when reading, and the next
/// append starts on a new line instead of running on from it. Bounded by
/// generations: when the current file reaches `generationLines` lines it is
/// renamed (atomically) over the previous generation, so between one and two
/// generations of checks are kept.
public struct HistoryLog: Sendable {
    public let path: String
    public let generationLines: Int

    /// 25,000 lines a generation: the last 25,000 to 50,000 checks, three to six
    /// months at one check every 5 minutes, 5 to 10 MB.
    public static let defaultGenerationLines = 25_000

    public init(path: String, generationLines: Int = HistoryLog.defaultGenerationLines) {
        self.path = path
        self.generationLines = generationLines
    }

    /// The generation before the current one.
    public var previousPath: String {
        path.hasSuffix(".jsonl") ? String(path.dropLast(6)) + ".1.jsonl" : path + ".1"
    }

    public func append(_ entry: HistoryEntry) throws(WatcherError) {
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw WatcherError(.state, "cannot open the history \(path): \(FileSystem.lastError())") }
        var info = stat()
        fstat(descriptor, &info)
        var line = Array((entry.json.rendered + "\n").utf8)
        if info.st_size > 0, lastByte(descriptor, size: Int(info.st_size)) != UInt8(ascii: "\n") {
            line.insert(UInt8(ascii: "\n"), at: 0)  // a crash cut the last line short: leave it on its own
        }
        var failure: String?
        var written = 0
        while written < line.count {
            let count = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = FileSystem.lastError()
                break
            }
            written += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = FileSystem.lastError() }
        close(descriptor)
        if let failure { throw WatcherError(.state, "cannot append to the history \(path): \(failure)") }
        try rotateIfFull(size: Int(info.st_size) + line.count)
    }

    /// Every complete line of both generations, oldest first; lines that do not
    /// parse (a crash's torn line, damage) are counted, not returned.
    public func read() -> (entries: [HistoryEntry], damagedLines: Int) {
        var entries: [HistoryEntry] = []
        var damaged = 0
        for file in [previousPath, path] where FileSystem.exists(file) {
            guard let bytes = try? FileSystem.read(file, limit: 256 << 20) else {
                damaged += 1
                continue
            }
            let parsed = Self.parse(bytes)
            entries += parsed.entries
            damaged += parsed.damagedLines
        }
        return (entries, damaged)
    }

    /// The complete (newline-terminated) lines of `bytes`; an unterminated tail is
    /// a line being written or cut by a crash, and is neither returned nor counted.
    static func parse(_ bytes: [UInt8]) -> (entries: [HistoryEntry], damagedLines: Int) {
        var entries: [HistoryEntry] = []
        var damaged = 0
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            defer { start = index + 1 }
            guard index > start else { continue }
            if let json = try? JSONValue.parse(Array(bytes[start..<index])), let entry = HistoryEntry(json: json) {
                entries.append(entry)
            } else {
                damaged += 1
            }
        }
        return (entries, damaged)
    }

    private func lastByte(_ descriptor: Int32, size: Int) -> UInt8? {
        var byte: UInt8 = 0
        return pread(descriptor, &byte, 1, off_t(size - 1)) == 1 ? byte : nil
    }

    /// Counting lines reads the file, so it starts only once the file is large
    /// enough to possibly hold a full generation (no line is shorter than 64 bytes).
    private func rotateIfFull(size: Int) throws(WatcherError) {
        guard size >= generationLines * 64, Self.countLines(path) >= generationLines else { return }
        do { try FileSystem.move(path, to: previousPath) } catch { throw WatcherError(.state, error.message) }
    }

    static func countLines(_ path: String) -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var lines = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return lines }
            for byte in chunk[..<count] where byte == UInt8(ascii: "\n") { lines += 1 }
        }
    }
}
