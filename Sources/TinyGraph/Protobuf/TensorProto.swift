/// `tensorflow.TensorProto`, decoded without copying `tensor_content`: the bulk
/// bytes stay a range of the file until `makeBuffer` copies them once.
struct TensorProto: Equatable {
    var dtypeCode = 0
    var shape = TensorShapeProto()
    var content: ByteRange?
    var floatValues: [Float] = []
    var doubleValues: [Double] = []
    /// int_val (int32, also int8/int16/uint8) and int64_val; bool_val as 0/1.
    var intValues: [Int64] = []
    var int64Values: [Int64] = []
    var boolValues: [Int64] = []
    var halfValues: [Int64] = []

    static func decode(_ reader: inout ProtoReader) throws(TinyGraphError) -> TensorProto {
        var tensor = TensorProto()
        while let (number, wireType) = try reader.nextField() {
            switch number {
            case 1:
                try reader.expect(.varint, wireType, "dtype")
                tensor.dtypeCode = Int(truncatingIfNeeded: try reader.readVarint("dtype"))
            case 2:
                try reader.expect(.lengthDelimited, wireType, "tensor_shape")
                var shapeReader = try reader.readMessage("tensor_shape", as: "TensorShapeProto")
                tensor.shape = try TensorShapeProto.decode(&shapeReader)
            case 4:
                try reader.expect(.lengthDelimited, wireType, "tensor_content")
                tensor.content = try reader.readLengthDelimited("tensor_content")
            case 5: try reader.readRepeatedFloats(wireType, "float_val", into: &tensor.floatValues)
            case 6: try reader.readRepeatedDoubles(wireType, "double_val", into: &tensor.doubleValues)
            case 7: try reader.readRepeatedVarints(wireType, "int_val", into: &tensor.intValues)
            case 10: try reader.readRepeatedVarints(wireType, "int64_val", into: &tensor.int64Values)
            case 11: try reader.readRepeatedVarints(wireType, "bool_val", into: &tensor.boolValues)
            case 13: try reader.readRepeatedVarints(wireType, "half_val", into: &tensor.halfValues)
            default:
                try reader.skip(wireType, field: number)
            }
        }
        return tensor
    }

    /// The constant's type: a supported dtype, a known rank, sane dims, and at most
    /// `byteLimit` bytes.
    func tensorType(node: String, op: String, byteLimit: Int = .max) throws(TinyGraphError) -> TensorType {
        func fail(_ field: String, _ message: String) -> TinyGraphError {
            TinyGraphError(.invalidGraph, node: node, op: op, field: field, message)
        }
        guard let dtype = DType(tensorFlowCode: dtypeCode) else {
            throw fail("value.dtype", "tensor type \(DType.tensorFlowName(code: dtypeCode)) is not supported")
        }
        guard !shape.unknownRank else { throw fail("value.tensor_shape", "constant has an unknown rank") }
        var dims: [Int] = []
        for dim in shape.dims {
            guard dim >= 0, dim <= Int64(TensorType.maxElementCount) else {
                throw fail("value.tensor_shape", "dimension \(dim) is invalid")
            }
            dims.append(Int(dim))
        }
        guard TensorType.checkedElementCount(dims) != nil else {
            throw fail("value.tensor_shape", "shape \(TensorType.describe(dims)) is too large")
        }
        let type = TensorType(dtype, dims)
        guard type.byteCount <= byteLimit else {
            throw TinyGraphError(.invalidShape, node: node, op: op, field: "value.tensor_shape",
                                 "constant of \(type.byteCount) bytes exceeds the memory limit")
        }
        return type
    }

    /// `tensor_content` in place in the file, checked to hold exactly `type`'s bytes;
    /// nil when the values are in the typed `*_val` fields. Little-endian, as are all
    /// targets TinyGraph runs on; possibly unaligned.
    func content(in file: UnsafeRawBufferPointer, type: TensorType, node: String, op: String) throws(TinyGraphError) -> UnsafeRawPointer? {
        guard let content else { return nil }
        guard content.count == type.byteCount else {
            throw TinyGraphError(.invalidGraph, node: node, op: op, field: "value.tensor_content",
                                 "has \(content.count) bytes, shape \(TensorType.describe(type.shape)) of \(type.dtype.name) needs \(type.byteCount)")
        }
        return file.baseAddress! + content.start
    }

    /// Copies the tensor's values into a new buffer, applying TensorFlow's rules:
    /// `tensor_content` must hold exactly the element count; typed `*_val` fields
    /// with fewer values than elements repeat the last one; none means zeros.
    func makeBuffer(file: UnsafeRawBufferPointer, node: String, op: String, byteLimit: Int = .max) throws(TinyGraphError) -> (TensorType, TensorBuffer) {
        func fail(_ field: String, _ message: String) -> TinyGraphError {
            TinyGraphError(.invalidGraph, node: node, op: op, field: field, message)
        }
        let type = try tensorType(node: node, op: op, byteLimit: byteLimit)
        let dtype = type.dtype
        let count = type.elementCount
        let buffer = TensorBuffer(byteCount: type.byteCount)
        if let bytes = try content(in: file, type: type, node: node, op: op) {
            buffer.bytes.copyMemory(from: bytes, byteCount: type.byteCount)
            return (type, buffer)
        }

        switch dtype {
        case .float32:
            if !floatValues.isEmpty {
                try fill(buffer, count, floatValues, "value.float_val", fail) { $0 }
            } else if !doubleValues.isEmpty {
                try fill(buffer, count, doubleValues, "value.double_val", fail) { Float($0) }
            } else if !halfValues.isEmpty {
                throw fail("value.half_val", "half_val on a float tensor")
            }
        case .int32:
            try fill(buffer, count, intValues, "value.int_val", fail) { Int32(truncatingIfNeeded: $0) }
        case .int64:
            let values = int64Values.isEmpty ? intValues : int64Values
            try fill(buffer, count, values, "value.int64_val", fail) { $0 }
        case .bool:
            try fill(buffer, count, boolValues, "value.bool_val", fail) { UInt8($0 != 0 ? 1 : 0) }
        case .int8, .uint8:
            break  // DType(tensorFlowCode:) maps no GraphDef type to them
        }
        return (type, buffer)
    }

    private func fill<Source, Element>(
        _ buffer: TensorBuffer, _ count: Int, _ values: [Source], _ field: String,
        _ fail: (String, String) -> TinyGraphError, _ convert: (Source) -> Element
    ) throws(TinyGraphError) {
        guard !values.isEmpty, count > 0 else { return }
        guard values.count <= count else {
            throw fail(field, "has \(values.count) values for \(count) elements")
        }
        let elements = buffer.bytes.bindMemory(to: Element.self, capacity: count)
        for index in 0..<count {
            elements[index] = convert(values[min(index, values.count - 1)])
        }
    }
}
