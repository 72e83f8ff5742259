/// Eight hex digits of FNV-1a over a text: stable across runs and machines, for
/// names that must not reveal what they stand for (a webhook URL, a snapshot URL's
/// query) but must tell two of them apart.
public enum ShortHash {
    public static func of(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
