import TinyImage

/// One camera's check: lock → state → still → crop → classify → decide →
/// archive → notify → save state → history. The same code runs for `watcher
/// once`, `run` and `demo`. A check that cannot see the lock (camera offline, key
/// rejected, model broken…) is recorded too: it counts towards the `unreachable`
/// message and still retries the messages owed from earlier checks.
public final class CameraWatcher {
    public let source: ImageSource
    public let loader: ClassifierLoader
    public let crop: CropGeometry?
    public let policy: DecisionPolicy
    public let store: StateStore
    public let outbox: Outbox
    public let archive: SnapshotArchive?
    /// How the camera is named in messages (defaults to the source's id).
    public let cameraName: String
    /// Keys the state, lock and history: the source, not the name (see `CameraKey`).
    public let key: CameraKey
    /// Seconds to wait for another process's check of this camera to finish.
    public let lockTimeout: Double
    private var classifier: LockClassifier?

    public init(source: ImageSource, loader: ClassifierLoader, crop: CropGeometry?, policy: DecisionPolicy,
                store: StateStore, outbox: Outbox, archive: SnapshotArchive?, cameraName: String?,
                lockTimeout: Double = 120) throws(WatcherError) {
        try policy.validate()
        self.source = source
        self.loader = loader
        self.crop = crop
        self.policy = policy
        self.store = store
        self.outbox = outbox
        self.archive = archive
        self.cameraName = cameraName ?? source.cameraID
        // Version 0.1 named the state by the camera name, else the source's id.
        self.key = source.cameraKey.adopting(legacyName: cameraName ?? source.cameraID)
        self.lockTimeout = lockTimeout
    }

    /// Loads the model now (before any lock or export), so configuration errors
    /// (`.usage`: labels that do not fit) surface first. A `.model` error is
    /// returned, not thrown: the check will try again and report it as a failure.
    @discardableResult
    public func prepare() throws(WatcherError) -> WatcherError? {
        guard classifier == nil else { return nil }
        do {
            classifier = try loadClassifier()
            return nil
        } catch where error.kind == .model {
            return error
        }
    }

    /// The model, with the policy's alert label among its labels (`.usage` if not).
    private func loadClassifier() throws(WatcherError) -> LockClassifier {
        let classifier = try loader.load()
        guard classifier.labels.contains(policy.alertLabel) else {
            throw WatcherError(.usage, "--alert-label '\(policy.alertLabel)' is not one of the model's labels: "
                + classifier.labels.joined(separator: ", "))
        }
        return classifier
    }

    /// Runs one check. `now` is read once the lock is held (a check that waited
    /// for another is about the moment it ran). Throws only what could not be
    /// recorded: the lock not had in time (`.locked`), SIGINT/SIGTERM
    /// (`.interrupted`), an unreadable or unwritable state (`.state`), labels that
    /// do not fit the model (`.usage`).
    ///
    /// Where there is no lock (object storage), two checks may run at once: each
    /// save is conditional, and the one that finds the state changed since it
    /// read it reads it again and decides again (`commit`), so an episode is
    /// announced once and neither check's result is lost.
    public func check(now: () -> Int = WallTime.nowMillis) throws(WatcherError) -> CheckOutcome {
        let lock = try store.lock(key, timeout: lockTimeout, camera: cameraName)
        defer { lock.release() }
        defer { for publisher in statePublishers { publisher.finishCheck() } }
        let loaded = try store.load(key)
        let time = now()

        let classification: Classification
        let cropImage: RGBImage
        let still: [UInt8]
        do {
            let classifier: LockClassifier
            if let loadedClassifier = self.classifier {
                classifier = loadedClassifier
            } else {
                classifier = try loadClassifier()
                self.classifier = classifier
            }
            still = try source.fetchStill(now: time)
            (classification, cropImage) = try classifier.classify(jpeg: still, crop: crop)
        } catch where error.kind != .interrupted && error.kind != .usage {
            return .failed(try recordFailure(error, time: time, loaded: loaded))
        }

        let alertProbability = classification.probability(of: policy.alertLabel) ?? 0
        let verdict = policy.verdict(alertProbability: alertProbability)
        let top = classification.top
        let record = CheckRecord(time: time, label: top.label, probability: top.probability,
                                 alertProbability: alertProbability, verdict: verdict)
        let decided = try commit(from: loaded, time: time) { state in
            DecisionEngine.observe(record, camera: cameraName, policy: policy, state: &state)
        }
        let messages = decided.messages

        var warnings = source.warnings()
        var cropJPEG: [UInt8]?
        if !messages.isEmpty || archive != nil || !statePublishers.isEmpty {
            do { cropJPEG = try JPEGEncoder.encode(cropImage, quality: 90) } catch {
                warnings.append("cannot encode the crop: \(error)")
            }
        }
        var archivedPath: String?
        if let archive, let cropJPEG {
            let folder = verdict == .unsure ? "unsure" : top.label
            do {
                archivedPath = try archive.save(crop: cropJPEG, still: still, folderName: folder, camera: cameraName,
                                                probability: top.probability, time: time)
            } catch {
                warnings.append("snapshot not archived: \(error.message)")
            }
        }
        let reading = LockStatus.Reading(isOpen: decided.stored.state.announced, alertProbability: alertProbability,
                                         crop: cropJPEG)
        let (delivery, state) = try deliver(decided, image: cropJPEG, reading: reading)
        warnings += delivery.dropped
        warnings += appendHistory(HistoryEntry(
            time: time, camera: cameraName, label: top.label, probability: top.probability,
            alertProbability: alertProbability, verdict: verdict, events: messages.map(\.kind.rawValue)))

        return .completed(CheckResult(
            camera: cameraName, time: time, classification: classification, alertLabel: policy.alertLabel,
            alertProbability: alertProbability, verdict: verdict, messages: messages, delivery: delivery,
            archivedPath: archivedPath, warnings: warnings, state: state))
    }

    /// A check that could not see the lock: the failure counts towards
    /// `unreachable`, owed messages are still retried, and the history says why.
    private func recordFailure(_ error: WatcherError, time: Int, loaded: StoredState) throws(WatcherError) -> FailedCheck {
        let failure = CheckFailure(time: time, error: error)
        let decided = try commit(from: loaded, time: time) { state in
            DecisionEngine.observeFailure(failure, camera: cameraName, policy: policy, state: &state).map { [$0] } ?? []
        }
        let (delivery, state) = try deliver(decided, image: nil, reading: nil)
        var warnings = source.warnings() + delivery.dropped
        warnings += appendHistory(HistoryEntry(time: time, camera: cameraName, events: decided.messages.map(\.kind.rawValue),
                                               error: error.message, cause: failure.cause))
        return FailedCheck(camera: cameraName, error: error, failure: failure, messages: decided.messages, delivery: delivery,
                           warnings: warnings, state: state)
    }

    /// What `commit` saved: the state, this check's messages, and the owed
    /// messages this check claimed to deliver.
    struct Decision {
        var stored: StoredState
        var messages: [AlertMessage]
        var claimed: [String]
        var dropped: [String]
        var time: Int
        /// Identifies this check's claims in the state.
        var owner: String
    }

    /// Saves `decide`'s changes to the state with this check's new messages in
    /// the outbox and its claim on every owed message. When the save conflicts
    /// (another check saved first), the state is read again and `decide` runs
    /// again on it: the decision is always made on the state it replaces. New
    /// messages are saved before anything is sent, so a crash from then on cannot
    /// lose them (the next check sends them) nor issue them again.
    private func commit(from loaded: StoredState, time: Int, _ decide: (inout CameraState) -> [AlertMessage])
        throws(WatcherError) -> Decision
    {
        let owner = RandomID.uuid()
        var current = loaded
        for attempt in 1...Self.conflictAttempts {
            var state = current.state
            state.camera = cameraName
            state.source = key.readable
            let messages = decide(&state)
            outbox.enqueue(messages, state: &state)
            let dropped = outbox.prune(now: time, state: &state)
            let claimed = outbox.claim(owner: owner, now: time, state: &state)
            do {
                let stored = try store.save(state, key, replacing: current)
                return Decision(stored: stored, messages: messages, claimed: claimed, dropped: dropped, time: time, owner: owner)
            } catch where error.isConflict {
                guard attempt < Self.conflictAttempts else { throw conflictStorm(error) }
                ConflictBackoff.pause(attempt: attempt)
                current = try store.load(key)
            }
        }
        throw conflictStorm(WatcherError.conflict("no attempt made"))  // not reached
    }

    /// Shows the check's result to the state publishers, sends the messages this
    /// check claimed, then records who delivered them in the state as it is by then
    /// (re-read after a conflict), releasing the claims. `reading` is nil for a
    /// check that could not see the lock.
    private func deliver(_ decision: Decision, image: [UInt8]?, reading: LockStatus.Reading?)
        throws(WatcherError) -> (Outbox.Report, CameraState)
    {
        let unpublished = publishStatus(time: decision.time, state: decision.stored.state, reading: reading)
        let fresh = Set(decision.messages.map(\.id))
        var (report, results) = outbox.deliver(claimed: decision.claimed, freshIDs: fresh, image: image,
                                               state: decision.stored.state)
        report.dropped = decision.dropped + report.dropped
        report.failures.insert(contentsOf: unpublished, at: 0)
        guard !decision.claimed.isEmpty else { return (report, decision.stored.state) }
        var current = decision.stored
        for attempt in 1...Self.conflictAttempts {
            var state = current.state
            Outbox.record(results, owner: decision.owner, into: &state)
            outbox.removeDelivered(from: &state)
            do {
                _ = try store.save(state, key, replacing: current)
                return (report, state)
            } catch where error.isConflict {
                guard attempt < Self.conflictAttempts else { throw conflictStorm(error) }
                ConflictBackoff.pause(attempt: attempt)
                current = try store.load(key)
            }
        }
        throw conflictStorm(WatcherError.conflict("no attempt made"))  // not reached
    }

    /// Saves retried after conflicts before the check gives up.
    static let conflictAttempts = 8

    private func conflictStorm(_ error: WatcherError) -> WatcherError {
        WatcherError(.state, "the state of \(cameraName) in \(store.location) was changed by other checks \(Self.conflictAttempts) "
            + "times in a row while this check tried to save it; this check's result was not saved (does more than one "
            + "schedule check this camera?) (\(error.message))", status: 412)
    }

    /// The notifiers that show the lock's state after every check (Home Assistant over MQTT).
    private var statePublishers: [StatePublisher] { outbox.notifiers.compactMap { $0 as? StatePublisher } }

    /// Shows what the check found to the state publishers. Answers one line per
    /// failure: a delivery failure like a message's (the next check publishes again).
    private func publishStatus(time: Int, state: CameraState, reading: LockStatus.Reading?) -> [String] {
        let publishers = statePublishers
        guard !publishers.isEmpty else { return [] }
        let model: String
        switch loader.model {
        case .builtIn: model = BuiltInModel.name
        case .file(let path): model = String(path.split(separator: "/").last ?? Substring(path))
        }
        let status = LockStatus(cameraName: cameraName, cameraID: String(key.fileStem.dropFirst("camera-".count)),
                                model: model, alertLabel: policy.alertLabel, time: time, reading: reading,
                                isWatching: !state.unreachableAnnounced)
        var warnings: [String] = []
        for publisher in publishers {
            do { try publisher.publish(status) } catch {
                warnings.append("lock state not published, will retry: \(error.message)")
            }
        }
        return warnings
    }

    /// The watcher stops for good (`watcher run` on SIGTERM): the state publishers
    /// say so (Home Assistant shows the camera's entities as unavailable).
    public func shutDown() {
        for publisher in statePublishers { publisher.shutDown() }
    }

    /// A history that cannot be written is worth a warning, not a failed check.
    private func appendHistory(_ entry: HistoryEntry) -> [String] {
        do {
            try store.history(key).append(entry)
            return []
        } catch {
            return ["history not written: \(error.message)"]
        }
    }
}
