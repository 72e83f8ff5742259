@_spi(Testing) @testable import TinyGraph

/// Writes small FlatBuffers for tests, front to back: each table's vtable just
/// before it, its children after it (so every `uoffset` points forward, as the
/// format requires). Enough for hand-made TFLite models and damaged variants.
indirect enum FlatObject {
    /// Fields by id.
    case table([(Int, FlatField)])
    case int32s([Int32])
    case floats([Float])
    /// A [long] vector whose data starts 8-byte aligned.
    case int64s([Int64])
    /// A [ubyte] vector whose data starts 16-byte aligned (Buffer.data's force_align).
    case bytes([UInt8])
    case string(String)
    case tables([FlatObject])
}

enum FlatField {
    case int8(Int8)
    case uint8(UInt8)
    case int32(Int32)
    case uint32(UInt32)
    case uint64(UInt64)
    case float32(Float)
    case offset(FlatObject)

    var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int32, .uint32, .float32, .offset: return 4
        case .uint64: return 8
        }
    }
}

struct FlatBufferWriter {
    private(set) var bytes: [UInt8] = []

    /// A file: root offset, identifier, then the root table and everything it refers to.
    static func file(_ root: FlatObject, identifier: String = "TFL3") -> [UInt8] {
        var writer = FlatBufferWriter()
        writer.bytes = [0, 0, 0, 0] + Array(identifier.utf8)
        let position = writer.write(root)
        writer.patch32(at: 0, UInt32(position))
        return writer.bytes
    }

    private mutating func align(_ alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func append32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private mutating func append16(_ value: Int) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    mutating func patch32(at position: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[position + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index)) }
    }

    @discardableResult
    private mutating func write(_ object: FlatObject) -> Int {
        switch object {
        case .table(let fields):
            // Inline layout: soffset, then each field aligned to its size.
            var layout = 4
            var offsets: [Int: Int] = [:]
            for (id, field) in fields {
                while layout % field.size != 0 { layout += 1 }
                offsets[id] = layout
                layout += field.size
            }
            let slots = (fields.map(\.0).max() ?? -1) + 1
            align(2)
            let vtable = bytes.count
            append16(4 + 2 * slots)
            append16(layout)
            for id in 0..<slots { append16(offsets[id] ?? 0) }
            align(8)
            let table = bytes.count
            bytes += [UInt8](repeating: 0, count: layout)
            patch32(at: table, UInt32(bitPattern: Int32(table - vtable)))
            var children: [(Int, FlatObject)] = []
            for (id, field) in fields {
                let at = table + offsets[id]!
                switch field {
                case .int8(let value): bytes[at] = UInt8(bitPattern: value)
                case .uint8(let value): bytes[at] = value
                case .int32(let value): patch32(at: at, UInt32(bitPattern: value))
                case .uint32(let value): patch32(at: at, value)
                case .float32(let value): patch32(at: at, value.bitPattern)
                case .uint64(let value):
                    patch32(at: at, UInt32(truncatingIfNeeded: value))
                    patch32(at: at + 4, UInt32(truncatingIfNeeded: value >> 32))
                case .offset(let child): children.append((at, child))
                }
            }
            for (at, child) in children {
                let position = write(child)
                patch32(at: at, UInt32(position - at))
            }
            return table
        case .int32s(let values):
            align(4)
            let position = bytes.count
            append32(UInt32(values.count))
            for value in values { append32(UInt32(bitPattern: value)) }
            return position
        case .floats(let values):
            align(4)
            let position = bytes.count
            append32(UInt32(values.count))
            for value in values { append32(value.bitPattern) }
            return position
        case .int64s(let values):
            while (bytes.count + 4) % 8 != 0 { bytes.append(0) }
            let position = bytes.count
            append32(UInt32(values.count))
            for value in values {
                append32(UInt32(truncatingIfNeeded: value))
                append32(UInt32(truncatingIfNeeded: value >> 32))
            }
            return position
        case .bytes(let data):
            while (bytes.count + 4) % 16 != 0 { bytes.append(0) }
            let position = bytes.count
            append32(UInt32(data.count))
            bytes += data
            return position
        case .string(let text):
            align(4)
            let position = bytes.count
            append32(UInt32(text.utf8.count))
            bytes += Array(text.utf8) + [0]
            return position
        case .tables(let items):
            align(4)
            let position = bytes.count
            append32(UInt32(items.count))
            let first = bytes.count
            bytes += [UInt8](repeating: 0, count: 4 * items.count)
            for (index, item) in items.enumerated() {
                let child = write(item)
                patch32(at: first + 4 * index, UInt32(child - (first + 4 * index)))
            }
            return position
        }
    }
}

/// Hand-made TFLite models (schema.fbs field ids) for reader and importer tests.
struct TFLiteTestModel {
    struct Tensor {
        var name: String
        var shape: [Int32]
        var type: Int8 = 0  // FLOAT32
        var buffer: UInt32 = 0
        var quantization: Quantization? = nil
    }

    /// QuantizationParameters: scale (2), zero_point (3), quantized_dimension (6).
    struct Quantization {
        var scales: [Float]
        var zeroPoints: [Int64]
        var dimension: Int32 = 0
    }

    struct Operator {
        var opcode: UInt32
        var inputs: [Int32]
        var outputs: [Int32]
        var optionsType: UInt8 = 0
        var options: [(Int, FlatField)] = []
    }

    struct SubGraph {
        var tensors: [Tensor]
        var inputs: [Int32]
        var outputs: [Int32]
        var operators: [Operator]
    }

    /// deprecated_builtin_code, builtin_code and custom_code; nil leaves a field out.
    struct Code {
        var deprecated: Int8?
        var builtin: Int32?
        var custom: String? = nil
    }

    var codes: [Code]
    var subgraphs: [SubGraph]
    /// Buffer 0 is the empty sentinel; give the others here (index 1 onward).
    var buffers: [[UInt8]]
    var version: UInt32 = 3

    var flatObject: FlatObject {
        var codeTables: [FlatObject] = []
        for code in codes {
            var fields: [(Int, FlatField)] = []
            if let deprecated = code.deprecated { fields.append((0, .int8(deprecated))) }
            if let builtin = code.builtin { fields.append((3, .int32(builtin))) }
            if let custom = code.custom { fields.append((1, .offset(.string(custom)))) }
            codeTables.append(.table(fields))
        }
        var subgraphTables: [FlatObject] = []
        for subgraph in subgraphs {
            let tensors: [FlatObject] = subgraph.tensors.map { tensor in
                var fields: [(Int, FlatField)] = [(0, .offset(.int32s(tensor.shape))), (1, .int8(tensor.type)), (2, .uint32(tensor.buffer)),
                                                  (3, .offset(.string(tensor.name)))]
                if let q = tensor.quantization {
                    fields.append((4, .offset(.table([(2, .offset(.floats(q.scales))), (3, .offset(.int64s(q.zeroPoints))),
                                                      (6, .int32(q.dimension))]))))
                }
                return .table(fields)
            }
            let operators: [FlatObject] = subgraph.operators.map { op in
                var fields: [(Int, FlatField)] = [(0, .uint32(op.opcode)), (1, .offset(.int32s(op.inputs))), (2, .offset(.int32s(op.outputs)))]
                if op.optionsType != 0 {
                    fields.append((3, .uint8(op.optionsType)))
                    fields.append((4, .offset(.table(op.options))))
                }
                return .table(fields)
            }
            subgraphTables.append(.table([
                (0, .offset(.tables(tensors))), (1, .offset(.int32s(subgraph.inputs))),
                (2, .offset(.int32s(subgraph.outputs))), (3, .offset(.tables(operators))), (4, .offset(.string("main"))),
            ]))
        }
        let bufferTables: [FlatObject] = [.table([])] + buffers.map { .table([(0, .offset(.bytes($0)))]) }
        return .table([
            (0, .uint32(version)), (1, .offset(.tables(codeTables))), (2, .offset(.tables(subgraphTables))),
            (3, .offset(.string("TinyGraph test"))), (4, .offset(.tables(bufferTables))),
        ])
    }

    var bytes: [UInt8] { FlatBufferWriter.file(flatObject) }

    static func floatBytes(_ values: [Float]) -> [UInt8] {
        var result: [UInt8] = []
        for value in values {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { result.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        return result
    }

    static func int32Bytes(_ values: [Int32]) -> [UInt8] {
        floatBytes(values.map { Float(bitPattern: UInt32(bitPattern: $0)) })
    }

    /// The int8 twin of `conv`: int8 input [1, 4, 4, 2] (scale 0.5, zero point -1),
    /// int8 filter [3, 2, 2, 2] with per-channel scales on dimension 0, int32 bias,
    /// int8 output [1, 3, 3, 3] (scale 0.25, zero point 2), fused RELU, as TensorFlow's
    /// converter writes them. Tensors: 0 input, 1 filter, 2 bias, 3 output.
    static func quantizedConv() -> TFLiteTestModel {
        let filter: [Int8] = [1, -2, 3, -4, 5, -6, 7, -8, 127, -127, 0, 1, 2, 3, 4, 5, -5, -4, -3, -2, -1, 0, 1, 2]
        let filterScales: [Float] = [0.01, 0.02, 0.03]
        return TFLiteTestModel(
            codes: [Code(deprecated: 3, builtin: 3)],
            subgraphs: [SubGraph(
                tensors: [
                    Tensor(name: "input", shape: [1, 4, 4, 2], type: 9, quantization: Quantization(scales: [0.5], zeroPoints: [-1])),
                    Tensor(name: "filter", shape: [3, 2, 2, 2], type: 9, buffer: 1,
                           quantization: Quantization(scales: filterScales, zeroPoints: [0, 0, 0])),
                    Tensor(name: "bias", shape: [3], type: 2, buffer: 2,
                           quantization: Quantization(scales: filterScales.map { $0 * 0.5 }, zeroPoints: [0, 0, 0])),
                    Tensor(name: "output", shape: [1, 3, 3, 3], type: 9, quantization: Quantization(scales: [0.25], zeroPoints: [2])),
                ],
                inputs: [0], outputs: [3],
                operators: [Operator(opcode: 0, inputs: [0, 1, 2], outputs: [3], optionsType: 1,
                                     options: [(0, .int8(1)), (1, .int32(1)), (2, .int32(1)), (3, .int8(1))])])],
            buffers: [filter.map { UInt8(bitPattern: $0) }, int32Bytes([100, -200, 300])])
    }

    /// Input [1, 4, 4, 2] → CONV_2D (3×2×2×2 OHWI filter, bias, VALID, stride 1,
    /// fused RELU) → output [1, 3, 3, 3]. Tensors: 0 input, 1 filter, 2 bias, 3 output.
    static func conv(filter: [Float], bias: [Float], codes: [Code] = [Code(deprecated: 3, builtin: 3)]) -> TFLiteTestModel {
        TFLiteTestModel(
            codes: codes,
            subgraphs: [SubGraph(
                tensors: [
                    Tensor(name: "input", shape: [1, 4, 4, 2]),
                    Tensor(name: "filter", shape: [3, 2, 2, 2], buffer: 1),
                    Tensor(name: "bias", shape: [3], buffer: 2),
                    Tensor(name: "output", shape: [1, 3, 3, 3]),
                ],
                inputs: [0], outputs: [3],
                operators: [Operator(opcode: 0, inputs: [0, 1, 2], outputs: [3], optionsType: 1,
                                     options: [(0, .int8(1)), (1, .int32(1)), (2, .int32(1)), (3, .int8(1))])])],
            buffers: [floatBytes(filter), floatBytes(bias)])
    }
}
