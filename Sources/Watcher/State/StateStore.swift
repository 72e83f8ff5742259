/// Where each camera's state, lock and history live: a folder of files, or a
/// bucket or container (`ObjectStateBackend`). The check (`CameraWatcher`) only
/// uses the operations below:
///
/// - `lock` makes checks of one camera take turns for the whole check (a folder's
///   `flock`; object storage has none, and returns a lock that holds nothing);
/// - `load` returns the state with a `version`, and `save` refuses to replace a
///   state that changed since it was loaded, with a conflict (`isConflict`:
///   `If-Match` on object storage), after which the check reads and decides again;
/// - `history` appends one line per check and reads them back.
public struct StateStore: Sendable {
    public enum Backend: Sendable {
        /// A folder on a local disk: `flock` locks, atomic renames, fsync.
        case folder(FolderStateBackend)
        /// A bucket or container: conditional writes, no lock.
        case objects(ObjectStateBackend)
    }

    public let backend: Backend

    public init(folder: String) {
        backend = .folder(FolderStateBackend(folder: folder))
    }

    public init(objects store: ObjectStore) {
        backend = .objects(ObjectStateBackend(store: store))
    }

    /// Where the state is, for messages: the folder, or `s3://bucket/prefix/`.
    public var location: String {
        switch backend {
        case .folder(let folder): return folder.folder
        case .objects(let objects): return objects.store.description
        }
    }

    /// Waits up to `timeout` seconds for other checks of this camera to finish.
    public func lock(_ key: CameraKey, timeout: Double, camera: String) throws(WatcherError) -> CameraLock {
        switch backend {
        case .folder(let folder): return try folder.lock(key, timeout: timeout, camera: camera)
        case .objects: return CameraLock(descriptor: -1, path: "")
        }
    }

    /// The camera's state; a fresh one (with no version) the first time.
    public func load(_ key: CameraKey) throws(WatcherError) -> StoredState {
        switch backend {
        case .folder(let folder): return try folder.load(key)
        case .objects(let objects): return try objects.load(key)
        }
    }

    /// Replaces the state `loaded` came from, and returns what now stands (for a
    /// later save in the same check); fails with a conflict (`isConflict`) if
    /// another process changed it since.
    @discardableResult
    public func save(_ state: CameraState, _ key: CameraKey, replacing loaded: StoredState) throws(WatcherError) -> StoredState {
        switch backend {
        case .folder(let folder): return try folder.save(state, key, replacing: loaded)
        case .objects(let objects): return try objects.save(state, key, replacing: loaded)
        }
    }

    public func history(_ key: CameraKey) -> CameraHistory {
        switch backend {
        case .folder(let folder): return .file(folder.history(key))
        case .objects(let objects): return .objects(objects.history(key))
        }
    }

    /// Every camera with a state here, for `watcher status` and `watcher history`.
    public func cameras() -> [StoredCamera] {
        switch backend {
        case .folder(let folder): return folder.cameras()
        case .objects(let objects): return objects.cameras()
        }
    }
}

/// A camera's state as loaded, with what `save` needs to detect a concurrent change.
public struct StoredState: Sendable {
    public var state: CameraState
    /// Identifies what was loaded (nil: nothing was there).
    public var version: String?
    /// A version 0.1 state file this state was adopted from, removed once saved anew.
    public var adoptedFrom: String?
}

/// One camera found in the store, for the status and history commands.
public struct StoredCamera: Sendable {
    /// `camera-7CDDDEADBEEF-1a2b3c4d`.
    public var stem: String
    public var statePath: String
    /// The state, or why it could not be read.
    public var state: Result<CameraState, WatcherError>
    /// Who holds the lock (`pid 1234 since …`), or nil when no check is running.
    public var lockHolder: String?
    public var history: CameraHistory
}
