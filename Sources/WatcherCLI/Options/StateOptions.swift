import ArgumentParser
import Watcher

/// Where each camera's state, lock and history live.
struct StateFolderOption: ParsableArguments {
    @Option(help: ArgumentHelp("Folder for each camera's state, lock and history, or object storage: s3://BUCKET/PREFIX or azblob://ACCOUNT/CONTAINER/PREFIX (credentials from the environment; see docs/serverless.md). (env WATCHER_STATE_DIR; default: $STATE_DIRECTORY, else $XDG_STATE_HOME/watcher, else ~/.local/state/watcher)", valueName: "path|url"))
    var stateDir: String?

    var folder: String {
        if let folder = EnvironmentFallback.string(stateDir, "WATCHER_STATE_DIR") { return folder }
        // systemd's StateDirectory= sets this.
        if let systemd = Environment.value("STATE_DIRECTORY") { return String(systemd.prefix { $0 != ":" }) }
        if let xdg = Environment.value("XDG_STATE_HOME") { return FileSystem.join(xdg, "watcher") }
        if let home = Environment.value("HOME") { return FileSystem.join(home, ".local/state/watcher") }
        return "watcher-state"
    }

    /// The folder, or the bucket or container the URL names (signed with the
    /// environment's credentials; `transport` defaults to a new libcurl one).
    func makeStore(transport: HTTPTransport? = nil) throws -> StateStore {
        let location: StorageLocation
        do { location = try StorageLocation(parsing: folder) } catch { throw ValidationError(error.message) }
        guard case .folder(let path) = location else {
            let objects = try reportingFailures {
                try location.objectStore(transport: try transport ?? CurlTransport(userAgent: "watcher/" + WatcherVersion.text))
            }
            return StateStore(objects: objects!)
        }
        return StateStore(folder: path)
    }

    var store: StateStore { get throws { try makeStore() } }
}

/// The state folder, and how long a check waits for another one of the same camera.
struct StateOptions: ParsableArguments {
    @OptionGroup var stateFolder: StateFolderOption

    @Option(help: ArgumentHelp("Wait this long for another check of the same camera to finish, then give up. (env WATCHER_LOCK_TIMEOUT; default: 2m)", valueName: "duration"))
    var lockTimeout: String?

    func lockTimeoutSeconds() throws -> Double {
        Double(try EnvironmentFallback.seconds(lockTimeout, "WATCHER_LOCK_TIMEOUT", default: "2m"))
    }
}
