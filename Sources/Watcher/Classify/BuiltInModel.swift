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
}
