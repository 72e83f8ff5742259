import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct LayoutOpPadTests {
    private let matrix = OpTest.floats([1, 2, 3, 4, 5, 6], [2, 3])

    private func mirror(_ x: Value, _ paddings: [Int], _ mode: String) throws(TinyGraphError) -> OpTest.Output {
        try LayoutTest.run1("MirrorPad", [x, OpTest.int32s(paddings, [paddings.count / 2, 2])], ["mode": OpTest.string(mode)])
    }

    // MARK: Pad / PadV2

    @Test func padWithZeros() throws {
        let x = OpTest.floats([1, 2, 3, 4], [2, 2])
        let out = try LayoutTest.run1("Pad", [x, OpTest.int32s([1, 0, 0, 2], [2, 2])])
        #expect(out.shape == [3, 4])
        #expect(out.floats == [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0])
        // NHWC spatial padding with int64 paddings.
        let image = OpTest.floats([1, 2], [1, 1, 1, 2])
        let padded = try LayoutTest.run1("Pad", [image, OpTest.int64s([0, 0, 1, 1, 1, 0, 0, 0], [4, 2])])
        #expect(padded.shape == [1, 3, 2, 2])
        #expect(padded.floats == [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0])
        // Padding a zero-size dim fills everything; a scalar is copied.
        #expect(try LayoutTest.run1("Pad", [OpTest.floats([], [0, 2]), OpTest.int32s([1, 1, 0, 0], [2, 2])]).floats == [0, 0, 0, 0])
        #expect(try LayoutTest.run1("Pad", [OpTest.floats([3], []), OpTest.int32s([], [0, 2])]).floats == [3])
    }

    @Test func padV2WithConstant() throws {
        let x = OpTest.floats([1, 2, 3, 4], [2, 2])
        let out = try LayoutTest.run1("PadV2", [x, OpTest.int32s([0, 1, 1, 1], [2, 2]), OpTest.floats([-7.5], [])])
        #expect(out.shape == [3, 4])
        #expect(out.floats == [-7.5, 1, 2, -7.5, -7.5, 3, 4, -7.5, -7.5, -7.5, -7.5, -7.5])
        // int32 and int64 data with their own fill.
        let ints = try LayoutTest.run1("PadV2", [OpTest.int32s([5, 6]), OpTest.int32s([2, 1], [1, 2]), OpTest.int32s([-1], [])])
        #expect(ints.ints == [-1, -1, 5, 6, -1])
        let wide = try LayoutTest.run1("PadV2", [OpTest.int64s([5]), OpTest.int32s([1, 1], [1, 2]), OpTest.int64s([1 << 40], [])])
        #expect(wide.ints == [1 << 40, 5, 1 << 40])
    }

    @Test func padErrors() {
        let x = OpTest.floats([1, 2, 3, 4], [2, 2])
        // Negative paddings, wrong paddings shape, non-constant paddings.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pad", [x, OpTest.int32s([0, -1, 0, 0], [2, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pad", [x, OpTest.int32s([0, 1], [1, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pad", [x, OpTest.int32s([0, 1, 0, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pad", [x, OpTest.activation([2, 2], .int32)]) }
        // Absurd padding.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Pad", [x, OpTest.int64s([0, 1 << 40, 0, 0], [2, 2])]) }
        // PadV2: fill dtype mismatch, not a scalar, not constant, missing.
        let paddings = OpTest.int32s([0, 1, 0, 1], [2, 2])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("PadV2", [x, paddings, OpTest.int32s([1], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("PadV2", [x, paddings, OpTest.floats([1, 2], [2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("PadV2", [x, paddings, OpTest.activation([])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("PadV2", [x, paddings]) }
    }

    // MARK: MirrorPad

    @Test func mirrorPad1D() throws {
        let x = OpTest.floats([1, 2, 3], [3])
        #expect(try mirror(x, [2, 2], "REFLECT").floats == [3, 2, 1, 2, 3, 2, 1])
        #expect(try mirror(x, [2, 2], "SYMMETRIC").floats == [2, 1, 1, 2, 3, 3, 2])
        #expect(try mirror(x, [3, 3], "SYMMETRIC").floats == [3, 2, 1, 1, 2, 3, 3, 2, 1])
        #expect(try mirror(x, [0, 1], "REFLECT").floats == [1, 2, 3, 2])
        #expect(try mirror(x, [1, 0], "SYMMETRIC").floats == [1, 1, 2, 3])
    }

    @Test func mirrorPad2D() throws {
        // tf.pad examples from TensorFlow's documentation, t = [[1, 2, 3], [4, 5, 6]], paddings [[1, 1], [2, 2]].
        let reflect = try mirror(matrix, [1, 1, 2, 2], "REFLECT")
        #expect(reflect.shape == [4, 7])
        #expect(reflect.floats == [
            6, 5, 4, 5, 6, 5, 4,
            3, 2, 1, 2, 3, 2, 1,
            6, 5, 4, 5, 6, 5, 4,
            3, 2, 1, 2, 3, 2, 1,
        ])
        let symmetric = try mirror(matrix, [1, 1, 2, 2], "SYMMETRIC")
        #expect(symmetric.shape == [4, 7])
        #expect(symmetric.floats == [
            2, 1, 1, 2, 3, 3, 2,
            2, 1, 1, 2, 3, 3, 2,
            5, 4, 4, 5, 6, 6, 5,
            5, 4, 4, 5, 6, 6, 5,
        ])
        // Rows only, SYMMETRIC by the full dim: [[4,5,6],[1,2,3] | t | [4,5,6],[1,2,3]].
        let rows = try mirror(matrix, [2, 2, 0, 0], "SYMMETRIC")
        #expect(rows.floats == [4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3])
    }

    @Test func mirrorPadMatchesNaiveOn3D() throws {
        // Independent check: numpy's pad index rule per dim.
        let shape = [2, 3, 4]
        let x = LayoutTest.iota(shape)
        let paddings = [1, 1, 2, 0, 3, 2]
        for mode in ["REFLECT", "SYMMETRIC"] {
            let out = try mirror(x, paddings, mode)
            let outShape = [4, 5, 9]
            #expect(out.shape == outShape)
            func source(_ position: Int, _ before: Int, _ size: Int) -> Int {
                var i = position - before
                if i < 0 { i = mode == "REFLECT" ? -i : -i - 1 }
                if i >= size { i = mode == "REFLECT" ? 2 * size - 2 - i : 2 * size - 1 - i }
                return i
            }
            var expected: [Float] = []
            for a in 0..<outShape[0] {
                for b in 0..<outShape[1] {
                    for c in 0..<outShape[2] {
                        let i = source(a, 1, 2), j = source(b, 2, 3), k = source(c, 3, 4)
                        expected.append(Float((i * 3 + j) * 4 + k))
                    }
                }
            }
            #expect(out.floats == expected)
        }
    }

    @Test func mirrorPadErrors() {
        let x = OpTest.floats([1, 2, 3], [3])
        // REFLECT needs pads < dim, SYMMETRIC pads <= dim.
        #expect(throws: TinyGraphError.self) { try mirror(x, [3, 0], "REFLECT") }
        #expect(throws: TinyGraphError.self) { try mirror(x, [0, 3], "REFLECT") }
        #expect(throws: TinyGraphError.self) { try mirror(x, [4, 0], "SYMMETRIC") }
        #expect(throws: TinyGraphError.self) { try mirror(x, [-1, 0], "SYMMETRIC") }
        #expect(throws: TinyGraphError.self) { try mirror(x, [1, 1], "reflect") }
        #expect(throws: TinyGraphError.self) { try mirror(x, [1, 1], "CONSTANT") }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("MirrorPad", [x, OpTest.int32s([1, 1], [1, 2])]) }
        #expect(throws: TinyGraphError.self) { try mirror(matrix, [1, 1, 3, 0], "REFLECT") }
    }
}
