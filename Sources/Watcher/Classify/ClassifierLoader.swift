/// Loads the classifier a watcher uses and checks that it fits the policy: the
/// model, its labels and the pixel convention, and that the alert label is one of
/// the labels. Loading waits until it is needed so that a model that cannot be
/// loaded is a failed check (reported like an offline camera), not a crash.
public struct ClassifierLoader: Sendable {
    public var model: ModelSource
    public var labelsPath: String?
    public var preset: PixelPreset
    public var alertLabel: String

    public init(model: ModelSource, labelsPath: String? = nil, preset: PixelPreset = .customVision, alertLabel: String = "open") {
        self.model = model
        self.labelsPath = labelsPath
        self.preset = preset
        self.alertLabel = alertLabel
    }

    /// `.model` when the model cannot be loaded; `.usage` when the labels do not fit.
    public func load() throws(WatcherError) -> LockClassifier {
        let classifier = try LockClassifier(model: model, labelsPath: labelsPath, preset: preset)
        guard classifier.labels.contains(alertLabel) else {
            throw WatcherError(.usage, "--alert-label '\(alertLabel)' is not one of the model's labels: "
                + classifier.labels.joined(separator: ", "))
        }
        return classifier
    }
}
