/// The scheme, host and port of a URL: the only part that is safe to print.
/// Webhook URLs and presigned download URLs carry their secrets in the path, the
/// query or the user-info, so error messages and logs show `https://host` only.
public func redactedURL(_ url: String) -> String {
    guard let separator = url.firstRange(of: "://") else { return "<invalid URL>" }
    let scheme = url[..<separator.lowerBound]
    guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
    else { return "<invalid URL>" }
    let authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    // Drop any `user:password@` in front of the host.
    let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
    return scheme.lowercased() + "://" + hostAndPort
}

/// `text` with every URL in it cut down to `redactedURL`: for third-party text
/// (curl's error buffer, a server's error body) that might quote a URL.
public func redactingURLs(in text: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let separator = rest.firstRange(of: "://") {
        // Walk back over the scheme, forward to the end of the URL.
        var start = separator.lowerBound
        while start > rest.startIndex {
            let previous = rest.index(before: start)
            guard rest[previous].isLetter || rest[previous].isNumber || "+-.".contains(rest[previous]) else { break }
            start = previous
        }
        var end = rest[separator.upperBound...].firstIndex { $0.isWhitespace || "\"'<>".contains($0) } ?? rest.endIndex
        // Punctuation closing the sentence is not part of the URL.
        while end > separator.upperBound, ".,:;)]".contains(rest[rest.index(before: end)]) { end = rest.index(before: end) }
        result += rest[..<start]
        result += redactedURL(String(rest[start..<end]))
        rest = rest[end...]
    }
    return result + rest
}
