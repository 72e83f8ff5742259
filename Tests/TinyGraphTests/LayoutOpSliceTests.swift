import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct LayoutOpSliceTests {
    /// StridedSlice of `x` with begin/end/strides as int32 constants and the masks as attributes.
    private func stridedSlice(
        _ x: Value, _ begin: [Int], _ end: [Int], _ strides: [Int],
        beginMask: Int = 0, endMask: Int = 0, ellipsisMask: Int = 0, newAxisMask: Int = 0, shrinkAxisMask: Int = 0
    ) throws(TinyGraphError) -> OpTest.Output {
        try LayoutTest.run1("StridedSlice", stridedSliceInputs(x, begin, end, strides), [
            "begin_mask": LayoutTest.int(beginMask), "end_mask": LayoutTest.int(endMask),
            "ellipsis_mask": LayoutTest.int(ellipsisMask), "new_axis_mask": LayoutTest.int(newAxisMask),
            "shrink_axis_mask": LayoutTest.int(shrinkAxisMask),
        ])
    }

    private func stridedSliceInputs(_ x: Value, _ begin: [Int], _ end: [Int], _ strides: [Int]) -> [Value] {
        [x, OpTest.int32s(begin, name: "begin"), OpTest.int32s(end, name: "end"), OpTest.int32s(strides, name: "strides")]
    }

    // MARK: Slice

    @Test func sliceWithMinusOne() throws {
        // [[0,1,2,3],[4,5,6,7],[8,9,10,11]][1:, 1:3]
        let out = try LayoutTest.run1("Slice", [LayoutTest.iota([3, 4]), OpTest.int32s([1, 1]), OpTest.int32s([-1, 2])])
        #expect(out.shape == [2, 2])
        #expect(out.floats == [5, 6, 9, 10])
        // 4-D NHWC crop with int64 constants.
        let crop = try LayoutTest.run1("Slice", [LayoutTest.iota([1, 3, 3, 2]), OpTest.int64s([0, 1, 0, 1]), OpTest.int64s([1, 2, -1, 1])])
        #expect(crop.shape == [1, 2, 3, 1])
        // Element (0, h, w, 1) of iota [1,3,3,2] is h*6 + w*2 + 1 for h in 1...2.
        #expect(crop.floats == [7, 9, 11, 13, 15, 17])
        // Empty slice at the end is allowed.
        #expect(try LayoutTest.run1("Slice", [LayoutTest.iota([3]), OpTest.int32s([3]), OpTest.int32s([-1])]).shape == [0])
    }

    @Test func sliceErrors() {
        let x = LayoutTest.iota([3, 4])
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([4, 0]), OpTest.int32s([-1, -1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([-1, 0]), OpTest.int32s([1, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([1, 1]), OpTest.int32s([3, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([1, 1]), OpTest.int32s([-2, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([1]), OpTest.int32s([1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.activation([2], .int32), OpTest.int32s([1, 1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Slice", [x, OpTest.int32s([0, 0]), OpTest.activation([2], .int32)]) }
    }

    // MARK: StridedSlice, hand-worked from numpy semantics

    @Test func stridedSliceReverse() throws {
        // x[::-1] on [0, 1, 2, 3, 4].
        let out = try stridedSlice(LayoutTest.iota([5]), [0], [0], [-1], beginMask: 1, endMask: 1)
        #expect(out.shape == [5])
        #expect(out.floats == [4, 3, 2, 1, 0])
        // x[::-1, ::-2] on [[0,1,2],[3,4,5]] → [[5, 3], [2, 0]].
        let both = try stridedSlice(LayoutTest.iota([2, 3]), [0, 0], [0, 0], [-1, -2], beginMask: 3, endMask: 3)
        #expect(both.shape == [2, 2])
        #expect(both.floats == [5, 3, 2, 0])
    }

    @Test func stridedSliceNegativeStridesWithBounds() throws {
        let x = LayoutTest.iota([6])
        // x[4:0:-2] → [4, 2]
        #expect(try stridedSlice(x, [4], [0], [-2]).floats == [4, 2])
        // x[:1:-2] → start at 5: [5, 3]
        #expect(try stridedSlice(x, [0], [1], [-2], beginMask: 1).floats == [5, 3])
        // x[-2::-3] → start at 4 down to the front: [4, 1]
        #expect(try stridedSlice(x, [-2], [0], [-3], endMask: 1).floats == [4, 1])
        // x[100:-100:-1] clamps to the whole reversed range.
        #expect(try stridedSlice(x, [100], [-100], [-1]).floats == [5, 4, 3, 2, 1, 0])
        // x[1:4:-1] is empty.
        #expect(try stridedSlice(x, [1], [4], [-1]).shape == [0])
        // x[-100:100] clamps to everything; x[10:] is empty; x[1:-1:3] → [1, 4].
        #expect(try stridedSlice(x, [-100], [100], [1]).floats == [0, 1, 2, 3, 4, 5])
        #expect(try stridedSlice(x, [10], [0], [1], endMask: 1).shape == [0])
        #expect(try stridedSlice(x, [1], [-1], [3]).floats == [1, 4])
    }

    @Test func stridedSliceEllipsisWithStep() throws {
        // x[..., 1:-1:2] on iota [2, 6]: columns 1 and 3.
        let out = try stridedSlice(LayoutTest.iota([2, 6]), [0, 1], [0, -1], [1, 2], ellipsisMask: 1)
        #expect(out.shape == [2, 2])
        #expect(out.floats == [1, 3, 7, 9])
        // x[1:, ...] on iota [3, 2, 2]: the ellipsis expands to the last two dims.
        let tail = try stridedSlice(LayoutTest.iota([3, 2, 2]), [1, 0], [0, 0], [1, 1], endMask: 1, ellipsisMask: 2)
        #expect(tail.shape == [2, 2, 2])
        #expect(tail.floats == [4, 5, 6, 7, 8, 9, 10, 11])
    }

    @Test func stridedSliceShrinkAndNewAxis() throws {
        let x = LayoutTest.iota([3, 4])
        // x[1, :, tf.newaxis] → row 1 as a column: shape [4, 1].
        let column = try stridedSlice(x, [1, 0, 0], [2, 0, 0], [1, 1, 1], beginMask: 2, endMask: 2, newAxisMask: 4, shrinkAxisMask: 1)
        #expect(column.shape == [4, 1])
        #expect(column.floats == [4, 5, 6, 7])
        // x[-1] → last row, shape [4] (end 0 is ignored for a shrunk dim).
        let last = try stridedSlice(x, [-1], [0], [1], shrinkAxisMask: 1)
        #expect(last.shape == [4])
        #expect(last.floats == [8, 9, 10, 11])
        // x[2, -1] → scalar 11.
        let element = try stridedSlice(x, [2, -1], [3, 0], [1, 1], shrinkAxisMask: 3)
        #expect(element.shape == [])
        #expect(element.floats == [11])
        // x[tf.newaxis, :, 2] → [[2, 6, 10]], shape [1, 3].
        let row = try stridedSlice(x, [0, 0, 2], [0, 0, 3], [1, 1, 1], beginMask: 2, endMask: 2, newAxisMask: 1, shrinkAxisMask: 4)
        #expect(row.shape == [1, 3])
        #expect(row.floats == [2, 6, 10])
        // x[..., tf.newaxis, 0] on iota [2, 3] → [[0], [3]]: the new axis after the
        // ellipsis is not a real dim, so the ellipsis covers dim 0 only.
        let afterEllipsis = try stridedSlice(LayoutTest.iota([2, 3]), [0, 0, 0], [0, 0, 1], [1, 1, 1], ellipsisMask: 1, newAxisMask: 2, shrinkAxisMask: 4)
        #expect(afterEllipsis.shape == [2, 1])
        #expect(afterEllipsis.floats == [0, 3])
        // Shrink with a stride above 1 still takes one element: x[1::2] with shrink → row 1.
        #expect(try stridedSlice(x, [1], [2], [2], shrinkAxisMask: 1).floats == [4, 5, 6, 7])
    }

    @Test func stridedSliceBeginEndMasksOn4D() throws {
        // x[:, 1:, ::2, 1] on iota [1, 3, 3, 2] (NHWC): h in 1...2, w in {0, 2}, c = 1.
        let out = try stridedSlice(
            LayoutTest.iota([1, 3, 3, 2]), [0, 1, 0, 1], [0, 0, 0, 2], [1, 1, 2, 1],
            beginMask: 0b0101, endMask: 0b0111, shrinkAxisMask: 0b1000)
        #expect(out.shape == [1, 2, 2])
        // value = h*6 + w*2 + 1
        #expect(out.floats == [7, 11, 13, 17])
    }

    @Test func stridedSliceOnInt32ShapeArithmetic() throws {
        let shape = OpTest.int32s([1, 224, 224, 3])
        // shape[1:3]
        let middle = try stridedSlice(shape, [1], [3], [1])
        #expect(middle.type == TensorType(.int32, [2]))
        #expect(middle.ints == [224, 224])
        // shape[0] → scalar
        let batch = try stridedSlice(shape, [0], [1], [1], shrinkAxisMask: 1)
        #expect(batch.type == TensorType(.int32, []))
        #expect(batch.ints == [1])
        // shape[-1:] and shape[::-1] on int64.
        #expect(try stridedSlice(shape, [-1], [0], [1], endMask: 1).ints == [3])
        #expect(try stridedSlice(OpTest.int64s([1, 2, 3]), [0], [0], [-1], beginMask: 1, endMask: 1).ints == [3, 2, 1])
    }

    @Test func stridedSliceErrors() {
        let x = LayoutTest.iota([3, 4])
        func resolve(_ begin: [Int], _ end: [Int], _ strides: [Int], _ attributes: [String: AttrValue] = [:]) throws(TinyGraphError) {
            _ = try OpTest.resolve("StridedSlice", stridedSliceInputs(x, begin, end, strides), attributes)
        }
        // Zero stride.
        #expect(throws: TinyGraphError.self) { try resolve([0], [1], [0]) }
        // Out-of-range shrink index, positive and negative.
        #expect(throws: TinyGraphError.self) { try resolve([3], [4], [1], ["shrink_axis_mask": LayoutTest.int(1)]) }
        #expect(throws: TinyGraphError.self) { try resolve([0, -5], [1, 0], [1, 1], ["shrink_axis_mask": LayoutTest.int(2)]) }
        // Shrink with a negative stride.
        #expect(throws: TinyGraphError.self) { try resolve([1], [0], [-1], ["shrink_axis_mask": LayoutTest.int(1)]) }
        // More indices than dims (bad mask index: the spec reaches past the input's rank).
        #expect(throws: TinyGraphError.self) { try resolve([0, 0, 0], [1, 1, 1], [1, 1, 1]) }
        #expect(throws: TinyGraphError.self) { try resolve([0, 0, 0], [1, 1, 1], [1, 1, 1], ["begin_mask": LayoutTest.int(7), "end_mask": LayoutTest.int(7)]) }
        // Two ellipses.
        #expect(throws: TinyGraphError.self) { try resolve([0, 0], [1, 1], [1, 1], ["ellipsis_mask": LayoutTest.int(3)]) }
        // Mismatched begin/end/strides sizes.
        #expect(throws: TinyGraphError.self) { try resolve([0, 0], [1], [1, 1]) }
        // Non-constant begin; non-vector strides.
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("StridedSlice", [x, OpTest.activation([1], .int32), OpTest.int32s([1]), OpTest.int32s([1])])
        }
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("StridedSlice", [x, OpTest.int32s([0], []), OpTest.int32s([1], []), OpTest.int32s([1], [])])
        }
        // Wrong input count.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("StridedSlice", [x, OpTest.int32s([0]), OpTest.int32s([1])]) }
    }

    @Test func stridedSliceHugeValuesAreClamped() throws {
        // int64 extremes must clamp, not overflow.
        let x = LayoutTest.iota([4])
        let inputs = [x, OpTest.int64s([Int(Int64.min)]), OpTest.int64s([Int(Int64.max)]), OpTest.int64s([Int(Int64.max)])]
        let out = try LayoutTest.run1("StridedSlice", inputs)
        #expect(out.floats == [0])
        let reverse = [x, OpTest.int64s([Int(Int64.max)]), OpTest.int64s([Int(Int64.min)]), OpTest.int64s([Int(Int64.min) + 1])]
        #expect(try LayoutTest.run1("StridedSlice", reverse).floats == [3])
    }

    /// Slice and StridedSlice agree with an independent per-element reading on a
    /// range of start/stop/step triples over a 3-D input.
    @Test func stridedSliceMatchesNaiveIndexing() throws {
        let shape = [4, 5, 3]
        let x = LayoutTest.iota(shape)
        let triples: [(Int, Int, Int)] = [(0, 4, 1), (-1, -5, -1), (1, 100, 2), (3, -100, -2), (-3, 5, 3), (2, 2, 1), (4, 0, -3)]
        for (a, b) in [(0, 1), (2, 3), (4, 5), (6, 1), (3, 6)] {
            let t0 = triples[a]
            let t1 = triples[b]
            let out = try stridedSlice(x, [t0.0, t1.0, 0], [t0.1, t1.1, 0], [t0.2, t1.2, -1], beginMask: 4, endMask: 4)
            let i0 = Self.pythonRange(t0, size: shape[0])
            let i1 = Self.pythonRange(t1, size: shape[1])
            var expected: [Float] = []
            for p in i0 { for q in i1 { for r in [2, 1, 0] { expected.append(Float((p * 5 + q) * 3 + r)) } } }
            #expect(out.shape == [i0.count, i1.count, 3])
            #expect(out.floats == expected)
        }
    }

    /// Python's `range(*slice(start, stop, step).indices(size))`.
    static func pythonRange(_ triple: (Int, Int, Int), size: Int) -> [Int] {
        let (start, stop, step) = triple
        func adjust(_ value: Int) -> Int {
            var v = value < 0 ? value + size : value
            if step > 0 { v = min(max(v, 0), size) } else { v = min(max(v, -1), size - 1) }
            return v
        }
        var result: [Int] = []
        var i = adjust(start)
        let end = adjust(stop)
        while step > 0 ? i < end : i > end {
            result.append(i)
            i += step
        }
        return result
    }
}
