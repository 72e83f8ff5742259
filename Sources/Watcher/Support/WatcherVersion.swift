/// The watcher's version: `--version`, the User-Agent, and Home Assistant's `sw_version`.
public enum WatcherVersion {
    public static let text = "0.2.0"
}
