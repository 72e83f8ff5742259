/// Checks on the bytes around the JPEG stream, made before libjpeg sees them.
enum JPEGFraming {
    /// A JPEG starts with the SOI marker FF D8.
    static func checkStart(_ bytes: [UInt8]) throws(ImageError) {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw ImageError(.notJPEG, "not a JPEG: " + describeStart(bytes))
        }
    }

    /// A whole JPEG ends with the EOI marker FF D9, perhaps followed by padding
    /// (00 or FF bytes). libjpeg cannot tell: it stops reading after the crop.
    static func checkEnd(_ bytes: [UInt8]) throws(ImageError) {
        var end = bytes.count
        while end > 2, bytes[end - 1] == 0x00 || bytes[end - 1] == 0xFF { end -= 1 }
        guard end >= 4, bytes[end - 2] == 0xFF, bytes[end - 1] == 0xD9 else {
            throw ImageError(.truncated, "JPEG is truncated: its \(bytes.count) bytes do not end with the EOI marker FF D9")
        }
    }

    /// "no data", or the first bytes in hex, naming the format when it is a common one.
    static func describeStart(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "no data" }
        let hex = bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        let known: [(signature: [UInt8], name: String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "PNG"), ([0x47, 0x49, 0x46, 0x38], "GIF"),
            ([0x52, 0x49, 0x46, 0x46], "RIFF (WebP?)"), ([0x3C], "text (HTML or XML?)"), ([0x7B], "text (JSON?)"),
        ]
        if let match = known.first(where: { bytes.starts(with: $0.signature) }) {
            return "starts with \(hex), which looks like \(match.name)"
        }
        return "starts with \(hex)"
    }
}
