#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Anything but ASCII letters, digits, `.`, `_` and `-` becomes `_`; never a
    /// leading dot: a text made safe as one file name.
    public static func safeName(_ text: some StringProtocol) -> String {
        let safe = String(text.unicodeScalars.map { scalar -> Character in
            let ok = (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                || scalar == "." || scalar == "_" || scalar == "-"
            return ok ? Character(scalar) : "_"
        })
        return safe.isEmpty || safe.hasPrefix(".") ? "_" + safe : safe
    }

    public static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` made absolute against the current folder, with `.`, `..` and repeated
    /// slashes resolved by name (symbolic links are kept: a file that another
    /// program replaces through a link is still the same camera).
    public static func absolutePath(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : join(currentDirectory() ?? "/", path)
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The running program's own file (`/proc/self/exe`), to find what is installed beside it.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Identifies one version of a file (device, inode, modification time, size),
    /// or nil when it does not exist. Every atomic write makes a new one.
    public static func version(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_size)"
    }

    /// Renames atomically (replacing `to`), then syncs the folder.
    public static func move(_ from: String, to: String) throws(WatcherError) {
        guard Glibc.rename(from, to) == 0 else { throw WatcherError(.io, "cannot rename \(from) to \(to): \(lastError())") }
        syncDirectory(of: to)
    }

    /// Makes a rename or a new file in the folder durable.
    static func syncDirectory(of path: String) {
        let folder = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
