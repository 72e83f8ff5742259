import TinyGraph

/// The demo lock model (`Models/lock-demo`, see its model card) built into the
/// watcher, so an installed binary classifies with no model file beside it. It is
/// the default `--model`; `scripts/embed-demo-model.sh` regenerates its data from
/// the repository's files, and a test fails while they differ.
public enum BuiltInModel {
    /// How `--model` names it, and how messages and `watcher demo` show it.
    public static let name = "built-in:lock-demo"

    public static func modelBytes() -> [UInt8] {
        guard let bytes = Base64.decode(lockDemoModelBase64) else {
            fatalError("the built-in model's data is not base64: regenerate it with scripts/embed-demo-model.sh")
        }
        return bytes
    }

    public static func labels() -> [String] {
        Labels.parse(String(decoding: Base64.decode(lockDemoLabelsBase64) ?? [], as: UTF8.self))
    }
}

/// Where a model comes from: a file, or the built-in demo model.
public enum ModelSource: Sendable, Equatable {
    case file(String)
    case builtIn

    /// `--model PATH`, or `built-in:lock-demo` (also the default).
    public init(option: String?) {
        guard let option, option != BuiltInModel.name else {
            self = .builtIn
            return
        }
        self = .file(option)
    }

    public var description: String {
        switch self {
        case .file(let path): return path
        case .builtIn: return BuiltInModel.name
        }
    }

    /// How errors and reports name it.
    public var name: String { description }

    /// The model file's bytes.
    public func readBytes() throws(WatcherError) -> [UInt8] {
        switch self {
        case .file(let path):
            do { return try FileSystem.read(path, limit: 1 << 30) } catch { throw WatcherError(.model, error.message) }
        case .builtIn:
            return BuiltInModel.modelBytes()
        }
    }

    /// Loads the model: a file is memory-mapped and unmapped after import.
    func load(_ options: LoadOptions) throws(WatcherError) -> Model {
        do {
            switch self {
            case .file(let path): return try Model(contentsOf: path, options: options)
            case .builtIn: return try Model(bytes: BuiltInModel.modelBytes(), options: options)
            }
        } catch {
            throw WatcherError(.model, "cannot load \(name): \(error)")
        }
    }

    /// Its labels: `labelsPath`, else `labels.txt` beside a model file, else the built-in model's.
    public func labels(labelsPath: String?) throws(WatcherError) -> [String] {
        switch (self, labelsPath) {
        case (.builtIn, nil): return BuiltInModel.labels()
        case (.builtIn, let path?): return try Labels.load(path: path)
        case (.file(let path), _): return try Labels.load(modelPath: path, labelsPath: labelsPath)
        }
    }

    /// The file's path, nil for the built-in model.
    public var filePath: String? {
        if case .file(let path) = self { return path }
        return nil
    }
}
