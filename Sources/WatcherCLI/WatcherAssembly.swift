import ArgumentParser
import Watcher

/// Builds a `Watcher` from the parsed options (shared by `once`, `run` and `demo`).
struct WatcherAssembly {
    let source: SourceOptions
    let model: ModelOptions
    let decision: DecisionOptions
    let notify: NotifyOptions
    /// With `--json`, the stdout notifier writes to stderr so stdout stays one JSON object per check.
    let json: Bool

    func make() throws -> CameraWatcher {
        let policy = try decision.policy()
        let specs = try notify.specs()
        let archive = try notify.archive()
        let crop = try model.cropGeometry()
        return try reportingFailures {
            let transport = try CurlTransport(userAgent: "watcher/" + WatcherVersion.text)
            let imageSource = try source.makeSource(transport: transport, stateFolder: decision.stateFolder)
            let classifier = try model.makeClassifier()
            let secrets = NotifierSecrets.fromEnvironment()
            let lineOutput: (String) -> Void = json ? { printError($0) } : { printLine($0) }
            let notifiers = try specs.map { spec throws(WatcherError) in
                try Notifiers.make(spec, secrets: secrets, transport: transport, print: lineOutput)
            }
            return try CameraWatcher(source: imageSource, classifier: classifier, crop: crop, policy: policy,
                               store: StateStore(folder: decision.stateFolder), outbox: Outbox(notifiers: notifiers),
                               archive: archive, cameraName: decision.name)
        }
    }

    /// Prints a check's result: one line, or one JSON object; warnings to stderr.
    static func report(_ result: CheckResult, json: Bool) {
        for warning in result.warnings { printError("watcher: warning: " + warning) }
        for failure in result.delivery.failures { printError("watcher: warning: " + failure) }
        printLine(json ? result.json.rendered : result.summaryLine)
    }
}
