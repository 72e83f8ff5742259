import ArgumentParser
import Watcher

/// Every option can also come from the environment (`--remind-every` ↔
/// `WATCHER_REMIND_EVERY`); the command line wins. swift-argument-parser has no
/// such feature, so options are optional and resolved here. A value from the
/// environment that does not parse is a usage error naming the variable.
enum EnvironmentFallback {
    /// The first of the variables that is set (a few options also read soracom-cli's names).
    static func string(_ cli: String?, _ variables: String...) -> String? {
        cli ?? variables.lazy.compactMap { Environment.value($0) }.first
    }

    static func double(_ cli: Double?, _ variable: String, default value: Double) throws -> Double {
        if let cli { return cli }
        guard let text = Environment.value(variable) else { return value }
        guard let parsed = Double(text.trimmingCharacters()) else {
            throw ValidationError("\(variable)='\(text)' is not a number")
        }
        return parsed
    }

    static func int(_ cli: Int?, _ variable: String) throws -> Int? {
        if let cli { return cli }
        guard let text = Environment.value(variable) else { return nil }
        guard let parsed = Int(text.trimmingCharacters()) else { throw ValidationError("\(variable)='\(text)' is not a whole number") }
        return parsed
    }

    static func flag(_ cli: Bool, _ variable: String) throws -> Bool {
        if cli { return true }
        guard let text = Environment.value(variable)?.lowercased() else { return false }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("\(variable)='\(text)' is not true or false")
        }
    }

    /// A duration option (`5m`, `90s`, `1h`), from the command line or the environment.
    static func seconds(_ cli: String?, _ variable: String, default value: String) throws -> Int {
        let text = cli ?? Environment.value(variable) ?? value
        do { return try DurationParser.seconds(text) } catch {
            throw ValidationError(cli == nil && Environment.value(variable) != nil ? "\(variable): \(error.message)" : error.message)
        }
    }

    /// A duration where 0 means never: nil then.
    static func secondsOrNever(_ cli: String?, _ variable: String, default value: String) throws -> Int? {
        let seconds = try seconds(cli, variable, default: value)
        return seconds == 0 ? nil : seconds
    }

    /// Repeatable options, or the variable split on commas and whitespace.
    static func list(_ cli: [String], _ variable: String) -> [String] {
        if !cli.isEmpty { return cli }
        guard let text = Environment.value(variable) else { return [] }
        return text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
