import ArgumentParser
import Watcher

/// Where messages go, and the optional snapshot archive.
struct NotifyOptions: ParsableArguments {
    @Option(name: .customLong("notify"), help: ArgumentHelp("""
        Send messages to KIND:TARGET; repeat for several. Kinds: stdout, webhook:URL, slack:URL, \
        discord:URL, teams:URL, ntfy:TOPIC|URL, line:TO (token in WATCHER_LINE_CHANNEL_TOKEN), \
        mqtt://[user@]host[:port][/prefix] or mqtts://… for Home Assistant (password in WATCHER_MQTT_PASSWORD, \
        private CA in WATCHER_MQTT_CA_FILE or ?ca=FILE). (env WATCHER_NOTIFY, comma-separated; default: stdout)
        """, valueName: "kind:target"))
    var notify: [String] = []

    @Option(help: ArgumentHelp("Give up a message no notifier could deliver after this long (with a warning). (env WATCHER_MAX_MESSAGE_AGE; default: 24h)", valueName: "duration"))
    var maxMessageAge: String?

    @Option(help: ArgumentHelp("Keep each crop in DIR/<label>/ for retraining; DIR may be s3://BUCKET/PREFIX or azblob://ACCOUNT/CONTAINER/PREFIX. (env WATCHER_ARCHIVE_DIR)", valueName: "dir|url"))
    var archiveDir: String?

    @Option(help: ArgumentHelp("Delete archived snapshots older than this many days. (env WATCHER_ARCHIVE_KEEP_DAYS)", valueName: "days"))
    var archiveKeepDays: Int?

    @Option(help: ArgumentHelp("Keep at most this many crops per label. (env WATCHER_ARCHIVE_KEEP_COUNT)", valueName: "n"))
    var archiveKeepCount: Int?

    @Flag(help: "Archive the whole still next to each crop. (env WATCHER_ARCHIVE_STILLS)")
    var archiveStills = false

    func specs() throws -> [NotifierSpec] {
        let texts = EnvironmentFallback.list(notify, "WATCHER_NOTIFY")
        do {
            return texts.isEmpty ? [NotifierSpec(kind: .stdout, target: "")] : try texts.map { text throws(WatcherError) in
                try NotifierSpec(parsing: text)
            }
        } catch {
            throw ValidationError(error.message)
        }
    }

    func maxMessageAgeSeconds() throws -> Int {
        let seconds = try EnvironmentFallback.seconds(maxMessageAge, "WATCHER_MAX_MESSAGE_AGE", default: "24h")
        guard seconds >= 60 else { throw ValidationError("--max-message-age must be at least 1m") }
        return seconds
    }

    func archive(transport: HTTPTransport) throws -> SnapshotArchive? {
        guard let folder = EnvironmentFallback.string(archiveDir, "WATCHER_ARCHIVE_DIR") else { return nil }
        let location: StorageLocation
        do { location = try StorageLocation(parsing: folder) } catch { throw ValidationError("--archive-dir " + error.message) }
        let store = try reportingFailures { try location.objectStore(transport: transport) }
        let days = try EnvironmentFallback.int(archiveKeepDays, "WATCHER_ARCHIVE_KEEP_DAYS")
        let count = try EnvironmentFallback.int(archiveKeepCount, "WATCHER_ARCHIVE_KEEP_COUNT")
        if let days, days < 1 { throw ValidationError("--archive-keep-days must be at least 1") }
        if let count, count < 1 { throw ValidationError("--archive-keep-count must be at least 1") }
        return SnapshotArchive(folder: folder, keepDays: days, keepCount: count,
                               keepStills: try EnvironmentFallback.flag(archiveStills, "WATCHER_ARCHIVE_STILLS"), store: store)
    }
}
