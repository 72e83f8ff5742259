/// A camera's history as JSON lines in two objects, `…history.jsonl` and the
/// previous generation `…history.1.jsonl`. Object storage cannot append, so each
/// check reads the current generation, adds its line and writes it back with
/// `If-Match` (`If-None-Match: *` for the first), re-reading on a conflict: two
/// checks at once both get their line. Generations are short (2,000 lines, about
/// 400 KB, a week at one check every 5 minutes), since every append rewrites one.
public struct ObjectHistory: Sendable {
    public let store: ObjectStore
    /// `camera-….history.jsonl`.
    public let name: String
    public let generationLines: Int

    public static let defaultGenerationLines = 2000
    /// Conflicting appends retried before the line is given up (with a warning).
    static let attempts = 8

    public init(store: ObjectStore, name: String, generationLines: Int = ObjectHistory.defaultGenerationLines) {
        self.store = store
        self.name = name
        self.generationLines = generationLines
    }

    public var previousName: String { String(name.dropLast(6)) + ".1.jsonl" }

    public func append(_ entry: HistoryEntry) throws(WatcherError) {
        let line = Array((entry.json.rendered + "\n").utf8)
        for attempt in 1...Self.attempts {
            let current = try store.get(name)
            var bytes = current?.bytes ?? []
            if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            let full = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } >= generationLines
            do {
                if full, let current {
                    // The full generation becomes the previous one; the new line starts the next.
                    _ = try store.put(previousName, current.bytes, contentType: "application/x-ndjson", condition: .always)
                    _ = try store.put(name, line, contentType: "application/x-ndjson", condition: .matches(current.etag))
                } else {
                    _ = try store.put(name, bytes + line, contentType: "application/x-ndjson",
                                      condition: current.map { .matches($0.etag) } ?? .absent)
                }
                return
            } catch where error.isConflict && attempt < Self.attempts {
                ConflictBackoff.pause(attempt: attempt)
            }
        }
    }

    public func read() -> (entries: [HistoryEntry], damagedLines: Int) {
        var entries: [HistoryEntry] = []
        var damaged = 0
        for object in [previousName, name] {
            do {
                guard let stored = try store.get(object) else { continue }
                let parsed = HistoryLog.parse(stored.bytes)
                entries += parsed.entries
                damaged += parsed.damagedLines
            } catch {
                damaged += 1
            }
        }
        return (entries, damaged)
    }
}

/// A short random pause between conflicting writes, so that two checks that
/// collided do not collide again in lockstep.
enum ConflictBackoff {
    static func pause(attempt: Int) {
        let base = 0.05 * Double(1 << min(attempt, 5))
        Interruption.sleep(seconds: base * Double.random(in: 0.5...1.5))
    }
}
