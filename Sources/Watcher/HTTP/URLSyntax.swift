/// Checks an http(s) URL's syntax before anything is sent, so a typo in a
/// notifier's or a camera's URL is a configuration error at start instead of a
/// failed delivery when the door is open. Not a full RFC 3986 parser: the scheme,
/// a host (name, IPv4 or bracketed IPv6), an optional port and userinfo, and no
/// character that must be escaped.
public enum URLSyntax {
    /// Nil when `url` is usable, else what is wrong with it (without the URL, which may be a secret).
    public static func problem(_ url: String) -> String? {
        guard let separator = url.firstRange(of: "://") else { return "not a URL (no scheme://)" }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return "the scheme must be http or https" }
        if let bad = url.unicodeScalars.first(where: { !isAllowed($0) }) {
            return bad == " " ? "contains a space (escape it as %20)" : "contains a character that must be escaped (U+\(String(bad.value, radix: 16, uppercase: true)))"
        }
        let rest = url[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        var host = Substring(hostAndPort)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return "an IPv6 host needs its closing ]" }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "unexpected text after the IPv6 host" }
                port = after.dropFirst()
            }
            host = host[host.startIndex...close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else { return "no host" }
        if !host.hasPrefix("["), !host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
            return "the host may hold only letters, digits, dots and hyphens"
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number) else { return "the port must be a number from 1 to 65535" }
        }
        return nil
    }

    /// Printable ASCII except what RFC 3986 never allows unescaped.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x20 && scalar.value < 0x7F && !"\"<>\\^`{|}".unicodeScalars.contains(scalar)
    }
}
