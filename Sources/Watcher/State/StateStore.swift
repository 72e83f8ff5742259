/// Where each camera's state, lock and history live. One backend today, a folder
/// of files; the check (`CameraWatcher`) only uses the operations below, so another
/// backend is a new case and a new struct beside `FolderStateBackend`:
///
/// - `lock` makes checks of one camera take turns for the whole check;
/// - `load` returns the state with a `version`, and `save` refuses to replace a
///   state that changed since it was loaded (`If-Match` on object storage, where
///   the lock would be a lease object created with `If-None-Match: *`);
/// - `history` appends one line per check and reads them back.
public struct StateStore: Sendable {
    public enum Backend: Sendable {
        /// A folder on a local disk: `flock` locks, atomic renames, fsync.
        case folder(FolderStateBackend)
    }

    public let backend: Backend

    public init(folder: String) {
        backend = .folder(FolderStateBackend(folder: folder))
    }

    /// Waits up to `timeout` seconds for other checks of this camera to finish.
    public func lock(_ key: CameraKey, timeout: Double, camera: String) throws(WatcherError) -> CameraLock {
        switch backend {
        case .folder(let folder): return try folder.lock(key, timeout: timeout, camera: camera)
        }
    }

    /// The camera's state; a fresh one (with no version) the first time.
    public func load(_ key: CameraKey) throws(WatcherError) -> StoredState {
        switch backend {
        case .folder(let folder): return try folder.load(key)
        }
    }

    /// Replaces the state `loaded` came from, and returns what now stands (for a
    /// later save in the same check); fails with `.state` if another process
    /// changed it since.
    @discardableResult
    public func save(_ state: CameraState, _ key: CameraKey, replacing loaded: StoredState) throws(WatcherError) -> StoredState {
        switch backend {
        case .folder(let folder): return try folder.save(state, key, replacing: loaded)
        }
    }

    public func history(_ key: CameraKey) -> HistoryLog {
        switch backend {
        case .folder(let folder): return folder.history(key)
        }
    }

    /// Every camera with a state here, for `watcher status` and `watcher history`.
    public func cameras() -> [StoredCamera] {
        switch backend {
        case .folder(let folder): return folder.cameras()
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
    public var history: HistoryLog
}
