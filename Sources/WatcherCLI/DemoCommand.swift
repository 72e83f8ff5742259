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
            each run. Messages go to stdout unless you pass --notify (try your own Slack or ntfy).
            """)

    @Option(help: ArgumentHelp("Folder of JPEG stills, played in name order.", valueName: "dir"))
    var samples = "Samples"

    @Option(help: ArgumentHelp("The model.", valueName: "path"))
    var model = ModelOptions.defaultModel

    @Option(help: ArgumentHelp("The lock's box in the stills (WxH+X+Y).", valueName: "geometry"))
    var crop = "128x128+650+378"

    @Option(help: ArgumentHelp("Consecutive open results before the first message.", valueName: "n"))
    var debounce = 2

    @Option(help: ArgumentHelp("Seconds to pause between stills, to watch it happen.", valueName: "seconds"))
    var pause = 0.0

    @Option(name: .customLong("notify"), help: ArgumentHelp("Also send messages to KIND:TARGET (see `watcher once --help`).", valueName: "kind:target"))
    var notify: [String] = []

    func run() throws {
        let geometry: CropGeometry
        do { geometry = try CropGeometry(parsing: crop) } catch { throw ValidationError(error.message) }
        let specs: [NotifierSpec]
        do {
            specs = try (["stdout"] + notify).map { text throws(WatcherError) in try NotifierSpec(parsing: text) }
        } catch {
            throw ValidationError(error.message)
        }
        try reportingFailures {
            let stills = FileSystem.list(samples).filter { $0.lowercased().hasSuffix(".jpg") || $0.lowercased().hasSuffix(".jpeg") }
            guard !stills.isEmpty else { throw WatcherError(.image, "no .jpg stills in \(samples)") }
            let source = PlaylistImageSource(paths: stills.map { FileSystem.join(samples, $0) })
            let classifier = try LockClassifier(modelPath: model)
            let transport = try CurlTransport(userAgent: "watcher/" + WatcherVersion.text)
            // Messages are shown under the check that issued them.
            let messages = MessageLines()
            let notifiers = try specs.map { spec throws(WatcherError) in
                try Notifiers.make(spec, secrets: NotifierSecrets.fromEnvironment(), transport: transport,
                                   print: { messages.lines.append($0) })
            }
            let stateFolder = try Self.freshStateFolder()
            let watcher = try CameraWatcher(
                source: source, classifier: classifier, crop: geometry,
                policy: DecisionPolicy(debounce: debounce, remindEvery: nil),
                store: StateStore(folder: stateFolder), outbox: Outbox(notifiers: notifiers), archive: nil,
                cameraName: "Front door (demo)")
            printLine("watcher demo: \(stills.count) stills from \(samples)/, model \(model), crop \(geometry), "
                + "debounce \(debounce); one check every 5 simulated minutes")
            let start = WallTime.nowMillis()
            for (index, name) in stills.enumerated() {
                let result = try watcher.check(now: start + index * 300_000)
                printLine("\(name): " + result.summaryLine)
                for line in messages.lines { printLine("    → " + line) }
                for failure in result.delivery.failures { printError("watcher: warning: " + failure) }
                messages.lines.removeAll()
                if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
            }
            try? FileSystem.remove(StateStore(folder: stateFolder).path(camera: watcher.stateKey))
            rmdir(stateFolder)
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
}

private final class MessageLines {
    var lines: [String] = []
}
