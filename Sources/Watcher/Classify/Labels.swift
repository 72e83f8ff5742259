/// Class names in output order: `labels.txt` beside the model (Custom Vision's
/// export convention), or a file the user names.
public enum Labels {
    public static func load(modelPath: String, labelsPath: String?) throws(WatcherError) -> [String] {
        let path = labelsPath ?? FileSystem.join(FileSystem.directory(of: modelPath), "labels.txt")
        guard FileSystem.exists(path) else {
            throw WatcherError(.model, labelsPath == nil
                ? "no labels.txt beside \(modelPath); give --labels FILE (one label per line, in output order)"
                : "labels file \(path) does not exist")
        }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path, limit: 1 << 20) } catch { throw WatcherError(.model, error.message) }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    static func parse(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingSpaces }
            .filter { !$0.isEmpty }
    }
}
