/// Class names in output order: `labels.txt` beside the model (Custom Vision's
/// export convention), or a file the user names.
public enum Labels {
    /// Labels are configuration: a missing or unreadable file is a `.usage` error.
    public static func load(modelPath: String, labelsPath: String?) throws(WatcherError) -> [String] {
        if let labelsPath { return try load(path: labelsPath) }
        let path = FileSystem.join(FileSystem.directory(of: modelPath), "labels.txt")
        guard FileSystem.exists(path) else {
            throw WatcherError(.usage, "no labels.txt beside \(modelPath); give --labels FILE (one label per line, in output order)")
        }
        return try load(path: path)
    }

    public static func load(path: String) throws(WatcherError) -> [String] {
        guard FileSystem.exists(path) else { throw WatcherError(.usage, "labels file \(path) does not exist") }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path, limit: 1 << 20) } catch { throw WatcherError(.usage, error.message) }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    static func parse(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingSpaces }
            .filter { !$0.isEmpty }
    }
}
