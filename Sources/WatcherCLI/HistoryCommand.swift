import ArgumentParser
import Watcher

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print what the watcher has been doing: every check, its result or error, and the messages it sent.",
        discussion: """
            Each camera keeps the last 25,000 to 50,000 checks (JSON lines in the state folder, \
            `camera-….history.jsonl`). A line a crash cut short is skipped, never the lines before it.
            """)

    @OptionGroup(title: "State") var state: StateFolderOption

    @Option(help: ArgumentHelp("Only this camera: its name, device id or state file name. (env WATCHER_CAMERA)", valueName: "name"))
    var camera: String?

    @Option(help: ArgumentHelp("Only checks this recent, e.g. 24h, 7d; 'all' for everything kept. (env WATCHER_SINCE; default: 24h)", valueName: "duration"))
    var since: String?

    @Flag(help: "Print JSON lines, one object per check (the file's own format). (env WATCHER_JSON)") var json = false

    func run() throws {
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let sinceText = EnvironmentFallback.string(since, "WATCHER_SINCE") ?? "24h"
        let cutoff: Int
        if sinceText.lowercased() == "all" {
            cutoff = Int.min
        } else {
            cutoff = WallTime.nowMillis() - 1000 * (try EnvironmentFallback.seconds(since, "WATCHER_SINCE", default: "24h"))
        }
        var cameras = try state.store.cameras()
        if let wanted = EnvironmentFallback.string(camera, "WATCHER_CAMERA") {
            cameras = cameras.filter { Self.matches($0, wanted) }
            guard !cameras.isEmpty else {
                let known = try state.store.cameras().map { (try? $0.state.get().camera) ?? $0.stem }.compactMap { $0 }
                throw ValidationError("no camera '\(wanted)' in \(state.folder)"
                    + (known.isEmpty ? "" : "; known: " + known.joined(separator: ", ")))
            }
        }
        var entries: [HistoryEntry] = []
        var damaged = 0
        for camera in cameras {
            let read = camera.history.read()
            entries += read.entries.filter { $0.time >= cutoff }
            damaged += read.damagedLines
        }
        entries.sort { $0.time < $1.time }
        for entry in entries {
            if json {
                printJSON(entry.json)
            } else {
                printLine("\(WallTime.localText(entry.time))  \(entry.camera): \(entry.summary)")
            }
        }
        if damaged > 0 { printError("watcher: warning: \(damaged) damaged history line(s) skipped") }
        if entries.isEmpty, !json { printError("watcher: no checks in the history\(sinceText.lowercased() == "all" ? "" : " in the last \(sinceText)")") }
    }

    /// By name (case-insensitive), by the readable key (a device id), or by the state file's stem.
    static func matches(_ camera: StoredCamera, _ wanted: String) -> Bool {
        let state = try? camera.state.get()
        return state?.camera?.lowercased() == wanted.lowercased() || state?.source == wanted || camera.stem == wanted
            || camera.stem.hasPrefix("camera-" + wanted + "-")
    }
}
