import Testing
@_spi(Testing) @testable import TinyGraph

/// Shared helpers for the LayoutOp*Tests suites.
enum LayoutTest {
    /// 0, 1, 2, … as float32 of `shape`.
    static func iota(_ shape: [Int], name: String = "x") -> Value {
        let count = TensorType(.float32, shape).elementCount
        return OpTest.floats((0..<count).map { Float($0) }, shape, name: name)
    }

    static func run1(_ op: String, _ inputs: [Value], _ attributes: [String: AttrValue] = [:]) throws(TinyGraphError) -> OpTest.Output {
        let outputs = try OpTest.run(op, inputs, attributes)
        precondition(outputs.count == 1)
        return outputs[0]
    }

    static func int(_ value: Int) -> AttrValue { .int(Int64(value)) }
}

@Suite struct LayoutOpTests {
    // MARK: Reshape

    @Test func reshapeInfersMinusOne() throws {
        let x = LayoutTest.iota([2, 3, 4])
        let out = try LayoutTest.run1("Reshape", [x, OpTest.int32s([4, -1])])
        #expect(out.shape == [4, 6])
        #expect(out.floats == (0..<24).map { Float($0) })
        let flat = try LayoutTest.run1("Reshape", [x, OpTest.int64s([-1])])
        #expect(flat.shape == [24])
        let middle = try LayoutTest.run1("Reshape", [x, OpTest.int32s([2, -1, 3])])
        #expect(middle.shape == [2, 4, 3])
        // A reshape to a scalar and back.
        let one = OpTest.floats([7], [1, 1])
        let scalar = try LayoutTest.run1("Reshape", [one, OpTest.int32s([], [0])])
        #expect(scalar.shape == [])
        #expect(scalar.floats == [7])
        // Zero-size: the zero dims are left out of the -1 inference (TensorFlow's rule).
        let empty = try LayoutTest.run1("Reshape", [OpTest.floats([], [0, 4]), OpTest.int32s([-1, 0])])
        #expect(empty.shape == [4, 0])
    }

    @Test func reshapeErrors() {
        let x = LayoutTest.iota([2, 3, 4])
        // Two -1s.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int32s([-1, -1])]) }
        // Element count mismatch.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int32s([5, 5])]) }
        // -1 with a product that does not divide the count.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int32s([-1, 5])]) }
        // Negative size other than -1.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int32s([-2, -12])]) }
        // Absurd size.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int64s([1 << 40, 1 << 40])]) }
        // Shape not constant, or not a vector.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.activation([2], .int32)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.int32s([4, 6], [1, 2])]) }
        // Float shape.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Reshape", [x, OpTest.floats([4, 6], [2])]) }
    }

    @Test func reshapeMovesBoolAndInt64Bytes() throws {
        let bools = Value(name: "b", type: TensorType(.bool, [2, 2]), constant: {
            let buffer = TensorBuffer(byteCount: 4)
            for (index, value) in [1, 0, 0, 1].enumerated() { buffer.bytes.storeBytes(of: UInt8(value), toByteOffset: index, as: UInt8.self) }
            return buffer
        }())
        let out = try LayoutTest.run1("Reshape", [bools, OpTest.int32s([4])])
        #expect(out.type == TensorType(.bool, [4]))
        #expect(out.ints == [1, 0, 0, 1])
        let wide = try LayoutTest.run1("Reshape", [OpTest.int64s([1 << 40, -3], [2]), OpTest.int32s([1, 2])])
        #expect(wide.type == TensorType(.int64, [1, 2]))
        #expect(wide.ints == [1 << 40, -3])
    }

    // MARK: Squeeze / ExpandDims

    @Test func squeezeAllExplicitAndNegative() throws {
        let x = LayoutTest.iota([1, 3, 1, 2])
        let all = try LayoutTest.run1("Squeeze", [x])
        #expect(all.shape == [3, 2])
        #expect(all.floats == [0, 1, 2, 3, 4, 5])
        let emptyList = try LayoutTest.run1("Squeeze", [x], ["squeeze_dims": OpTest.ints([])])
        #expect(emptyList.shape == [3, 2])
        let explicit = try LayoutTest.run1("Squeeze", [x], ["squeeze_dims": OpTest.ints([2])])
        #expect(explicit.shape == [1, 3, 2])
        let negative = try LayoutTest.run1("Squeeze", [x], ["squeeze_dims": OpTest.ints([-4])])
        #expect(negative.shape == [3, 1, 2])
        let both = try LayoutTest.run1("Squeeze", [x], ["squeeze_dims": OpTest.ints([0, -2])])
        #expect(both.shape == [3, 2])
        #expect(both.floats == [0, 1, 2, 3, 4, 5])
    }

    @Test func squeezeErrors() {
        let x = LayoutTest.iota([1, 3, 1, 2])
        // Dim 1 has size 3.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Squeeze", [x], ["squeeze_dims": OpTest.ints([1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Squeeze", [x], ["squeeze_dims": OpTest.ints([4])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Squeeze", [x], ["squeeze_dims": OpTest.ints([-5])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Squeeze", [x], ["squeeze_dims": .int(0)]) }
    }

    @Test func expandDimsPositiveAndNegative() throws {
        let x = LayoutTest.iota([2, 3])
        #expect(try LayoutTest.run1("ExpandDims", [x, OpTest.int32s([-1], [])]).shape == [2, 3, 1])
        #expect(try LayoutTest.run1("ExpandDims", [x, OpTest.int32s([-3], [])]).shape == [1, 2, 3])
        #expect(try LayoutTest.run1("ExpandDims", [x, OpTest.int32s([-2], [])]).shape == [2, 1, 3])
        #expect(try LayoutTest.run1("ExpandDims", [x, OpTest.int64s([0], [])]).shape == [1, 2, 3])
        let out = try LayoutTest.run1("ExpandDims", [x, OpTest.int32s([2], [])])
        #expect(out.shape == [2, 3, 1])
        #expect(out.floats == [0, 1, 2, 3, 4, 5])
        // A scalar becomes [1].
        #expect(try LayoutTest.run1("ExpandDims", [OpTest.floats([5], []), OpTest.int32s([-1], [])]).shape == [1])
    }

    @Test func expandDimsErrors() {
        let x = LayoutTest.iota([2, 3])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ExpandDims", [x, OpTest.int32s([3], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ExpandDims", [x, OpTest.int32s([-4], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ExpandDims", [x, OpTest.int32s([0, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ExpandDims", [x, OpTest.activation([], .int32)]) }
    }

    // MARK: Transpose

    @Test func transpose4DOnOddShape() throws {
        let shape = [2, 3, 4, 5]
        let perm = [2, 0, 3, 1]
        let out = try LayoutTest.run1("Transpose", [LayoutTest.iota(shape), OpTest.int32s(perm)])
        #expect(out.shape == [4, 2, 5, 3])
        // Independent naive computation: output index (i0, i1, i2, i3) reads the
        // input at in[perm[k]] = i_k, input value = its flat index.
        var expected: [Float] = []
        for i0 in 0..<4 {
            for i1 in 0..<2 {
                for i2 in 0..<5 {
                    for i3 in 0..<3 {
                        var inputIndex = [0, 0, 0, 0]
                        inputIndex[perm[0]] = i0
                        inputIndex[perm[1]] = i1
                        inputIndex[perm[2]] = i2
                        inputIndex[perm[3]] = i3
                        let flat = ((inputIndex[0] * 3 + inputIndex[1]) * 4 + inputIndex[2]) * 5 + inputIndex[3]
                        expected.append(Float(flat))
                    }
                }
            }
        }
        #expect(out.floats == expected)
    }

    @Test func transposeSmallCases() throws {
        // 2-D by hand: [[0, 1, 2], [3, 4, 5]]ᵀ.
        let out = try LayoutTest.run1("Transpose", [LayoutTest.iota([2, 3]), OpTest.int64s([1, 0])])
        #expect(out.shape == [3, 2])
        #expect(out.floats == [0, 3, 1, 4, 2, 5])
        // NHWC → NCHW on int32 data.
        let ints = OpTest.int32s([1, 2, 3, 4, 5, 6], [1, 1, 2, 3])
        let nchw = try LayoutTest.run1("Transpose", [ints, OpTest.int32s([0, 3, 1, 2])])
        #expect(nchw.shape == [1, 3, 1, 2])
        #expect(nchw.ints == [1, 4, 2, 5, 3, 6])
        // Zero-size and scalar.
        #expect(try LayoutTest.run1("Transpose", [OpTest.floats([], [0, 3]), OpTest.int32s([1, 0])]).shape == [3, 0])
        #expect(try LayoutTest.run1("Transpose", [OpTest.floats([9], []), OpTest.int32s([], [0])]).floats == [9])
    }

    @Test func transposeErrors() {
        let x = LayoutTest.iota([2, 3, 4])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Transpose", [x, OpTest.int32s([0, 0, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Transpose", [x, OpTest.int32s([0, 1, 3])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Transpose", [x, OpTest.int32s([0, -1, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Transpose", [x, OpTest.int32s([1, 0])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Transpose", [x, OpTest.activation([3], .int32)]) }
    }

    // MARK: Shape

    @Test func shapeInt32AndInt64() throws {
        let x = OpTest.activation([2, 3, 5])
        let resolved = try OpTest.resolve("Shape", [x])
        #expect(resolved.runtimeInputs.isEmpty)
        #expect(resolved.outputTypes == [TensorType(.int32, [3])])
        let out32 = try LayoutTest.run1("Shape", [x])
        #expect(out32.type == TensorType(.int32, [3]))
        #expect(out32.ints == [2, 3, 5])
        let out64 = try LayoutTest.run1("Shape", [x], ["out_type": OpTest.type(.int64)])
        #expect(out64.type == TensorType(.int64, [3]))
        #expect(out64.ints == [2, 3, 5])
        let scalar = try LayoutTest.run1("Shape", [OpTest.floats([1], [])])
        #expect(scalar.shape == [0])
    }

    @Test func shapeErrors() {
        let x = OpTest.activation([2, 3])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Shape", [x], ["out_type": OpTest.type(.float32)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Shape", [x, x]) }
    }
}
