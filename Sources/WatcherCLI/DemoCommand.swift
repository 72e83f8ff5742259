import ArgumentParser
import Watcher

#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Play the sample stills as a camera through the whole pipeline (no camera, no credentials).",
        discussion: """
            Each still in --samples (in name order) is one check, five simulated minutes apart: the \
            same crop, classification, debounce and notifiers as `watcher once`, with a fresh state \
            each run. Messages go to stdout unless you pass --notify (try your own Slack or ntfy). \
            Without --samples, the stills are looked for in ./Samples, in the repository the binary \
            was built in, and in ../share/watcher/Samples beside the binary.
            """)

    @Option(help: ArgumentHelp("Folder of JPEG stills, played in name order. (env WATCHER_SAMPLES; default: found as described above)", valueName: "dir"))
    var samples: String?

    @Option(help: ArgumentHelp("The model. (env WATCHER_MODEL; default: \(BuiltInModel.name))", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("The lock's box in the stills (WxH+X+Y). (env WATCHER_CROP; default: 128x128+650+378)", valueName: "geometry"))
    var crop: String?

    @Option(help: ArgumentHelp("Consecutive open results before the first message. (env WATCHER_DEBOUNCE; default: 2)", valueName: "n"))
    var debounce: Int?

    @Option(help: ArgumentHelp("Seconds to pause between stills, to watch it happen. (env WATCHER_PAUSE; default: 0)", valueName: "seconds"))
    var pause: Double?

    @Option(name: .customLong("notify"), help: ArgumentHelp("Also send messages to KIND:TARGET (see `watcher once --help`). (env WATCHER_NOTIFY)", valueName: "kind:target"))
    var notify: [String] = []

    func run() throws {
        let geometry: CropGeometry
        do { geometry = try CropGeometry(parsing: EnvironmentFallback.string(crop, "WATCHER_CROP") ?? "128x128+650+378") } catch {
            throw ValidationError(error.message)
        }
        let debounce = try EnvironmentFallback.int(self.debounce, "WATCHER_DEBOUNCE") ?? 2
        let pause = try EnvironmentFallback.double(self.pause, "WATCHER_PAUSE", default: 0)
        let modelSource = ModelSource(option: EnvironmentFallback.string(model, "WATCHER_MODEL"))
        let specs: [NotifierSpec]
        do {
            specs = try (["stdout"] + EnvironmentFallback.list(notify, "WATCHER_NOTIFY")).map { text throws(WatcherError) in
                try NotifierSpec(parsing: text)
            }
        } catch {
            throw ValidationError(error.message)
        }
        let folder: String
        if let given = EnvironmentFallback.string(samples, "WATCHER_SAMPLES") {
            folder = given
        } else {
            let search = SampleFolder.find()
            guard let found = search.found else {
                throw ValidationError("no sample stills found; looked in " + search.looked.joined(separator: ", ")
                    + "; give --samples DIR (the repository's Samples/)")
            }
            folder = found
        }
        let stills = SampleFolder.stills(in: folder)
        guard !stills.isEmpty else { throw ValidationError("no .jpg stills in \(folder)") }
        Interruption.install()
        try reportingFailures {
            let source = PlaylistImageSource(paths: stills.map { FileSystem.join(folder, $0) })
            let transport = try CurlTransport(userAgent: "watcher/" + WatcherVersion.text)
            // Messages are shown under the check that issued them.
            let messages = MessageLines()
            let notifiers = try specs.map { spec throws(WatcherError) in
                try Notifiers.make(spec, secrets: NotifierSecrets.fromEnvironment(), transport: transport,
                                   print: { messages.lines.append($0) })
            }
            let stateFolder = try Self.freshStateFolder()
            defer { Self.remove(stateFolder) }
            let policy = DecisionPolicy(debounce: debounce, remindEvery: nil)
            let watcher = try CameraWatcher(
                source: source, loader: ClassifierLoader(model: modelSource), crop: geometry,
                policy: policy, store: StateStore(folder: stateFolder), outbox: Outbox(notifiers: notifiers), archive: nil,
                cameraName: "Front door (demo)")
            if let modelError = try watcher.prepare() { throw modelError }
            printLine("watcher demo: \(stills.count) stills from \(folder)/, model \(modelSource.description), crop \(geometry), "
                + "debounce \(debounce); one check every 5 simulated minutes")
            let start = WallTime.nowMillis()
            for (index, name) in stills.enumerated() {
                let outcome = try watcher.check(now: { start + index * 300_000 })
                switch outcome {
                case .completed(let result):
                    printLine("\(name): " + result.summaryLine)
                    for failure in result.delivery.failures { printError("watcher: warning: " + failure) }
                case .failed(let failed):
                    printLine("\(name): " + failed.summaryLine + " (\(failed.error.message))")
                }
                for line in messages.lines { printLine("    → " + line) }
                messages.lines.removeAll()
                if pause > 0 { Interruption.sleep(seconds: pause) }
                try Interruption.check("watcher demo")
            }
        }
    }

    /// A new empty folder under $TMPDIR, so every demo starts from a closed lock.
    static func freshStateFolder() throws(WatcherError) -> String {
        let base = Environment.value("TMPDIR") ?? "/tmp"
        var template = Array(FileSystem.join(base, "watcher-demo-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw WatcherError(.io, "cannot create a temporary folder in \(base)")
        }
        return String(cString: made)
    }

    /// The demo's state folder and the state, lock and history files in it.
    static func remove(_ folder: String) {
        for name in FileSystem.list(folder) { try? FileSystem.remove(FileSystem.join(folder, name)) }
        rmdir(folder)
    }
}

private final class MessageLines {
    var lines: [String] = []
}
