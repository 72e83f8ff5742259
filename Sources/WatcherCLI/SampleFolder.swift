import Watcher

/// Where `watcher demo` finds its sample stills: the current folder's `Samples/`
/// (a clone of the repository), the repository the binary was built in (the
/// binary is `<repository>/.build/…/watcher`), or the share folder installed beside
/// the binary (`<prefix>/bin/watcher` → `<prefix>/share/watcher/Samples`).
enum SampleFolder {
    /// The first candidate that holds JPEG stills, and every place looked in.
    static func find() -> (found: String?, looked: [String]) {
        var candidates = ["Samples"]
        if let executable = FileSystem.executablePath() {
            var folder = FileSystem.directory(of: executable)
            let binFolder = folder
            for _ in 0..<4 {
                folder = FileSystem.directory(of: folder)
                if FileSystem.exists(FileSystem.join(folder, "Package.swift")) {
                    candidates.append(FileSystem.join(folder, "Samples"))
                    break
                }
                if folder == "/" { break }
            }
            candidates.append(FileSystem.absolutePath(FileSystem.join(binFolder, "../share/watcher/Samples")))
        }
        return (candidates.first { !stills(in: $0).isEmpty }, candidates)
    }

    /// The JPEG files in a folder, in name order.
    static func stills(in folder: String) -> [String] {
        FileSystem.list(folder).filter { $0.lowercased().hasSuffix(".jpg") || $0.lowercased().hasSuffix(".jpeg") }
    }
}
