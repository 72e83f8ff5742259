import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct MatMulOpTests {
    static func transposed(_ values: [Float], rows: Int, cols: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<cols { result[c * rows + r] = values[r * cols + c] } }
        return result
    }

    static func flags(_ a: Bool, _ b: Bool) -> [String: AttrValue] {
        ["transpose_a": .bool(a), "transpose_b": .bool(b)]
    }

    @Test func handComputed() throws {
        // [[1, 2, 3], [4, 5, 6]] x [[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]]
        let output = try OpTest.run(
            "MatMul", [OpTest.floats([1, 2, 3, 4, 5, 6], [2, 3], name: "a"), OpTest.floats([7, 8, 9, 10, 11, 12], [3, 2], name: "b")])
        #expect(output[0].shape == [2, 2])
        #expect(output[0].floats == [58, 64, 139, 154])
    }

    @Test func allTransposeCombinations() throws {
        let (m, k, n) = (3, 5, 4)
        let a = OpTest.randomFloats(m * k, seed: 1)
        let b = OpTest.randomFloats(k * n, seed: 2)
        var expected = [Float](repeating: 0, count: m * n)
        for row in 0..<m { for col in 0..<n {
            var sum: Double = 0
            for inner in 0..<k { sum += Double(a[row * k + inner]) * Double(b[inner * n + col]) }
            expected[row * n + col] = Float(sum)
        } }
        let aT = Self.transposed(a, rows: m, cols: k)
        let bT = Self.transposed(b, rows: k, cols: n)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let inputA = ta ? OpTest.floats(aT, [k, m], name: "a") : OpTest.floats(a, [m, k], name: "a")
            let inputB = tb ? OpTest.floats(bT, [n, k], name: "b") : OpTest.floats(b, [k, n], name: "b")
            let resolved = try OpTest.resolve("MatMul", [inputA, inputB], Self.flags(ta, tb))
            switch resolved.operation {
            case .convolution(let op):
                // Constant B without transpose_a: the packed 1×1-convolution path.
                #expect(!ta && op.packedWeights != nil)
                #expect(resolved.runtimeInputs == [0])
            case .matMul(let op):
                #expect(ta && op == MatMulOp(transposeA: ta, transposeB: tb))
                #expect(resolved.runtimeInputs == [0, 1])
            default:
                Issue.record("MatMul resolved to \(resolved.operation)")
            }
            // The reference kernel itself, the oracle of the fast path.
            var reference = [Float](repeating: .nan, count: m * n)
            (ta ? aT : a).withUnsafeBufferPointer { pa in
                (tb ? bT : b).withUnsafeBufferPointer { pb in
                    reference.withUnsafeMutableBufferPointer { pc in
                        ReferenceMatMul.matMul(a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!,
                                               m: m, n: n, k: k, transposeA: ta, transposeB: tb)
                    }
                }
            }
            #expect(OpTest.compare(reference, expected) < 1e-5)
            // With B known only at run time, the reference kernel always runs.
            let runtimeB = try OpTest.resolve("MatMul", [inputA, OpTest.activation(inputB.type.shape)], Self.flags(ta, tb))
            guard case .matMul = runtimeB.operation else { Issue.record("not a matMul"); continue }
            let output = try OpTest.run("MatMul", [inputA, inputB], Self.flags(ta, tb))
            #expect(output[0].shape == [m, n])
            #expect(OpTest.compare(output[0].floats, expected) < 1e-5)
        }
    }

    @Test func vectorShapes() throws {
        // [1, K] x [K, 1] and an empty inner dimension (sum of nothing = 0).
        let dot = try OpTest.run("MatMul", [OpTest.floats([1, 2, 3], [1, 3], name: "a"), OpTest.floats([4, 5, 6], [3, 1], name: "b")])
        #expect(dot[0].floats == [32])
        let empty = try OpTest.run("MatMul", [OpTest.floats([], [2, 0], name: "a"), OpTest.floats([], [0, 3], name: "b")])
        #expect(empty[0].shape == [2, 3])
        #expect(empty[0].floats == [0, 0, 0, 0, 0, 0])
    }

    @Test func errors() {
        func expectError(_ a: [Int], _ b: [Int], _ attributes: [String: AttrValue] = [:], dtype: DType = .float32) {
            #expect(throws: TinyGraphError.self) {
                try OpTest.resolve("MatMul", [OpTest.activation(a, dtype, name: "a"), OpTest.activation(b, name: "b")], attributes)
            }
        }
        expectError([2, 3], [4, 2])  // inner mismatch
        expectError([2, 3], [3, 2], Self.flags(true, false))  // 2 vs 3 after transposing a
        expectError([2, 3], [3, 2], Self.flags(false, true))
        expectError([2, 3, 1], [3, 2])  // rank 3
        expectError([3], [3, 2])  // rank 1
        expectError([2, 3], [3, 2], dtype: .int32)
        expectError([2, 3], [3, 2], ["transpose_a": OpTest.string("yes")])
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("MatMul", [OpTest.activation([2, 3], name: "a")])
        }
    }
}
