/// Each camera's state, lock and history as files in one folder:
/// `camera-<readable>-<hash>.json` (replaced atomically, mode 0600), `.lock`
/// (`flock`) and `.history.jsonl` (appended). A missing state file is a fresh start;
/// a damaged one is an error that names the file (silently starting over could
/// forget an open lock).
public struct FolderStateBackend: Sendable {
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    public func statePath(_ key: CameraKey) -> String { FileSystem.join(folder, key.fileStem + ".json") }
    public func lockPath(_ key: CameraKey) -> String { FileSystem.join(folder, key.fileStem + ".lock") }
    public func historyPath(_ key: CameraKey) -> String { FileSystem.join(folder, key.fileStem + ".history.jsonl") }

    func lock(_ key: CameraKey, timeout: Double, camera: String) throws(WatcherError) -> CameraLock {
        do { try FileSystem.createDirectory(folder, mode: 0o700) } catch { throw WatcherError(.state, error.message) }
        return try CameraLock.acquire(path: lockPath(key), timeout: timeout, camera: camera)
    }

    func load(_ key: CameraKey) throws(WatcherError) -> StoredState {
        let file = statePath(key)
        if let version = FileSystem.version(file) {
            return StoredState(state: try read(file), version: version)
        }
        if let legacy = key.legacyStem.map({ FileSystem.join(folder, $0 + ".json") }), FileSystem.exists(legacy) {
            return StoredState(state: try read(legacy), version: nil, adoptedFrom: legacy)
        }
        return StoredState(state: CameraState(), version: nil)
    }

    func save(_ state: CameraState, _ key: CameraKey, replacing loaded: StoredState) throws(WatcherError) -> StoredState {
        let file = statePath(key)
        // The lock makes this impossible between watchers of this version; an
        // older watcher (no lock) or a person editing the file could still do it.
        guard FileSystem.version(file) == loaded.version else {
            throw WatcherError.conflict("state file \(file) was changed by another process during this check; "
                + "it was not overwritten (the next check starts from the new one)")
        }
        do {
            try FileSystem.createDirectory(folder, mode: 0o700)
            try FileSystem.writeAtomically(Array((CameraStateCoding.encode(state).rendered + "\n").utf8), to: file, mode: 0o600)
            if let legacy = loaded.adoptedFrom { try FileSystem.remove(legacy) }
        } catch {
            throw WatcherError(.state, error.message)
        }
        return StoredState(state: state, version: FileSystem.version(file))
    }

    func history(_ key: CameraKey) -> HistoryLog {
        HistoryLog(path: historyPath(key))
    }

    func cameras() -> [StoredCamera] {
        FileSystem.list(folder).filter { $0.hasPrefix("camera-") && $0.hasSuffix(".json") }.map { name in
            let stem = String(name.dropLast(5))
            let path = FileSystem.join(folder, name)
            let state: Result<CameraState, WatcherError>
            do throws(WatcherError) { state = .success(try read(path)) } catch { state = .failure(error) }
            return StoredCamera(stem: stem, statePath: path, state: state,
                                lockHolder: CameraLock.holder(path: FileSystem.join(folder, stem + ".lock")),
                                history: .file(HistoryLog(path: FileSystem.join(folder, stem + ".history.jsonl"))))
        }
    }

    private func read(_ file: String) throws(WatcherError) -> CameraState {
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file, limit: 8 << 20) } catch { throw WatcherError(.state, error.message) }
        do {
            return try CameraStateCoding.decode(try JSONValue.parse(bytes))
        } catch {
            throw WatcherError(.state, "state file \(file) is damaged (\(error.message)); fix or delete it to start over")
        }
    }
}
