import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct LayoutOpConcatTests {
    // MARK: ConcatV2

    /// Naive concatenation of iota-like NHWC tensors along the channel axis.
    private func naiveChannelConcat(_ a: [Float], _ ca: Int, _ b: [Float], _ cb: Int, pixels: Int) -> [Float] {
        var result: [Float] = []
        for pixel in 0..<pixels {
            for c in 0..<ca { result.append(a[pixel * ca + c]) }
            for c in 0..<cb { result.append(b[pixel * cb + c]) }
        }
        return result
    }

    @Test func concatOnAxis3AndMinusOne() throws {
        let aValues = OpTest.randomFloats(1 * 2 * 3 * 2, seed: 1)
        let bValues = OpTest.randomFloats(1 * 2 * 3 * 3, seed: 2)
        let a = OpTest.floats(aValues, [1, 2, 3, 2], name: "a")
        let b = OpTest.floats(bValues, [1, 2, 3, 3], name: "b")
        let expected = naiveChannelConcat(aValues, 2, bValues, 3, pixels: 6)
        for axis in [3, -1] {
            let out = try LayoutTest.run1("ConcatV2", [a, b, OpTest.int32s([axis], [])])
            #expect(out.shape == [1, 2, 3, 5])
            #expect(out.floats == expected)
        }
    }

    @Test func concatOnAxis0AndMiddle() throws {
        let a = OpTest.floats([1, 2, 3, 4], [2, 2], name: "a")
        let b = OpTest.floats([5, 6], [1, 2], name: "b")
        let rows = try LayoutTest.run1("ConcatV2", [a, b, OpTest.int64s([0], [])])
        #expect(rows.shape == [3, 2])
        #expect(rows.floats == [1, 2, 3, 4, 5, 6])
        // Three inputs on axis 1 (= -1), one of them empty.
        let c = OpTest.floats([7, 8], [2, 1], name: "c")
        let empty = OpTest.floats([], [2, 0], name: "e")
        let columns = try LayoutTest.run1("ConcatV2", [a, empty, c, OpTest.int32s([1], [])])
        #expect(columns.shape == [2, 3])
        #expect(columns.floats == [1, 2, 7, 3, 4, 8])
        // Middle axis of a 3-D tensor: [[[0,1]],[[2,3]]] + [[[4,5],[6,7]],[[8,9],[10,11]]] on axis 1.
        let x = OpTest.floats([0, 1, 2, 3], [2, 1, 2], name: "x")
        let y = OpTest.floats([4, 5, 6, 7, 8, 9, 10, 11], [2, 2, 2], name: "y")
        let middle = try LayoutTest.run1("ConcatV2", [x, y, OpTest.int32s([-2], [])])
        #expect(middle.shape == [2, 3, 2])
        #expect(middle.floats == [0, 1, 4, 5, 6, 7, 2, 3, 8, 9, 10, 11])
    }

    @Test func concatInt32ShapeArithmetic() throws {
        // tf.concat([[-1], tf.shape(x)[1:]], 0) style shape building.
        let out = try LayoutTest.run1("ConcatV2", [OpTest.int32s([-1]), OpTest.int32s([7, 7, 512]), OpTest.int32s([0], [])])
        #expect(out.type == TensorType(.int32, [4]))
        #expect(out.ints == [-1, 7, 7, 512])
        let wide = try LayoutTest.run1("ConcatV2", [OpTest.int64s([1 << 40]), OpTest.int64s([-2]), OpTest.int32s([-1], [])])
        #expect(wide.ints == [1 << 40, -2])
    }

    @Test func concatErrors() {
        let a = OpTest.floats([1, 2, 3, 4], [2, 2], name: "a")
        let b = OpTest.floats([1, 2, 3], [3, 1], name: "b")
        // Mismatched non-axis dims.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, b, OpTest.int32s([0], [])]) }
        // Rank mismatch, dtype mismatch.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, OpTest.floats([1, 2], [2]), OpTest.int32s([0], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, OpTest.int32s([1, 2], [1, 2]), OpTest.int32s([0], [])]) }
        // Axis out of range, non-constant, not a single value.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, a, OpTest.int32s([2], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, a, OpTest.int32s([-3], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, a, OpTest.activation([], .int32)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [a, a, OpTest.int32s([0, 1])]) }
        // Scalars cannot be concatenated; too few inputs.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [OpTest.floats([1], []), OpTest.floats([2], []), OpTest.int32s([0], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ConcatV2", [OpTest.int32s([0], [])]) }
    }

    // MARK: Pack

    @Test func packAxis0AndMinusOne() throws {
        let a = OpTest.floats([1, 2], [2], name: "a")
        let b = OpTest.floats([3, 4], [2], name: "b")
        let c = OpTest.floats([5, 6], [2], name: "c")
        let stacked = try LayoutTest.run1("Pack", [a, b, c])
        #expect(stacked.shape == [3, 2])
        #expect(stacked.floats == [1, 2, 3, 4, 5, 6])
        let last = try LayoutTest.run1("Pack", [a, b, c], ["axis": LayoutTest.int(-1)])
        #expect(last.shape == [2, 3])
        #expect(last.floats == [1, 3, 5, 2, 4, 6])
        // 2-D inputs packed on the middle axis: out[i, k, j] = input_k[i, j].
        let x = OpTest.floats([0, 1, 2, 3], [2, 2], name: "x")
        let y = OpTest.floats([10, 11, 12, 13], [2, 2], name: "y")
        let middle = try LayoutTest.run1("Pack", [x, y], ["axis": LayoutTest.int(1)])
        #expect(middle.shape == [2, 2, 2])
        #expect(middle.floats == [0, 1, 10, 11, 2, 3, 12, 13])
        // A single input gains a dim.
        #expect(try LayoutTest.run1("Pack", [a], ["axis": LayoutTest.int(-2)]).shape == [1, 2])
    }

    @Test func packInt32Scalars() throws {
        // tf.stack([batch, -1]) for a dynamic Reshape shape.
        let out = try LayoutTest.run1("Pack", [OpTest.int32s([1], []), OpTest.int32s([-1], []), OpTest.int32s([3], [])])
        #expect(out.type == TensorType(.int32, [3]))
        #expect(out.ints == [1, -1, 3])
    }

    @Test func packErrors() {
        let a = OpTest.floats([1, 2], [2], name: "a")
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pack", [a, OpTest.floats([1, 2, 3], [3])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pack", [a, OpTest.int32s([1, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pack", [a, a], ["axis": LayoutTest.int(2)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pack", [a, a], ["axis": LayoutTest.int(-3)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pack", []) }
    }

    // MARK: Split / SplitV

    @Test func splitEvenly() throws {
        let x = LayoutTest.iota([2, 4])
        let outputs = try OpTest.run("Split", [OpTest.int32s([1], []), x], ["num_split": LayoutTest.int(2)])
        #expect(outputs.count == 2)
        #expect(outputs[0].shape == [2, 2])
        #expect(outputs[0].floats == [0, 1, 4, 5])
        #expect(outputs[1].floats == [2, 3, 6, 7])
        let resolved = try OpTest.resolve("Split", [OpTest.int32s([1], []), x], ["num_split": LayoutTest.int(2)])
        #expect(resolved.runtimeInputs == [1])
        // Axis -2 into 2 rows; axis 0 into 1 piece.
        let rows = try OpTest.run("Split", [OpTest.int32s([-2], []), x], ["num_split": LayoutTest.int(2)])
        #expect(rows.map(\.floats) == [[0, 1, 2, 3], [4, 5, 6, 7]])
        #expect(try OpTest.run("Split", [OpTest.int32s([0], []), x], ["num_split": LayoutTest.int(1)])[0].shape == [2, 4])
        // NHWC channel split of a 4-D tensor into 3.
        let channels = try OpTest.run("Split", [OpTest.int32s([3], []), LayoutTest.iota([1, 1, 2, 3])], ["num_split": LayoutTest.int(3)])
        #expect(channels.map(\.floats) == [[0, 3], [1, 4], [2, 5]])
        #expect(channels.map(\.shape) == [[1, 1, 2, 1], [1, 1, 2, 1], [1, 1, 2, 1]])
    }

    @Test func splitVWithMinusOne() throws {
        let x = LayoutTest.iota([2, 4])
        let outputs = try OpTest.run("SplitV", [x, OpTest.int32s([1, -1]), OpTest.int32s([-1], [])], ["num_split": LayoutTest.int(2)])
        #expect(outputs.map(\.shape) == [[2, 1], [2, 3]])
        #expect(outputs[0].floats == [0, 4])
        #expect(outputs[1].floats == [1, 2, 3, 5, 6, 7])
        let resolved = try OpTest.resolve("SplitV", [x, OpTest.int32s([1, -1]), OpTest.int32s([-1], [])], ["num_split": LayoutTest.int(2)])
        #expect(resolved.runtimeInputs == [0])
        // Explicit sizes with a zero-size piece, int64 sizes, on axis 1.
        let three = try OpTest.run("SplitV", [x, OpTest.int64s([2, 0, 2]), OpTest.int32s([1], [])], ["num_split": LayoutTest.int(3)])
        #expect(three.map(\.shape) == [[2, 2], [2, 0], [2, 2]])
        #expect(three.map(\.floats) == [[0, 1, 4, 5], [], [2, 3, 6, 7]])
        // int32 data along axis 0.
        let ints = try OpTest.run("SplitV", [OpTest.int32s([9, 8, 7]), OpTest.int32s([-1, 2]), OpTest.int32s([0], [])], ["num_split": LayoutTest.int(2)])
        #expect(ints.map(\.ints) == [[9], [8, 7]])
    }

    @Test func splitErrors() {
        let x = LayoutTest.iota([2, 4])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Split", [OpTest.int32s([1], []), x], ["num_split": LayoutTest.int(3)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Split", [OpTest.int32s([2], []), x], ["num_split": LayoutTest.int(2)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Split", [OpTest.int32s([1], []), x], ["num_split": LayoutTest.int(0)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Split", [OpTest.int32s([1], []), x]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Split", [OpTest.activation([], .int32), x], ["num_split": LayoutTest.int(2)]) }
        // Zero-size dims divide into anything, but the output count is bounded.
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("Split", [OpTest.int32s([0], []), OpTest.floats([], [0, 2])], ["num_split": LayoutTest.int(Int(Int32.max))])
        }
        let splitV: (Value, Int) throws(TinyGraphError) -> ResolvedNode = { (sizes: Value, pieces: Int) throws(TinyGraphError) in
            try OpTest.resolve("SplitV", [x, sizes, OpTest.int32s([1], [])], ["num_split": LayoutTest.int(pieces)])
        }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([-1, -1]), 2) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([1, 2]), 2) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([3, 2]), 2) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([5, -1]), 2) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([-2, 6]), 2) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.int32s([2, 2]), 3) }
        #expect(throws: TinyGraphError.self) { try splitV(OpTest.activation([2], .int32), 2) }
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("SplitV", [x, OpTest.int32s([2, 2]), OpTest.activation([], .int32)], ["num_split": LayoutTest.int(2)])
        }
    }
}
