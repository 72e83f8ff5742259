import ArgumentParser
import Watcher

/// Builds a `CameraWatcher` from the parsed options (shared by `once` and `run`).
/// Every configuration error (options, notifier targets and their URLs, missing
/// credentials and tokens, labels that do not fit the model) is found here,
/// before any lock is taken or any export spent, and ends the command with status 64.
struct WatcherAssembly {
    let source: SourceOptions
    let model: ModelOptions
    let decision: DecisionOptions
    let state: StateOptions
    let notify: NotifyOptions
    /// With `--json`, the stdout notifier writes to stderr so stdout stays one JSON object per check.
    let json: Bool
    /// `watcher run` keeps its MQTT connection between checks; `once` connects per check.
    var runMode: RunMode = .oneShot

    func make() throws -> CameraWatcher {
        let policy = try decision.policy()
        let specs = try notify.specs()
        let maxMessageAge = try notify.maxMessageAgeSeconds()
        let crop = try model.cropGeometry()
        let loader = try model.loader()
        let lockTimeout = try state.lockTimeoutSeconds()
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let archive = try notify.archive(transport: transport)
        let store = try state.stateFolder.makeStore(transport: transport)
        // The SORACOM token is kept beside the state, in its folder or bucket.
        let tokenFolder: String?, tokenStore: SoraCamTokenStore?
        switch store.backend {
        case .folder(let folder): (tokenFolder, tokenStore) = (folder.folder, nil)
        case .objects(let objects): (tokenFolder, tokenStore) = (nil, ObjectTokenStore(store: objects.store))
        }
        let imageSource = try source.makeSource(transport: transport, tokenFolder: tokenFolder, tokenStore: tokenStore)
        let watcher = try reportingFailures {
            let secrets = NotifierSecrets.fromEnvironment()
            let lineOutput: (String) -> Void = json ? { printError($0) } : { printLine($0) }
            let notifiers = try specs.map { spec throws(WatcherError) in
                try Notifiers.make(spec, secrets: secrets, transport: transport, print: lineOutput, runMode: runMode)
            }
            return try CameraWatcher(
                source: imageSource, loader: loader, crop: crop, policy: policy, store: store,
                outbox: Outbox(notifiers: notifiers, maxMessageAge: maxMessageAge), archive: archive,
                cameraName: decision.name, lockTimeout: lockTimeout)
        }
        // Labels that do not fit are a configuration error (64); a model that cannot
        // be loaded is left to the check, which reports it like an offline camera.
        _ = try reportingFailures { try watcher.prepare() }
        return watcher
    }

    /// Prints a check's outcome: its line (or JSON object) on stdout, warnings and
    /// a failure on stderr. Answers whether the check saw the lock.
    @discardableResult
    static func report(_ outcome: CheckOutcome, json: Bool) -> Bool {
        switch outcome {
        case .completed(let result):
            for warning in result.warnings { printError("watcher: warning: " + warning) }
            for failure in result.delivery.failures { printError("watcher: warning: " + failure) }
            printResult(json ? result.json.rendered : result.summaryLine, json: json)
            return true
        case .failed(let failed):
            for warning in failed.warnings { printError("watcher: warning: " + warning) }
            for failure in failed.delivery.failures { printError("watcher: warning: " + failure) }
            var line = "watcher: error: " + failed.error.message
            if failed.state.failureStreak > 1 || !failed.messages.isEmpty {
                line += " (\(failed.failure.cause.headline); \(failed.state.failureStreak) failed checks in a row"
                    + (failed.messages.isEmpty ? ")" : "; unreachable message sent)")
            }
            printError(line)
            return false
        }
    }
}
