/// DEQUANTIZE of float16 weights (TFLite's "float16 quantization"): the constant is
/// widened to float32 once, at load, and the operators that read it see a float32
/// constant like any other. Integer-quantized inputs never get here: the importer
/// refuses quantized models first.
extension TFLiteGraphBuilder {
    mutating func importDequantize(_ op: Operator) throws(TinyGraphError) {
        guard hasInput(op, 0) else { throw error(field: "inputs", "DEQUANTIZE has no input") }
        let index = Int(op.inputs[0])
        let source = subgraph.tensors[index]
        guard source.type == .float16 else {
            throw error(.unsupportedOps, field: "Tensor.type", "DEQUANTIZE of \(source.typeName) '\(source.name)' is not supported; only float16 weights are")
        }
        guard tensorValues[index] == nil, let data = constantData(ofTensor: index) else {
            throw error(field: "inputs", "'\(source.name)' must be a float16 constant; float16 activations are not supported")
        }
        let shape = try fileShape(source)
        let count = TensorType(.float32, shape).elementCount
        guard data.count == 2 * count else {
            throw error(field: "Buffer.data", "constant '\(source.name)': buffer \(source.buffer) has \(data.count) bytes; shape \(TensorType.describe(shape)) of float16 needs \(2 * count)")
        }
        constantBytes += 4 * count
        guard constantBytes <= options.memoryLimit else {
            throw error(.invalidShape, field: "Buffer.data", "constants exceed the memory limit")
        }
        let buffer = TensorBuffer(byteCount: 4 * count)
        let floats = buffer.bytes.assumingMemoryBound(to: Float.self)
        for element in 0..<count {
            let bits = UInt16(littleEndian: file.loadUnaligned(fromByteOffset: data.start + 2 * element, as: UInt16.self))
            floats[element] = Self.float(fromHalf: bits)
        }
        try bind(op, output: 0, to: addScratch(Value(name: source.name, type: TensorType(.float32, shape), constant: buffer)))
    }

    /// IEEE 754 binary16 → binary32. Exact: every half value is a float.
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0x1F:  // infinity, NaN
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        case 0:  // zero, subnormal: mantissa · 2⁻²⁴
            let magnitude = Float(mantissa) * (1 / 16_777_216)
            return sign != 0 ? -magnitude : magnitude
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
