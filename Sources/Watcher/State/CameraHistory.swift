/// A camera's history wherever its state lives: JSON lines in a local file, or
/// in objects next to the state in a bucket or container.
public enum CameraHistory: Sendable {
    case file(HistoryLog)
    case objects(ObjectHistory)

    public func append(_ entry: HistoryEntry) throws(WatcherError) {
        switch self {
        case .file(let log): try log.append(entry)
        case .objects(let history): try history.append(entry)
        }
    }

    /// Every complete line of both generations, oldest first, and how many were damaged.
    public func read() -> (entries: [HistoryEntry], damagedLines: Int) {
        switch self {
        case .file(let log): return log.read()
        case .objects(let history): return history.read()
        }
    }
}
