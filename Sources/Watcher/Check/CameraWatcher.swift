import TinyImage

/// One camera's check: still → crop → classify → decide → archive → notify →
/// save state. The same code runs for `watcher once`, `run`, `check` and `demo`.
public final class CameraWatcher {
    public let source: ImageSource
    public let classifier: LockClassifier
    public let crop: CropGeometry?
    public let policy: DecisionPolicy
    public let store: StateStore
    public let outbox: Outbox
    public let archive: SnapshotArchive?
    /// How the camera is named in messages (defaults to the source's id).
    public let cameraName: String
    /// Names the camera's state file: the given name if any, else the source's id
    /// (so a file source replaced by another path is still the same camera).
    public let stateKey: String

    public init(source: ImageSource, classifier: LockClassifier, crop: CropGeometry?, policy: DecisionPolicy,
                store: StateStore, outbox: Outbox, archive: SnapshotArchive?, cameraName: String?) throws(WatcherError) {
        try policy.validate()
        guard classifier.labels.contains(policy.alertLabel) else {
            throw WatcherError(.usage, "--alert-label '\(policy.alertLabel)' is not one of the model's labels: "
                + classifier.labels.joined(separator: ", "))
        }
        self.source = source
        self.classifier = classifier
        self.crop = crop
        self.policy = policy
        self.store = store
        self.outbox = outbox
        self.archive = archive
        self.cameraName = cameraName ?? source.cameraID
        self.stateKey = cameraName ?? source.cameraID
    }

    /// Runs one check. If the still cannot be had, messages owed from earlier checks
    /// are still retried and saved, and the source's error is thrown; the decision
    /// state is untouched.
    public func check(now: Int) throws(WatcherError) -> CheckResult {
        var state = try store.load(camera: stateKey)

        let classification: Classification
        let cropImage: RGBImage
        let still: [UInt8]
        do {
            still = try source.fetchStill(now: now)
            (classification, cropImage) = try classifier.classify(jpeg: still, crop: crop)
        } catch {
            if !state.outbox.isEmpty {
                _ = outbox.deliver(nil, image: nil, state: &state)
                try store.save(state, camera: stateKey)
            }
            throw error
        }

        let alertProbability = classification.probability(of: policy.alertLabel) ?? 0
        let verdict = policy.verdict(alertProbability: alertProbability)
        let top = classification.top
        let record = CheckRecord(time: now, label: top.label, probability: top.probability,
                                 alertProbability: alertProbability, verdict: verdict)
        let message = DecisionEngine.observe(record, camera: cameraName, policy: policy, state: &state)

        var warnings = source.warnings()
        var cropJPEG: [UInt8]?
        if message != nil || archive != nil {
            do { cropJPEG = try JPEGEncoder.encode(cropImage, quality: 90) } catch {
                warnings.append("cannot encode the crop: \(error)")
            }
        }
        var archivedPath: String?
        if let archive, let cropJPEG {
            let folder = verdict == .unsure ? "unsure" : top.label
            do {
                archivedPath = try archive.save(crop: cropJPEG, still: still, folderName: folder, camera: cameraName,
                                                probability: top.probability, time: now)
            } catch {
                warnings.append("snapshot not archived: \(error.message)")
            }
        }
        let delivery = outbox.deliver(message, image: cropJPEG, state: &state)
        if delivery.dropped > 0 { warnings.append("\(delivery.dropped) undelivered message(s) dropped: outbox full") }
        try store.save(state, camera: stateKey)

        return CheckResult(camera: cameraName, time: now, classification: classification, alertLabel: policy.alertLabel,
                           alertProbability: alertProbability, verdict: verdict, message: message, delivery: delivery,
                           archivedPath: archivedPath, warnings: warnings, state: state)
    }
}
