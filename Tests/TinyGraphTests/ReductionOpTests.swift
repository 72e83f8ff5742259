import Glibc
import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ReductionOpTests {
    // MARK: Independent naive reduction

    /// Scatters every input element into its output slot (output index = input
    /// index with the reduced axes dropped), accumulating in Double.
    static func naiveReduce(_ x: [Float], _ shape: [Int], axes: Set<Int>, kind: String) -> [Float] {
        let outShape = shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let outCount = outShape.reduce(1, *)
        var sums = [Double](repeating: 0, count: outCount)
        var maxima = [Float](repeating: -.infinity, count: outCount)
        var counts = [Int](repeating: 0, count: outCount)
        for linear in 0..<x.count {
            var index = [Int](repeating: 0, count: shape.count)
            var rest = linear
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            var out = 0
            for axis in 0..<shape.count where !axes.contains(axis) { out = out * shape[axis] + index[axis] }
            sums[out] += Double(x[linear])
            maxima[out] = Swift.max(maxima[out], x[linear])
            counts[out] += 1
        }
        switch kind {
        case "Sum": return sums.map { Float($0) }
        case "Mean": return (0..<outCount).map { Float(sums[$0]) / Float(counts[$0]) }
        default: return maxima
        }
    }

    static func reduce(_ op: String, _ x: Value, axes: [Int], keepDims: Bool?, axesType: DType = .int32) throws -> OpTest.Output {
        let axesValue = axesType == .int32 ? OpTest.int32s(axes, name: "axes") : OpTest.int64s(axes, name: "axes")
        var attributes: [String: AttrValue] = [:]
        if let keepDims { attributes["keep_dims"] = .bool(keepDims) }
        let output = try OpTest.run(op, [x, axesValue], attributes)
        #expect(output.count == 1)
        return output[0]
    }

    @Test(arguments: [
        [0], [1], [2], [3], [-1], [1, 2], [-3, -2], [0, 3], [0, 2], [3, 0, 1], [0, 1, 2, 3], [2, -2],
    ])
    func reductionsMatchNaive(axes: [Int]) throws {
        let shape = [2, 3, 4, 5]
        let values = OpTest.randomFloats(120, seed: 51).map { $0 * 10 }
        let x = OpTest.floats(values, shape)
        let normalized = Set(axes.map { $0 < 0 ? $0 + 4 : $0 })
        for op in ["Sum", "Mean", "Max"] {
            let expected = Self.naiveReduce(values, shape, axes: normalized, kind: op)
            for keepDims in [false, true] {
                let output = try Self.reduce(op, x, axes: axes, keepDims: keepDims, axesType: keepDims ? .int64 : .int32)
                let expectedShape = keepDims
                    ? shape.enumerated().map { normalized.contains($0.offset) ? 1 : $0.element }
                    : shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
                #expect(output.type == TensorType(.float32, expectedShape), "\(op) \(axes)")
                if op == "Max" {
                    #expect(output.floats == expected, "\(op) \(axes)")
                } else {
                    #expect(OpTest.compare(output.floats, expected) <= 1e-5, "\(op) \(axes)")
                }
            }
        }
    }

    @Test func scalarAxesDuplicatesAndIdentity() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let x = OpTest.floats(values, [2, 3])
        // A scalar axis.
        let scalarAxis = try OpTest.run("Sum", [x, OpTest.int32s([1], [], name: "axis")])
        #expect(scalarAxis[0].type == TensorType(.float32, [2]))
        #expect(scalarAxis[0].floats == [6, 15])
        // Duplicate axes are reduced once, as in TensorFlow's bitmap.
        let duplicate = try Self.reduce("Mean", x, axes: [0, -2], keepDims: true)
        #expect(duplicate.shape == [1, 3] && duplicate.floats == [2.5, 3.5, 4.5])
        // No axes: a copy, keep_dims defaulting to false.
        let identity = try Self.reduce("Max", x, axes: [], keepDims: nil)
        #expect(identity.shape == [2, 3] && identity.floats == values)
        // A scalar input with no axes.
        let scalar = try Self.reduce("Sum", OpTest.floats([7], []), axes: [], keepDims: false)
        #expect(scalar.shape == [] && scalar.floats == [7])
        // Size-1 dims, all reduced.
        let ones = try Self.reduce("Mean", OpTest.floats([3], [1, 1, 1]), axes: [0, 2], keepDims: false)
        #expect(ones.shape == [1] && ones.floats == [3])
        // Sum over an empty axis is 0.
        let empty = try Self.reduce("Sum", OpTest.floats([], [2, 0]), axes: [1], keepDims: false)
        #expect(empty.shape == [2] && empty.floats == [0, 0])
        // Max propagates NaN.
        let nan = try Self.reduce("Max", OpTest.floats([1, .nan, 3, 4], [2, 2]), axes: [1], keepDims: false)
        #expect(nan.floats[0].isNaN && nan.floats[1] == 4)
        // Parameters for pattern matching.
        let resolved = try OpTest.resolve("Mean", [OpTest.activation([1, 7, 7, 8]), OpTest.int32s([2, 1, -2])], ["keep_dims": .bool(true)])
        guard case .reduction(.reduce(.mean, let axes, let keepDims)) = resolved.operation else {
            Issue.record("unexpected operation \(resolved.operation)")
            return
        }
        #expect(axes == [1, 2] && keepDims)
        #expect(resolved.runtimeInputs == [0])
        #expect(resolved.outputTypes == [TensorType(.float32, [1, 1, 1, 8])])
    }

    @Test func integerReductions() throws {
        let x = OpTest.int32s([1, -5, 3, Int(Int32.max), 2, 9], [2, 3])
        let sum = try Self.reduce("Sum", x, axes: [1], keepDims: false)
        #expect(sum.type == TensorType(.int32, [2]))
        #expect(sum.ints == [-1, Int(Int32(truncatingIfNeeded: Int(Int32.max) + 11))])
        let maximum = try Self.reduce("Max", x, axes: [0], keepDims: true)
        #expect(maximum.type == TensorType(.int32, [1, 3]))
        #expect(maximum.ints == [Int(Int32.max), 2, 9])
        let all = try Self.reduce("Max", x, axes: [0, 1], keepDims: false)
        #expect(all.shape == [] && all.ints == [Int(Int32.max)])
        let shapes = OpTest.int64s([1, 224, 224, 3], name: "shape")
        let product = try Self.reduce("Sum", shapes, axes: [0], keepDims: false)
        #expect(product.type == TensorType(.int64, []) && product.ints == [452])
        // Integer Mean truncates toward zero like C++ division.
        let mean = try Self.reduce("Mean", OpTest.int32s([-7, 0, 7, 8], [2, 2]), axes: [1], keepDims: false)
        #expect(mean.ints == [-3, 7])
    }

    // MARK: ArgMax

    @Test func argMax() throws {
        // Ties resolve to the first index.
        let x = OpTest.floats([1, 5, 5, 2, 7, 7, 7, 0, -1, -1, -3, -1], [3, 4])
        let lastAxis = try OpTest.run("ArgMax", [x, OpTest.int32s([1], [], name: "dim")])
        #expect(lastAxis[0].type == TensorType(.int64, [3]))
        #expect(lastAxis[0].ints == [1, 0, 0])
        let negative = try OpTest.run("ArgMax", [x, OpTest.int64s([-1], [], name: "dim")], ["output_type": OpTest.type(.int32)])
        #expect(negative[0].type == TensorType(.int32, [3]))
        #expect(negative[0].ints == [1, 0, 0])
        let firstAxis = try OpTest.run("ArgMax", [x, OpTest.int32s([0], [], name: "dim")])
        #expect(firstAxis[0].type == TensorType(.int64, [4]))
        #expect(firstAxis[0].ints == [1, 1, 1, 0])
        // Middle axis of a rank-3 tensor, against a naive search.
        let values = OpTest.randomFloats(2 * 5 * 3, seed: 61).map { ($0 * 4).rounded() }
        let middle = try OpTest.run("ArgMax", [OpTest.floats(values, [2, 5, 3]), OpTest.int32s([1], [], name: "dim")])
        #expect(middle[0].shape == [2, 3])
        var expected: [Int] = []
        for o in 0..<2 {
            for i in 0..<3 {
                var best = 0
                for j in 0..<5 where values[(o * 5 + j) * 3 + i] > values[(o * 5 + best) * 3 + i] { best = j }
                expected.append(best)
            }
        }
        #expect(middle[0].ints == expected)
        // Integer input, rank 1.
        let ints = try OpTest.run("ArgMax", [OpTest.int32s([3, 9, 9, -1]), OpTest.int32s([0], [], name: "dim")])
        #expect(ints[0].shape == [] && ints[0].ints == [1])
        let resolved = try OpTest.resolve("ArgMax", [OpTest.activation([1, 10]), OpTest.int32s([-1], [], name: "dim")], ["output_type": OpTest.type(.int32)])
        guard case .reduction(.argMax(let axis, let outputType)) = resolved.operation else {
            Issue.record("unexpected operation \(resolved.operation)")
            return
        }
        #expect(axis == 1 && outputType == .int32 && resolved.runtimeInputs == [0])
    }

    // MARK: Softmax

    static func naiveSoftmax(_ row: [Float]) -> [Float] {
        let maximum = row.max()!
        let exps = row.map { Glibc.exp(Double($0) - Double(maximum)) }
        let sum = exps.reduce(0, +)
        return exps.map { Float($0 / sum) }
    }

    @Test(arguments: [[5], [3, 7], [2, 3, 10], [1, 1, 1, 1000]])
    func softmaxMatchesNaive(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let values = OpTest.randomFloats(count, seed: 71).map { $0 * 20 }
        let output = try OpTest.run("Softmax", [OpTest.floats(values, shape)])
        #expect(output[0].type == TensorType(.float32, shape))
        let result = output[0].floats
        let rowLength = shape[shape.count - 1]
        for row in 0..<(count / rowLength) {
            let slice = Array(result[(row * rowLength)..<((row + 1) * rowLength)])
            let expected = Self.naiveSoftmax(Array(values[(row * rowLength)..<((row + 1) * rowLength)]))
            #expect(abs(slice.reduce(0, +) - 1) <= 1e-5)
            for (a, b) in zip(slice, expected) {
                #expect(abs(a - b) <= 1e-6 + 4e-7 * b, "\(a) vs \(b)")
            }
        }
    }

    @Test func softmaxIsStable() throws {
        let output = try OpTest.run("Softmax", [OpTest.floats([1000, 1001, 1002, -1000, -1000, -1000], [2, 3])])[0].floats
        let expected = Self.naiveSoftmax([0, 1, 2])
        #expect(OpTest.compare(Array(output[0..<3]), expected) <= 1e-6)
        #expect(output[3..<6].allSatisfy { abs($0 - 1.0 / 3) <= 1e-7 })
        let single = try OpTest.run("Softmax", [OpTest.floats([-5, 42], [2, 1])])[0].floats
        #expect(single == [1, 1])
    }

    // MARK: Errors

    @Test func errors() throws {
        let x = OpTest.activation([2, 3, 4])
        // Non-constant axes.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mean", [x, OpTest.activation([1], .int32, name: "axes")]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [x, OpTest.activation([], .int32, name: "dim")]) }
        // Out-of-range axes.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Sum", [x, OpTest.int32s([3])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Max", [x, OpTest.int32s([0, -4])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Sum", [OpTest.activation([]), OpTest.int32s([0])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [x, OpTest.int32s([3], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [x, OpTest.int32s([-4], [])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [OpTest.activation([]), OpTest.int32s([0], [])]) }
        // Axes of the wrong type or rank.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mean", [x, OpTest.floats([1], [1], name: "axes")]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mean", [x, OpTest.int32s([0, 1], [1, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [x, OpTest.int32s([1], [1])]) }
        // Bad dtypes and attributes.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Sum", [OpTest.activation([2], .bool), OpTest.int32s([0])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mean", [x, OpTest.int32s([0])], ["keep_dims": .int(1)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [x, OpTest.int32s([0], [])], ["output_type": OpTest.type(.float32)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Softmax", [OpTest.activation([2, 3], .int32)]) }
        // Empty reductions without a value.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mean", [OpTest.activation([2, 0]), OpTest.int32s([1])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Max", [OpTest.activation([0, 2]), OpTest.int32s([0])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("ArgMax", [OpTest.activation([2, 0]), OpTest.int32s([1], [])]) }
        // Softmax of a scalar; input counts.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Softmax", [OpTest.activation([])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Softmax", [x, x]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Sum", [x]) }
    }
}
