import ArgumentParser
import Watcher

/// Where each camera's state, lock and history live.
struct StateFolderOption: ParsableArguments {
    @Option(help: ArgumentHelp("Folder for each camera's state, lock and history. (env WATCHER_STATE_DIR; default: $STATE_DIRECTORY, else $XDG_STATE_HOME/watcher, else ~/.local/state/watcher)", valueName: "path"))
    var stateDir: String?

    var folder: String {
        if let folder = EnvironmentFallback.string(stateDir, "WATCHER_STATE_DIR") { return folder }
        // systemd's StateDirectory= sets this.
        if let systemd = Environment.value("STATE_DIRECTORY") { return String(systemd.prefix { $0 != ":" }) }
        if let xdg = Environment.value("XDG_STATE_HOME") { return FileSystem.join(xdg, "watcher") }
        if let home = Environment.value("HOME") { return FileSystem.join(home, ".local/state/watcher") }
        return "watcher-state"
    }

    var store: StateStore { StateStore(folder: folder) }
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
