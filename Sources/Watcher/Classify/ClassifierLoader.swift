/// How to load the classifier a watcher uses: the model, its labels and the
/// pixel convention. Loading waits until it is needed, so that a model that cannot
/// be loaded is a failed check (reported like an offline camera), not a crash.
public struct ClassifierLoader: Sendable {
    public var model: ModelSource
    public var labelsPath: String?
    public var preset: PixelPreset
    /// Threads each inference uses (`LoadOptions.threads`); 1 keeps a check on one core.
    public var threads: Int

    public init(model: ModelSource, labelsPath: String? = nil, preset: PixelPreset = .customVision, threads: Int = 1) {
        self.model = model
        self.labelsPath = labelsPath
        self.preset = preset
        self.threads = threads
    }

    /// `.model` when the model cannot be loaded; `.usage` when the labels do not fit it.
    public func load() throws(WatcherError) -> LockClassifier {
        try LockClassifier(model: model, labelsPath: labelsPath, preset: preset, threads: threads)
    }
}
