/// Parses the durations people type in options: `90`, `30s`, `5m`, `1h30m`, `2d`.
/// A bare number is seconds.
public enum DurationParser {
    public static func seconds(_ text: String) throws(WatcherError) -> Int {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw WatcherError(.usage, "empty duration") }
        if let plain = Int(trimmed) {
            guard plain >= 0 else { throw WatcherError(.usage, "duration '\(text)' is negative") }
            return plain
        }
        var total = 0
        var digits = ""
        for character in trimmed {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: throw WatcherError(.usage, "duration '\(text)': unknown unit '\(character)' (use s, m, h or d, e.g. 5m)")
            }
            guard let value = Int(digits), value <= 10_000_000 else {
                throw WatcherError(.usage, "duration '\(text)' is not like 30s, 5m, 1h30m or 2d")
            }
            total += value * unit
            digits = ""
        }
        guard digits.isEmpty else { throw WatcherError(.usage, "duration '\(text)' needs a unit after \(digits) (s, m, h or d)") }
        return total
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
