/// A TensorFlow Lite model (schema.fbs `Model`) decoded from its FlatBuffer. Tables
/// become small structs; buffer contents stay in the file as byte ranges, so weights
/// are not copied here. Field ids are the schema's field order (vtable slot = id).
struct TFLiteModel {
    /// `OperatorCode`: deprecated_builtin_code (0, byte), custom_code (1, string),
    /// version (2, int = 1), builtin_code (3, BuiltinOperator int32).
    struct OperatorCode {
        var deprecatedBuiltinCode: Int8
        var builtinCode: Int32
        var customCode: String?
        var version: Int32

        /// The operator: the larger of the two codes, as TFLite's own reader does
        /// (old files set only the byte; codes above 127 only the int32).
        var code: Int32 { max(builtinCode, Int32(deprecatedBuiltinCode)) }

        var name: String {
            if code == TFLiteBuiltinOp.custom.rawValue { return "CUSTOM '" + (customCode ?? "") + "'" }
            return TFLiteSchema.operatorName(code)
        }

        static func decode(_ table: FlatTable) throws(TinyGraphError) -> OperatorCode {
            OperatorCode(
                deprecatedBuiltinCode: try table.int8(0, "deprecated_builtin_code"),
                builtinCode: try table.int32(3, "builtin_code"),
                customCode: try table.string(1, "custom_code"),
                version: try table.int32(2, "version", default: 1))
        }
    }

    /// `Tensor`: shape (0, [int]), type (1, TensorType byte), buffer (2, uint),
    /// name (3, string), quantization (4, QuantizationParameters), is_variable (5),
    /// sparsity (6), shape_signature (7, [int]), has_rank (8).
    struct Tensor {
        var shape: [Int32]
        var shapeSignature: [Int32]?
        var typeCode: Int8
        var buffer: UInt32
        var name: String
        /// Its QuantizationParameters, when they have scales or zero points (as
        /// read: checked by the importer for the tensors it uses).
        var quantization: Quantization?
        var isVariable: Bool
        var isSparse: Bool

        /// `QuantizationParameters`: min (0), max (1), scale (2, [float]), zero_point
        /// (3, [long]), details (4 type, 5 table), quantized_dimension (6, int).
        struct Quantization {
            var scales: [Float]
            var zeroPoints: [Int64]
            var dimension: Int32
            /// A QuantizationDetails union (custom quantization): TinyGraph refuses it.
            var hasDetails: Bool
        }

        var isQuantized: Bool { quantization != nil }
        var type: TFLiteTensorType? { TFLiteTensorType(rawValue: typeCode) }
        var typeName: String { TFLiteSchema.tensorTypeName(typeCode) }

        static func decode(_ table: FlatTable) throws(TinyGraphError) -> Tensor {
            var quantization: Quantization? = nil
            if let parameters = try table.table(4, "quantization", type: "QuantizationParameters") {
                let scales = try parameters.floats(2, "scale") ?? []
                let zeroPoints = try parameters.int64s(3, "zero_point") ?? []
                let details = try parameters.union(4, "details", typeName: { _ in "QuantizationDetails" })
                if !scales.isEmpty || !zeroPoints.isEmpty || details.code != 0 {
                    quantization = Quantization(scales: scales, zeroPoints: zeroPoints,
                                                dimension: try parameters.int32(6, "quantized_dimension"),
                                                hasDetails: details.code != 0)
                }
            }
            return Tensor(
                shape: try table.int32s(0, "shape") ?? [],
                shapeSignature: try table.int32s(7, "shape_signature"),
                typeCode: try table.int8(1, "type"),
                buffer: try table.uint32(2, "buffer"),
                name: try table.string(3, "name") ?? "",
                quantization: quantization,
                isVariable: try table.bool(5, "is_variable"),
                isSparse: try table.table(6, "sparsity", type: "SparsityParameters") != nil)
        }
    }

    /// `Buffer`: data (0, [ubyte]), or for files over 2 GB offset (1, ulong) and
    /// size (2, ulong) of bytes stored after the FlatBuffer, from the start of the
    /// file (only when offset > 1). Empty: no data (an activation's tensor).
    struct Buffer {
        var data: ByteRange

        static func decode(_ table: FlatTable, index: Int, file: FlatBuffer) throws(TinyGraphError) -> Buffer {
            let inline = try table.vector(0, "data", elementSize: 1)
            let offset = try table.uint64(1, "offset")
            let size = try table.uint64(2, "size")
            guard offset > 1 else { return Buffer(data: inline?.byteRange ?? ByteRange(start: 0, count: 0)) }
            guard inline == nil || inline!.count == 0 else {
                throw file.error("Buffer", "offset", "buffer \(index) has both inline data and an offset")
            }
            guard let start = Int(exactly: offset), let count = Int(exactly: size), file.contains(start, count) else {
                throw file.error("Buffer", "offset", "buffer \(index): \(size) bytes at offset \(offset) lie outside the file (\(file.count) bytes)")
            }
            return Buffer(data: ByteRange(start: start, count: count))
        }
    }

    /// `Operator`: opcode_index (0, uint), inputs (1, [int], -1 = absent optional
    /// input), outputs (2, [int]), builtin_options (3 type, 4 table). The options table
    /// is read by the op's importer (TFLiteOptions.swift).
    struct Operator {
        var opcodeIndex: UInt32
        var inputs: [Int32]
        var outputs: [Int32]
        var optionsType: UInt8
        var options: FlatTable?

        static func decode(_ table: FlatTable) throws(TinyGraphError) -> Operator {
            let options = try table.union(3, "builtin_options", typeName: TFLiteOptionsType.tableName)
            return Operator(
                opcodeIndex: try table.uint32(0, "opcode_index"),
                inputs: try table.int32s(1, "inputs") ?? [],
                outputs: try table.int32s(2, "outputs") ?? [],
                optionsType: options.code, options: options.table)
        }
    }

    /// `SubGraph`: tensors (0), inputs (1, [int]), outputs (2, [int]), operators (3,
    /// in execution order), name (4).
    struct SubGraph {
        var tensors: [Tensor] = []
        var inputs: [Int32] = []
        var outputs: [Int32] = []
        var operators: [Operator] = []
        var name = ""

        static func decode(_ table: FlatTable) throws(TinyGraphError) -> SubGraph {
            var subgraph = SubGraph()
            for tensor in try table.tables(0, "tensors", type: "Tensor") { subgraph.tensors.append(try Tensor.decode(tensor)) }
            subgraph.inputs = try table.int32s(1, "inputs") ?? []
            subgraph.outputs = try table.int32s(2, "outputs") ?? []
            for op in try table.tables(3, "operators", type: "Operator") { subgraph.operators.append(try Operator.decode(op)) }
            subgraph.name = try table.string(4, "name") ?? ""
            return subgraph
        }
    }

    /// The schema version TinyGraph reads (TFLite's own `TFLITE_SCHEMA_VERSION`).
    static let schemaVersion: UInt32 = 3

    var version: UInt32 = 0
    var operatorCodes: [OperatorCode] = []
    var subgraphs: [SubGraph] = []
    var description: String?
    var buffers: [Buffer] = []

    /// `Model`: version (0, uint), operator_codes (1), subgraphs (2), description
    /// (3), buffers (4). Checks the identifier, the structure and every index
    /// (TFLiteModelValidation.swift).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(TinyGraphError) -> TFLiteModel {
        let file = FlatBuffer(bytes)
        guard FlatBuffer.hasIdentifier(bytes, TFLiteSchema.fileIdentifier) else {
            throw file.error("Model", "", "the file does not carry the TFLite identifier \"TFL3\" at bytes 4..<8")
        }
        let root = try file.root("Model")
        var model = TFLiteModel()
        model.version = try root.uint32(0, "version")
        guard model.version == schemaVersion else {
            throw file.error("Model", "version", "schema version \(model.version) is not supported (TinyGraph reads version \(schemaVersion))")
        }
        for code in try root.tables(1, "operator_codes", type: "OperatorCode") { model.operatorCodes.append(try OperatorCode.decode(code)) }
        for subgraph in try root.tables(2, "subgraphs", type: "SubGraph") { model.subgraphs.append(try SubGraph.decode(subgraph)) }
        model.description = try root.string(3, "description")
        for (index, buffer) in try root.tables(4, "buffers", type: "Buffer").enumerated() {
            model.buffers.append(try Buffer.decode(buffer, index: index, file: file))
        }
        try model.validateIndices(file)
        return model
    }
}
