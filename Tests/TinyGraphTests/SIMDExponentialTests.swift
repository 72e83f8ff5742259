import Testing
@_spi(Testing) @testable import TinyGraph

/// The vector e^x and sigmoid give FloatMath's bits in every lane (so FloatMath's
/// accuracy, checked against Glibc in the elementwise tests), and the vector
/// softmax agrees with the reference softmax.
@Suite struct SIMDExponentialTests {
    /// Inputs around every boundary of both paths, then a sweep of the whole range.
    static let inputs: [Float] = {
        var values: [Float] = [0, -0, 1, -1, 0.5, -0.5, .nan, -.nan, .infinity, -.infinity, .greatestFiniteMagnitude,
                               -.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, -17, -17.5, 17]
        for edge: Float in [-104, -103.9, -87.4, -87.3, -87, -86.9, -17, 88, 88.1, 88.7, 88.72, 88.8] {
            values += [edge.nextDown, edge, edge.nextUp]
        }
        // x·log2(e) at a half-integer: where the rounding of k is decided.
        for k in -150...128 { values.append((Float(k) + 0.5) / FloatMath.log2e) }
        var x: Float = -110
        while x < 95 {
            values.append(x)
            x += 0.0137
        }
        values += OpTest.randomFloats(4096, seed: 3).map { $0 * 100 }
        return values
    }()

    /// `function` on 16 lanes at a time (the same lane order as the scalar list).
    private func lanes(_ values: [Float], _ function: (FloatVector) -> FloatVector) -> [Float] {
        var padded = values
        while padded.count % floatVectorWidth != 0 { padded.append(0) }
        var result: [Float] = []
        for start in stride(from: 0, to: padded.count, by: floatVectorWidth) {
            var vector = FloatVector()
            for lane in 0..<floatVectorWidth { vector[lane] = padded[start + lane] }
            let out = function(vector)
            for lane in 0..<floatVectorWidth { result.append(out[lane]) }
        }
        return Array(result.prefix(values.count))
    }

    @Test func expGivesFloatMathsBitsInEveryLane() {
        let vector = lanes(Self.inputs) { SIMDMath.exp($0) }
        for (x, got) in zip(Self.inputs, vector) {
            let want = FloatMath.exp(x)
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "exp(\(x)): \(got), FloatMath \(want)")
        }
    }

    /// Vectors whose lanes mix the plain path with special ones take the scalar path.
    @Test func mixedVectorsGiveFloatMathsBits() {
        let mixed: [Float] = [1, .nan, -200, 89, -87.5, 3, 0, -1, 2, 5, -9, 12, 40, -60, 80, 1e-30]
        let vector = lanes(mixed) { SIMDMath.exp($0) }
        for (x, got) in zip(mixed, vector) {
            let want = FloatMath.exp(x)
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "exp(\(x))")
        }
    }

    @Test func sigmoidGivesFloatMathsBits() {
        let count = Self.inputs.count
        var output = [Float](repeating: .nan, count: count)
        Self.inputs.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { SIMDMath.sigmoid(x.baseAddress!, $0.baseAddress!, count: count) }
        }
        for (x, got) in zip(Self.inputs, output) {
            let want = FloatMath.sigmoid(x)
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "sigmoid(\(x)): \(got), FloatMath \(want)")
        }
    }

    @Test(arguments: [1, 4, 15, 16, 17, 33, 1000, 1001])
    func softmaxAgreesWithTheReference(_ count: Int) {
        let rows = 3
        var input = OpTest.randomFloats(rows * count, seed: UInt64(count)).map { $0 * 20 }
        input[0] = 30  // a large logit in row 0
        var reference = [Float](repeating: 0, count: rows * count), fast = [Float](repeating: .nan, count: rows * count)
        input.withUnsafeBufferPointer { x in
            reference.withUnsafeMutableBufferPointer { ReferenceReduction.softmax(x.baseAddress!, $0.baseAddress!, rows: rows, count: count) }
            fast.withUnsafeMutableBufferPointer { SIMDMath.softmax(x.baseAddress!, $0.baseAddress!, rows: 0..<rows, count: count) }
        }
        // Each e^x is the same float; only the Double sum's order differs.
        #expect(OpTest.compare(fast, reference) <= 1e-7, "\(count)")
    }

    /// NaN and infinities: a NaN makes its row NaN, an all −∞ row is NaN, +∞ gives NaN
    /// (∞ − ∞), exactly where the reference gives them.
    @Test func softmaxSpecialValuesMatchTheReference() {
        let count = 20
        let rows: [[Float]] = [
            (0..<count).map { $0 == 17 ? .nan : Float($0) },
            [Float](repeating: -.infinity, count: count),
            (0..<count).map { $0 == 3 ? .infinity : Float($0) },
            (0..<count).map { $0 % 2 == 0 ? -.infinity : Float($0) },
            (0..<count).map { $0 == 5 ? -200 : Float($0) * 0.1 },
        ]
        let input = rows.flatMap { $0 }
        var reference = [Float](repeating: 0, count: input.count), fast = [Float](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { x in
            reference.withUnsafeMutableBufferPointer { ReferenceReduction.softmax(x.baseAddress!, $0.baseAddress!, rows: rows.count, count: count) }
            fast.withUnsafeMutableBufferPointer { SIMDMath.softmax(x.baseAddress!, $0.baseAddress!, rows: 0..<rows.count, count: count) }
        }
        for (index, (got, want)) in zip(fast, reference).enumerated() {
            #expect(got.isNaN == want.isNaN, "element \(index): \(got) vs \(want)")
            if !want.isNaN { #expect(abs(got - want) <= 1e-7, "element \(index): \(got) vs \(want)") }
        }
    }
}
