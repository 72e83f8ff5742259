/// Where `--notify mqtt://…` publishes:
/// `mqtt[s]://[user[:password]@]host[:port][/prefix][?option=value&…]`.
///
/// - `mqtts://` is TLS with the broker's certificate and host name verified against
///   the system's CAs, or against `ca=FILE` (or `WATCHER_MQTT_CA_FILE`) for a private CA.
/// - The password may come from `WATCHER_MQTT_PASSWORD` instead, so it stays off the
///   command line; user and password may be percent-encoded (`p%40ss` for `p@ss`).
/// - `prefix` (default `watcher`) begins the watcher's own topics; Home Assistant's
///   discovery goes under `discovery-prefix` (default `homeassistant`).
/// - `expire-after=DURATION` is how long Home Assistant keeps the lock's state
///   without news before it shows it as unavailable (default: three checks; 0 for never).
///
/// Parsing checks everything that can be checked before a check runs; errors are
/// `.usage` and never repeat the URL (it may hold the password).
public struct MQTTEndpoint: Sendable, Equatable {
    public var useTLS: Bool
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var prefix: String
    public var discoveryPrefix: String
    public var caFile: String?
    /// Seconds; nil for the default (three checks).
    public var expireAfter: Int?

    public static let options = ["ca", "expire-after", "discovery-prefix"]

    /// The broker URL in a `--notify` value: `mqtt://…`, `mqtts://…`, or either after `mqtt:`.
    static func url(in text: String) -> String? {
        let lowered = text.lowercased()
        for prefix in ["mqtt://", "mqtts://"] where lowered.hasPrefix(prefix) { return text }
        for prefix in ["mqtt:mqtt://", "mqtt:mqtts://"] where lowered.hasPrefix(prefix) { return String(text.dropFirst(5)) }
        return nil
    }

    /// `host:port` (IPv6 in brackets): how messages name the broker; never the user or password.
    public var address: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    public init(parsing url: String) throws(WatcherError) {
        func problem(_ text: String) -> WatcherError { WatcherError(.usage, "--notify mqtt://…: " + text) }
        guard let separator = url.firstRange(of: "://") else { throw problem("not a URL (use mqtt://host or mqtts://host)") }
        switch url[..<separator.lowerBound].lowercased() {
        case "mqtt": useTLS = false
        case "mqtts": useTLS = true
        default: throw problem("the scheme must be mqtt or mqtts")
        }
        if let bad = url.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            throw problem(bad == " " ? "contains a space (escape it as %20)"
                : "contains a character that must be escaped (U+\(String(bad.value, radix: 16, uppercase: true)))")
        }
        var rest = url[separator.upperBound...]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard !rest.contains("#") else { throw problem("a # cannot appear in an MQTT URL (escape it as %23)") }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).drop { $0 == "/" }

        var hostAndPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostAndPort = authority[authority.index(after: at)...]
            let userPart = userInfo.prefix { $0 != ":" }
            user = try Self.decoded(userPart, "the user name")
            if userPart.count < userInfo.count {
                password = try Self.decoded(userInfo.dropFirst(userPart.count + 1), "the password")
            }
            guard user?.isEmpty == false else { throw problem("the user name before @ is empty") }
        }
        var hostText = hostAndPort
        var portText: Substring?
        if hostText.hasPrefix("[") {
            guard let close = hostText.firstIndex(of: "]") else { throw problem("an IPv6 host needs its closing ]") }
            let after = hostText[hostText.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw problem("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
            hostText = hostText[hostText.index(after: hostText.startIndex)..<close]
            guard !hostText.isEmpty, hostText.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw problem("the IPv6 host is not an address")
            }
        } else {
            if let colon = hostText.lastIndex(of: ":") {
                portText = hostText[hostText.index(after: colon)...]
                hostText = hostText[..<colon]
            }
            guard hostText.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" }) else {
                throw problem("the host may hold only letters, digits, dots and hyphens")
            }
        }
        guard !hostText.isEmpty else { throw problem("no host") }
        host = String(hostText)
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw problem("the port must be a number from 1 to 65535")
            }
            port = number
        } else {
            port = useTLS ? 8883 : 1883
        }

        let prefixText = try Self.decoded(path.hasSuffix("/") ? path.dropLast() : path, "the topic prefix")
        prefix = prefixText.isEmpty ? "watcher" : prefixText
        if let trouble = Self.topicProblem(prefix) { throw problem("the topic prefix '\(prefix)' \(trouble)") }

        discoveryPrefix = "homeassistant"
        for pair in query.split(separator: "&") {
            let name = String(pair.prefix { $0 != "=" })
            let value = try Self.decoded(pair.dropFirst(name.count + 1), name)
            guard !value.isEmpty else { throw problem("option '\(name)' needs a value (\(name)=…)") }
            switch name {
            case "ca":
                guard useTLS else { throw problem("ca= is for TLS: use mqtts://") }
                caFile = value
            case "expire-after":
                do { expireAfter = try DurationParser.seconds(value) } catch { throw problem("expire-after: \(error.message)") }
            case "discovery-prefix":
                if let trouble = Self.topicProblem(value) { throw problem("discovery-prefix '\(value)' \(trouble)") }
                discoveryPrefix = value
            default:
                throw problem("unknown option '\(name)' (known: \(Self.options.joined(separator: ", ")))")
            }
        }
    }

    /// Why `topic` cannot be a prefix of published topics, or nil: no wildcard,
    /// no empty level, not a broker's `$` topic.
    static func topicProblem(_ topic: String) -> String? {
        if topic.contains("+") || topic.contains("#") { return "cannot hold + or # (MQTT wildcards)" }
        if topic.hasPrefix("$") { return "cannot begin with $ (the broker's own topics)" }
        if topic.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) { return "has an empty level (//)" }
        if topic.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "holds a control character" }
        return nil
    }

    /// Percent-decoding (`%40` is `@`); a bad escape or invalid UTF-8 is a usage error naming `what`.
    static func decoded(_ text: Substring, _ what: String) throws(WatcherError) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                      let high = hexValue(utf8[first]), let low = hexValue(utf8[utf8.index(after: first)])
                else { throw WatcherError(.usage, "--notify mqtt://…: \(what) has a bad %-escape (use %XX)") }
                bytes.append(high << 4 | low)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw WatcherError(.usage, "--notify mqtt://…: \(what) is not UTF-8 once decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
