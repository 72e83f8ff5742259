/// The one error type of the engine. It says what went wrong and where: the node,
/// its op type and the field (an attribute, an input, a protobuf field) involved.
public struct TinyGraphError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The bytes are not a well-formed GraphDef (truncated, bad wire type, bad length…).
        case malformedFile
        /// The graph is well-formed protobuf but not a valid model (dangling input, cycle, bad attribute…).
        case invalidGraph
        /// The graph uses ops TinyGraph does not implement; `message` lists them all.
        case unsupportedOps
        /// Shapes or types that do not fit the op (or are too large to run).
        case invalidShape
        /// The caller passed something wrong (unknown output name, wrong input size…).
        case invalidArgument
        /// A file could not be read.
        case io
    }

    public var kind: Kind
    /// Name of the node involved, if any.
    public var node: String?
    /// TensorFlow op type of that node, if known.
    public var op: String?
    /// Attribute, input or protobuf field involved, if any.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, node: String? = nil, op: String? = nil, field: String? = nil, _ message: String) {
        self.kind = kind
        self.node = node
        self.op = op
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = Self.label(kind)
        if let node {
            text += " in node '\(node)'"
            if let op { text += " (\(op))" }
        } else if let op {
            text += " in op \(op)"
        }
        if let field { text += ", field '\(field)'" }
        return text + ": " + message
    }

    private static func label(_ kind: Kind) -> String {
        switch kind {
        case .malformedFile: return "malformed model file"
        case .invalidGraph: return "invalid graph"
        case .unsupportedOps: return "unsupported ops"
        case .invalidShape: return "invalid shape"
        case .invalidArgument: return "invalid argument"
        case .io: return "I/O error"
        }
    }
}

extension TinyGraphError {
    /// One load error listing every unsupported op type (in first-use order) and up to
    /// five of the nodes or tensors that use each.
    static func unsupportedOps(_ ops: [String], usedBy users: [String: [String]]) -> TinyGraphError {
        var message = ops.count == 1 ? "1 op type is not supported: " : "\(ops.count) op types are not supported: "
        for (position, op) in ops.enumerated() {
            let names = users[op] ?? []
            message += (position > 0 ? "; " : "") + op + " (used by "
            for (index, name) in names.prefix(5).enumerated() { message += (index > 0 ? ", " : "") + "'" + name + "'" }
            if names.count > 5 { message += " and \(names.count - 5) more" }
            message += ")"
        }
        return TinyGraphError(.unsupportedOps, message)
    }
}
