#if canImport(Glibc)
import Glibc
#endif

/// Random version-4 UUIDs from /dev/urandom, for message ids.
public enum RandomID {
    public static func uuid() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var filled = 0
        let random = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if random >= 0 {
            while filled < bytes.count {
                let count = bytes.withUnsafeMutableBytes { Glibc.read(random, $0.baseAddress! + filled, $0.count - filled) }
                if count > 0 { filled += count } else if errno != EINTR { break }
            }
            close(random)
        }
        if filled < bytes.count {  // no /dev/urandom (a bare chroot): unique enough for a retry key
            var seed = UInt64(WallTime.nowMillis()) &* 6364136223846793005 &+ UInt64(getpid())
            for index in filled..<bytes.count {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes[index] = UInt8(truncatingIfNeeded: seed >> 33)
            }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte -> String in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
