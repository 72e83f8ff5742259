/// The archive in a bucket or container: `<prefix><label>/<stem>.jpg`, the same
/// layout as the folder (download it with `aws s3 sync` or `az storage blob
/// download-batch` and train from it). Retention lists the label's objects: by
/// count in name order, by age from the service's Last-Modified.
extension SnapshotArchive {
    func save(to store: ObjectStore, crop: [UInt8], still: [UInt8]?, folderName: String, stem: String,
              time: Int) throws(WatcherError) -> String {
        let label = FileSystem.safeName(folderName) + "/"
        _ = try store.put(label + stem + ".jpg", crop, contentType: "image/jpeg", condition: .always)
        if keepStills, let still {
            _ = try store.put(label + stem + ".still.jpg", still, contentType: "image/jpeg", condition: .always)
        }
        if keepDays != nil || keepCount != nil { try prune(store, label: label, now: time) }
        return store.description + label + stem + ".jpg"
    }

    func prune(_ store: ObjectStore, label: String, now: Int) throws(WatcherError) {
        let crops = try store.list(prefix: label).filter { $0.name.hasSuffix(".jpg") && !$0.name.hasSuffix(".still.jpg") }
        var doomed: Set<String> = []
        if let keepDays {
            let cutoff = now - keepDays * 86_400_000
            for crop in crops where (crop.lastModified ?? Int.max) < cutoff { doomed.insert(crop.name) }
        }
        if let keepCount, crops.count > keepCount {
            for crop in crops.prefix(crops.count - keepCount) { doomed.insert(crop.name) }
        }
        for name in doomed.sorted() {
            try store.delete(name)
            if keepStills { try store.delete(String(name.dropLast(4)) + ".still.jpg") }
        }
    }
}
