#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and atomic writes (temp file in the same folder, then rename),
/// so a failed or interrupted run never leaves a half-written output.
enum FileIO {
    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw CommandFailure("cannot open \(path): \(systemError())") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                guard ferror(file) == 0 else { throw CommandFailure("cannot read \(path): \(systemError())") }
                return bytes
            }
        }
    }

    /// Raw little-endian float32 values, read straight into the array (no byte copy:
    /// the input sits beside the model's arena at peak memory).
    static func readFloats(_ path: String) throws -> [Float] {
        guard let file = fopen(path, "rb") else { throw CommandFailure("cannot open \(path): \(systemError())") }
        defer { fclose(file) }
        guard fseek(file, 0, SEEK_END) == 0 else { throw CommandFailure("cannot read \(path): \(systemError())") }
        let size = ftell(file)
        guard size >= 0, fseek(file, 0, SEEK_SET) == 0 else { throw CommandFailure("cannot read \(path): \(systemError())") }
        guard size % 4 == 0 else {
            throw CommandFailure("\(path) has \(size) bytes, not a whole number of float32 values")
        }
        var values = [Float](repeating: 0, count: size / 4)
        let read = values.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        guard read == size else { throw CommandFailure("cannot read \(path): short read") }
        return values  // little-endian on every target TinyGraph runs on
    }

    static func writeFloats(_ values: [Float], to path: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        try writeAtomically(bytes, to: path)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard let file = fopen(temporary, "wb") else { throw CommandFailure("cannot create \(temporary): \(systemError())") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        let closed = fclose(file) == 0
        guard written == bytes.count, flushed, closed else {
            let reason = systemError()
            unlink(temporary)
            throw CommandFailure("cannot write \(path): \(reason)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = systemError()
            unlink(temporary)
            throw CommandFailure("cannot write \(path): \(reason)")
        }
    }

    /// Lines of a text file such as labels.txt, or nil if it does not exist.
    static func readLines(_ path: String) -> [String]? {
        guard access(path, R_OK) == 0, let bytes = try? read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }.filter { !$0.isEmpty }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
