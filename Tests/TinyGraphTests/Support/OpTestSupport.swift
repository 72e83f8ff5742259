@_spi(Testing) @testable import TinyGraph

/// Builds single-op graphs in memory for kernel tests: constants in, outputs out,
/// through the same resolve → fold path the importer uses.
enum OpTest {
    static func floats(_ values: [Float], _ shape: [Int], name: String = "x") -> Value {
        let type = TensorType(.float32, shape)
        precondition(values.count == type.elementCount, "\(name): \(values.count) values for \(shape)")
        let buffer = TensorBuffer(byteCount: type.byteCount)
        let elements = buffer.bytes.assumingMemoryBound(to: Float.self)
        for (index, value) in values.enumerated() { elements[index] = value }
        return Value(name: name, type: type, constant: buffer)
    }

    static func int32s(_ values: [Int], _ shape: [Int]? = nil, name: String = "i") -> Value {
        let type = TensorType(.int32, shape ?? [values.count])
        let buffer = TensorBuffer(byteCount: type.byteCount)
        let elements = buffer.bytes.assumingMemoryBound(to: Int32.self)
        for (index, value) in values.enumerated() { elements[index] = Int32(value) }
        return Value(name: name, type: type, constant: buffer)
    }

    static func int64s(_ values: [Int], _ shape: [Int]? = nil, name: String = "i") -> Value {
        let type = TensorType(.int64, shape ?? [values.count])
        let buffer = TensorBuffer(byteCount: type.byteCount)
        let elements = buffer.bytes.assumingMemoryBound(to: Int64.self)
        for (index, value) in values.enumerated() { elements[index] = Int64(value) }
        return Value(name: name, type: type, constant: buffer)
    }

    /// A non-constant input of the given type (for resolve-only tests: shapes, errors).
    static func activation(_ shape: [Int], _ dtype: DType = .float32, name: String = "x") -> Value {
        Value(name: name, type: TensorType(dtype, shape), constant: nil)
    }

    /// Deterministic pseudo-random floats in -1...1.
    static func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    static func resolve(_ op: String, _ inputs: [Value], _ attributes: [String: AttrValue] = [:]) throws(TinyGraphError) -> ResolvedNode {
        let context = NodeContext(name: "test_node", opType: op, attributes: attributes, inputs: inputs)
        return try OperatorRegistry.resolve(context)
    }

    struct Output {
        var type: TensorType
        var buffer: TensorBuffer
        var shape: [Int] { type.shape }
        var floats: [Float] {
            Array(UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: Float.self), count: type.elementCount))
        }
        /// int32/int64/bool outputs as Int.
        var ints: [Int] {
            switch type.dtype {
            case .int32: return UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: Int32.self), count: type.elementCount).map { Int($0) }
            case .int64: return UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: Int64.self), count: type.elementCount).map { Int($0) }
            case .bool, .uint8: return UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: UInt8.self), count: type.elementCount).map { Int($0) }
            case .int8: return UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: Int8.self), count: type.elementCount).map { Int($0) }
            case .float32: return floats.map { Int($0) }
            }
        }
    }

    /// Resolves and runs one op on constant inputs.
    static func run(_ op: String, _ inputs: [Value], _ attributes: [String: AttrValue] = [:]) throws(TinyGraphError) -> [Output] {
        let resolved = try resolve(op, inputs, attributes)
        let buffers = ConstantFolding.evaluate(resolved, inputs: inputs)
        return zip(resolved.outputTypes, buffers).map { Output(type: $0.0, buffer: $0.1) }
    }

    // Attribute builders, as TensorFlow writes them.
    static func ints(_ values: [Int]) -> AttrValue { .list(AttrList(ints: values.map { Int64($0) })) }
    static func string(_ value: String) -> AttrValue { .string(value) }
    static func type(_ dtype: DType) -> AttrValue {
        switch dtype {
        case .float32: return .type(1)
        case .int32: return .type(3)
        case .int64: return .type(9)
        case .bool: return .type(10)
        case .int8: return .type(6)
        case .uint8: return .type(4)
        }
    }

    /// The one comparison of computed and reference values (ValueComparison): NaN,
    /// infinity and count mismatches are infinite errors; the report names the worst
    /// element. `#expect(OpTest.compare(got, want) <= tolerance)`.
    static func compare(_ actual: [Float], _ expected: [Float]) -> ValueComparison {
        ValueComparison(actual, expected)
    }

    /// The same comparison in quantization steps, for outputs of quantized models
    /// (dequantized with the same step): each value is divided by `step` and rounded,
    /// so the worst error is how many steps apart the quantized values are. NaN and
    /// infinities stay themselves, so they are still infinite errors.
    static func compareQuantized(_ actual: [Float], _ expected: [Float], step: Float) -> ValueComparison {
        func steps(_ values: [Float]) -> [Float] { values.map { ($0 / step).rounded() } }
        return ValueComparison(steps(actual), steps(expected))
    }

    /// The index of the largest finite value (the first on ties), or nil.
    static func top1(_ values: [Float]) -> Int? {
        var best: Int? = nil
        for (index, value) in values.enumerated() where value.isFinite {
            if best == nil || value > values[best!] { best = index }
        }
        return best
    }
}
