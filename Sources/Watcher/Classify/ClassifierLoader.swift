/// How to load the classifier a watcher uses: the model, its labels and the
/// pixel convention. Loading waits until it is needed, so that a model that cannot
/// be loaded is a failed check (reported like an offline camera), not a crash.
public struct ClassifierLoader: Sendable {
    public var model: ModelSource
    public var labelsPath: String?
    public var preset: PixelPreset

    public init(model: ModelSource, labelsPath: String? = nil, preset: PixelPreset = .customVision) {
        self.model = model
        self.labelsPath = labelsPath
        self.preset = preset
    }

    /// `.model` when the model cannot be loaded; `.usage` when the labels do not fit it.
    public func load() throws(WatcherError) -> LockClassifier {
        try LockClassifier(model: model, labelsPath: labelsPath, preset: preset)
    }
}
