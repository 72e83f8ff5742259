/// A GraphDef's nodes with where each lies in the file, so that a few of them can
/// be rewritten while every other byte is copied unchanged.
struct GraphDefLayout {
    struct Entry {
        var node: NodeDef
        /// The whole `node` field of the GraphDef: tag, length and message.
        var field: ByteRange
        /// The NodeDef message alone.
        var message: ByteRange
    }

    var entries: [Entry]

    static func scan(_ file: UnsafeRawBufferPointer) throws(TinyGraphError) -> GraphDefLayout {
        var reader = ProtoReader(file: file, range: ByteRange(start: 0, count: file.count), message: "GraphDef")
        var entries: [Entry] = []
        while true {
            let start = reader.position
            guard let (number, wireType) = try reader.nextField() else { break }
            guard number == 1 else {
                try reader.skip(wireType, field: number)
                continue
            }
            try reader.expect(.lengthDelimited, wireType, "node")
            var nodeReader = try reader.readMessage("node", as: "NodeDef")
            let message = ByteRange(start: nodeReader.position, count: nodeReader.end - nodeReader.position)
            let node = try NodeDef.decode(&nodeReader)
            entries.append(Entry(node: node, field: ByteRange(start: start, count: reader.position - start), message: message))
        }
        return GraphDefLayout(entries: entries)
    }
}

/// A new value for one `Const` node: TensorFlow `DataType` code, shape and the
/// little-endian bytes of `tensor_content`.
struct ConstantReplacement {
    var entry: Int
    var dtypeCode: Int
    var shape: [Int]
    var content: [UInt8]
}

/// Writes a copy of a GraphDef in which some `Const` nodes hold new values. Each
/// rewritten node keeps its fields in their order (name, op, inputs, device, other
/// attributes); only its `value` attribute is encoded anew, in the same place, and a
/// stale `_output_shapes` attribute is dropped. Every byte outside the rewritten
/// nodes is copied as it was.
enum GraphDefWriter {
    static func write(_ file: UnsafeRawBufferPointer, layout: GraphDefLayout,
                      replacing replacements: [ConstantReplacement]) throws(TinyGraphError) -> [UInt8] {
        var byEntry: [Int: ConstantReplacement] = [:]
        for replacement in replacements {
            let node = layout.entries[replacement.entry].node
            guard node.op == "Const" else {
                throw TinyGraphError(.invalidArgument, node: node.name, op: node.op, field: "value", "only Const nodes are rewritten")
            }
            byEntry[replacement.entry] = replacement
        }
        var output = ProtoEncoder()
        var added = 0
        for replacement in replacements { added += replacement.content.count + 64 + 16 * replacement.shape.count }
        output.reserve(file.count + added)
        var copied = 0
        for (index, entry) in layout.entries.enumerated() {
            guard let replacement = byEntry[index] else { continue }
            output.copy(ByteRange(start: copied, count: entry.field.start - copied), from: file)
            output.lengthDelimited(1, try rewrittenConstant(file, entry, replacement))
            copied = entry.field.end
        }
        output.copy(ByteRange(start: copied, count: file.count - copied), from: file)
        return output.bytes
    }

    private static func rewrittenConstant(_ file: UnsafeRawBufferPointer, _ entry: GraphDefLayout.Entry,
                                          _ replacement: ConstantReplacement) throws(TinyGraphError) -> [UInt8] {
        var reader = ProtoReader(file: file, range: entry.message, message: "NodeDef")
        var output = ProtoEncoder()
        var wroteValue = false
        while true {
            let start = reader.position
            guard let (number, wireType) = try reader.nextField() else { break }
            try reader.skip(wireType, field: number)
            let field = ByteRange(start: start, count: reader.position - start)
            if number == 5, wireType == .lengthDelimited {
                switch try attributeKey(file, field) {
                case "value":
                    if !wroteValue { output.append(valueAttribute(replacement)) }
                    wroteValue = true
                    continue
                case "_output_shapes":
                    continue
                default:
                    break
                }
            }
            output.copy(field, from: file)
        }
        guard wroteValue else {
            throw TinyGraphError(.invalidGraph, node: entry.node.name, op: entry.node.op, field: "value", "the Const node has no value attribute")
        }
        return output.bytes
    }

    /// The key of one `attr` map entry (field 5 of a NodeDef), read from its bytes.
    private static func attributeKey(_ file: UnsafeRawBufferPointer, _ field: ByteRange) throws(TinyGraphError) -> String {
        var reader = ProtoReader(file: file, range: field, message: "NodeDef")
        _ = try reader.nextField()
        var entry = try reader.readMessage("attr", as: "NodeDef.AttrEntry")
        while let (number, wireType) = try entry.nextField() {
            if number == 1, wireType == .lengthDelimited { return try entry.readString("key") }
            try entry.skip(wireType, field: number)
        }
        return ""
    }

    /// `attr { key: "value" value { tensor { dtype, tensor_shape, tensor_content } } }`.
    private static func valueAttribute(_ replacement: ConstantReplacement) -> [UInt8] {
        var shape = ProtoEncoder()
        for size in replacement.shape {
            var dim = ProtoEncoder()
            dim.varintField(1, Int64(size))
            shape.lengthDelimited(2, dim.bytes)
        }
        var tensor = ProtoEncoder()
        tensor.varintField(1, Int64(replacement.dtypeCode))
        tensor.lengthDelimited(2, shape.bytes)
        tensor.lengthDelimited(4, replacement.content)
        var value = ProtoEncoder()
        value.lengthDelimited(8, tensor.bytes)
        var entry = ProtoEncoder()
        entry.string(1, "value")
        entry.lengthDelimited(2, value.bytes)
        var field = ProtoEncoder()
        field.lengthDelimited(5, entry.bytes)
        return field.bytes
    }
}
