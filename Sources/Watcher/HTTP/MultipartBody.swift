/// A `multipart/form-data` body (RFC 7578): text fields and file parts, e.g. a
/// Discord webhook's `payload_json` plus the JPEG as `files[0]`.
///
///     var form = MultipartBody()
///     form.addField(name: "payload_json", value: json, contentType: "application/json")
///     form.addFile(name: "files[0]", filename: "lock.jpg", contentType: "image/jpeg", data: jpeg)
///     // send form.bytes with header Content-Type: form.contentType
public struct MultipartBody: Sendable {
    /// Separates the parts; random, so it cannot plausibly occur inside a JPEG.
    public let boundary: String
    private var parts: [UInt8] = []

    /// - Parameter boundary: a fixed boundary (tests); by default 32 random hex digits.
    public init(boundary: String? = nil) {
        if let boundary {
            self.boundary = boundary
        } else {
            var generator = SystemRandomNumberGenerator()
            let digits = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }
            self.boundary = "watcher-" + digits.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
        }
    }

    /// The request's `Content-Type` header value.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func addField(name: String, value: String, contentType: String? = nil) {
        addPart(disposition: "form-data; name=\"\(Self.quoted(name))\"", contentType: contentType, data: Array(value.utf8))
    }

    public mutating func addFile(name: String, filename: String, contentType: String, data: [UInt8]) {
        addPart(
            disposition: "form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(filename))\"",
            contentType: contentType, data: data)
    }

    /// The encoded body: every part, then the closing boundary.
    public var bytes: [UInt8] { parts + Array("--\(boundary)--\r\n".utf8) }

    private mutating func addPart(disposition: String, contentType: String?, data: [UInt8]) {
        var head = "--\(boundary)\r\nContent-Disposition: \(disposition)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        parts += Array(head.utf8)
        parts += data
        parts += Array("\r\n".utf8)
    }

    /// Escapes a name for a quoted header parameter the way browsers do
    /// (HTML's form encoding): `"` and line breaks become percent escapes.
    private static func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "%22"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
