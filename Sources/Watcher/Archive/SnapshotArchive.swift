/// Keeps each check's crop (and optionally the whole still) in a folder per
/// predicted label, `open/`, `close/` or `unsure/`: exactly the layout the training
/// tool reads, so a person can correct mistakes by moving files and retrain.
public struct SnapshotArchive: Sendable {
    public var folder: String
    /// Delete snapshots older than this many days (nil: keep).
    public var keepDays: Int?
    /// Keep at most this many crops per label folder (nil: no limit).
    public var keepCount: Int?
    /// Also keep the full still next to the crop.
    public var keepStills: Bool
    /// A bucket or container instead of `folder` (see SnapshotArchive+Objects.swift).
    public var store: ObjectStore?

    public init(folder: String, keepDays: Int? = nil, keepCount: Int? = nil, keepStills: Bool = false,
                store: ObjectStore? = nil) {
        self.folder = store?.description ?? folder
        self.keepDays = keepDays
        self.keepCount = keepCount
        self.keepStills = keepStills
        self.store = store
    }

    /// Saves the crop (and still) and applies retention to that label's folder.
    /// Returns the crop's path.
    @discardableResult
    public func save(crop: [UInt8], still: [UInt8]?, folderName: String, camera: String, probability: Double,
                     time: Int) throws(WatcherError) -> String {
        if let store {
            return try save(to: store, crop: crop, still: still, folderName: folderName, stem: stem(camera, probability, time),
                            time: time)
        }
        let labelFolder = FileSystem.join(folder, FileSystem.safeName(folderName))
        try FileSystem.createDirectory(labelFolder)
        let stem = stem(camera, probability, time)
        let cropPath = FileSystem.join(labelFolder, stem + ".jpg")
        try FileSystem.writeAtomically(crop, to: cropPath)
        if keepStills, let still {
            try FileSystem.writeAtomically(still, to: FileSystem.join(labelFolder, stem + ".still.jpg"))
        }
        try prune(labelFolder, now: time)
        return cropPath
    }

    /// `20261124-180211-042-Front_door-p97`: the time first, so name order is age order.
    func stem(_ camera: String, _ probability: Double, _ time: Int) -> String {
        let percent = Int((probability * 100).rounded())
        return WallTime.fileStamp(time) + "-" + String(time % 1000 + 1000).dropFirst() + "-"
            + FileSystem.safeName(camera) + "-p\(percent)"
    }

    /// Removes what retention says to remove. Names start with a time stamp, so
    /// name order is age order.
    func prune(_ labelFolder: String, now: Int) throws(WatcherError) {
        let crops = FileSystem.list(labelFolder).filter { $0.hasSuffix(".jpg") && !$0.hasSuffix(".still.jpg") }
        var doomed: [String] = []
        if let keepDays {
            let cutoff = now / 1000 - keepDays * 86_400
            doomed += crops.filter { (FileSystem.modificationTime(FileSystem.join(labelFolder, $0)) ?? Int.max) < cutoff }
        }
        if let keepCount, crops.count > keepCount {
            doomed += crops.prefix(crops.count - keepCount)
        }
        for name in Set(doomed) {
            try FileSystem.remove(FileSystem.join(labelFolder, name))
            try FileSystem.remove(FileSystem.join(labelFolder, String(name.dropLast(4)) + ".still.jpg"))
        }
    }
}
