import Glibc
import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ElementwiseOpTests {
    // MARK: Helpers

    /// Distance in units in the last place (0 when equal, both NaN, or ±0).
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : Int.max }
        if a == b { return 0 }
        func key(_ value: Float) -> Int {
            let bits = Int(Int32(bitPattern: value.bitPattern))
            return bits < 0 ? Int(Int32.min) - bits : bits
        }
        return abs(key(a) - key(b))
    }

    /// Deterministic random floats spread over many binades: sign, exponent in
    /// `exponents`, random significand.
    static func spreadFloats(_ count: Int, exponents: ClosedRange<Int>, seed: UInt64) -> [Float] {
        var state = seed
        var result: [Float] = []
        for _ in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let bits = state >> 20
            let exponent = exponents.lowerBound + Int(bits % UInt64(exponents.count))
            let significand = 1 + Float((bits >> 8) & 0x7FFFFF) / Float(1 << 23)
            let magnitude = Float(sign: .plus, exponent: exponent, significand: significand)
            result.append((bits >> 40) & 1 == 0 ? magnitude : -magnitude)
        }
        return result
    }

    /// Values every unary test runs on: zeros, small and large magnitudes, the
    /// overflow/underflow boundaries of exp, infinities, and random values.
    static let unaryInputs: [Float] = {
        var values: [Float] = [0, -0.0, 1, -1, 0.5, -0.5, 2, -2, 5.9, 6, 6.1, -6, 10, -10, 17, -17, 17.5, -17.5, 20, -20,
                               30, -30, 80, -80, 87, -87, 88.7, 88.72, 88.75, -88.75, 89, -89, 100, -100, 103.9, -103.9,
                               104, -104, 200, -200, 1e10, -1e10, 1e30, -1e30, Float.greatestFiniteMagnitude,
                               -Float.greatestFiniteMagnitude, 1e-3, -1e-3, 1e-8, -1e-8, 1e-30, -1e-30,
                               Float.leastNormalMagnitude, Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude,
                               .infinity, -.infinity]
        values += OpTest.randomFloats(200, seed: 11).map { $0 * 8 }
        values += spreadFloats(300, exponents: -30...7, seed: 12)
        return values
    }()

    static func runUnary(_ op: String, _ values: [Float], _ attributes: [String: AttrValue] = [:]) throws -> [Float] {
        let output = try OpTest.run(op, [OpTest.floats(values, [values.count])], attributes)
        #expect(output.count == 1)
        #expect(output[0].type == TensorType(.float32, [values.count]))
        return output[0].floats
    }

    /// Expects `actual` within `tolerance` ulps of `expected`, reporting the first few failures.
    static func expectUlps(_ op: String, _ inputs: [Float], _ actual: [Float], _ expected: [Float], tolerance: Int) {
        var failures = 0
        for i in inputs.indices where ulps(actual[i], expected[i]) > tolerance {
            failures += 1
            if failures <= 5 {
                Issue.record("\(op)(\(inputs[i])) = \(actual[i]), expected \(expected[i]) (\(ulps(actual[i], expected[i])) ulps)")
            }
        }
        #expect(failures == 0, "\(op): \(failures) values off by more than \(tolerance) ulps")
    }

    // MARK: FloatMath against Glibc

    /// exp, expm1, tanh and sigmoid on many random values across the float range,
    /// against Glibc in double precision rounded to float (≈ correctly rounded).
    @Test func floatMathMatchesGlibc() {
        var inputs = Self.unaryInputs
        inputs += Self.spreadFloats(20_000, exponents: -40...7, seed: 21)
        inputs += OpTest.randomFloats(5_000, seed: 22).map { $0 * 110 }
        inputs += [-0x1.9fe368p6, 0x1.62e42ep6, 0x1.62e430p6, -0x1.5d589ep6, -0x1.154244p4, 0x1.193eap-1, 0x1.058aeep-2, .nan]
        var worst = [0, 0, 0, 0, 0]
        for x in inputs {
            let d = Double(x)
            let pairs: [(Float, Float)] = [
                (FloatMath.exp(x), Float(Glibc.exp(d))),
                (FloatMath.expm1(x), Float(Glibc.expm1(d))),
                (FloatMath.tanh(x), Float(Glibc.tanh(d))),
                (FloatMath.sigmoid(x), Float(1 / (1 + Glibc.exp(-d)))),
                (FloatMath.exp(x), Glibc.expf(x)),
            ]
            for (index, (mine, reference)) in pairs.enumerated() {
                let error = Self.ulps(mine, reference)
                if error > worst[index] { worst[index] = error }
                if error > 2 { Issue.record("function \(index) at \(x): \(mine) vs \(reference)") }
            }
        }
        #expect(worst.allSatisfy { $0 <= 2 }, "worst ulps exp/expm1/tanh/sigmoid/expf: \(worst)")
    }

    @Test func floatMathSpecialValues() {
        #expect(FloatMath.exp(0) == 1)
        #expect(FloatMath.exp(.infinity) == .infinity)
        #expect(FloatMath.exp(-.infinity) == 0)
        #expect(FloatMath.exp(89) == .infinity)
        #expect(FloatMath.exp(-104) == 0)
        #expect(FloatMath.exp(.nan).isNaN)
        #expect(FloatMath.expm1(0) == 0)
        #expect(FloatMath.expm1(-.infinity) == -1)
        #expect(FloatMath.expm1(.infinity) == .infinity)
        #expect(FloatMath.expm1(1e-30) == 1e-30)
        #expect(FloatMath.expm1(.nan).isNaN)
        #expect(FloatMath.tanh(10.5) == 1 && FloatMath.tanh(-10.5) == -1)
        #expect(FloatMath.tanh(.infinity) == 1 && FloatMath.tanh(-.infinity) == -1)
        #expect(FloatMath.tanh(-0.0).sign == .minus && FloatMath.tanh(0) == 0)
        #expect(FloatMath.tanh(.nan).isNaN)
        #expect(FloatMath.sigmoid(-1000) == 0 && FloatMath.sigmoid(1000) == 1)
        #expect(FloatMath.sigmoid(-.infinity) == 0 && FloatMath.sigmoid(.infinity) == 1)
        #expect(FloatMath.sigmoid(0) == 0.5)
        #expect(FloatMath.sigmoid(.nan).isNaN)
    }

    /// squareRoot is bit-identical to IEEE sqrt (Glibc's sqrtf) on random bit patterns
    /// (all of them were checked once offline) and the special values.
    @Test func squareRootIsCorrectlyRounded() {
        var state: UInt64 = 99
        var values: [Float] = [0, -0.0, 1, 2, 4, 0.25, .infinity, -1, -.infinity, .nan, Float.leastNonzeroMagnitude,
                               Float.leastNormalMagnitude, Float.greatestFiniteMagnitude, Float(1).nextDown, Float(4).nextUp]
        for _ in 0..<100_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Float(bitPattern: UInt32(truncatingIfNeeded: state >> 29)))
        }
        var mismatches = 0
        for x in values {
            let mine = FloatMath.squareRoot(x)
            let reference = Glibc.sqrtf(x)
            if mine.isNaN != reference.isNaN || (!mine.isNaN && mine.bitPattern != reference.bitPattern) {
                mismatches += 1
                if mismatches <= 5 { Issue.record("sqrt(\(x)) = \(mine), expected \(reference)") }
            }
        }
        #expect(mismatches == 0)
    }

    // MARK: Unary ops

    @Test func transcendentalOpsMatchGlibc() throws {
        let x = Self.unaryInputs
        Self.expectUlps("Exp", x, try Self.runUnary("Exp", x), x.map { Float(Glibc.exp(Double($0))) }, tolerance: 2)
        Self.expectUlps("Tanh", x, try Self.runUnary("Tanh", x), x.map { Float(Glibc.tanh(Double($0))) }, tolerance: 2)
        Self.expectUlps("Sigmoid", x, try Self.runUnary("Sigmoid", x), x.map { Float(1 / (1 + Glibc.exp(-Double($0)))) }, tolerance: 2)
        Self.expectUlps("Sqrt", x, try Self.runUnary("Sqrt", x), x.map { Glibc.sqrtf($0) }, tolerance: 0)
        Self.expectUlps("Rsqrt", x, try Self.runUnary("Rsqrt", x), x.map { 1 / Glibc.sqrtf($0) }, tolerance: 0)
        // Elu is TF's exp(x) - 1 in float for x < 0: compare absolutely (the subtraction cancels).
        let elu = try Self.runUnary("Elu", x)
        for (input, value) in zip(x, elu) {
            if input < 0 {
                #expect(abs(value - (Float(Glibc.exp(Double(input))) - 1)) <= 2 * Float.ulpOfOne, "Elu(\(input)) = \(value)")
            } else {
                #expect(Self.ulps(value, input) == 0, "Elu(\(input)) = \(value)")
            }
        }
        #expect(try Self.runUnary("Elu", [-1000, -0.0, 0, 3]) == [-1, 0, 0, 3])
        // Saturation without NaN; sigmoid(-100) is e^-100, not 0.
        let sigmoid = try Self.runUnary("Sigmoid", [-1000, -100, 0, 100, 1000])
        #expect(sigmoid[0] == 0 && sigmoid[2] == 0.5 && sigmoid[3] == 1 && sigmoid[4] == 1)
        #expect(Self.ulps(sigmoid[1], Float(Glibc.exp(-100.0))) <= 2)
        #expect(try Self.runUnary("Tanh", [-1000, -20, 20, 1000]) == [-1, -1, 1, 1])
    }

    @Test func piecewiseOpsExact() throws {
        let x = Self.unaryInputs
        Self.expectUlps("Relu", x, try Self.runUnary("Relu", x), x.map { $0 > 0 ? $0 : 0 }, tolerance: 0)
        Self.expectUlps("Relu6", x, try Self.runUnary("Relu6", x), x.map { Swift.min(Swift.max($0, 0), 6) }, tolerance: 0)
        Self.expectUlps("Square", x, try Self.runUnary("Square", x), x.map { $0 * $0 }, tolerance: 0)
        Self.expectUlps("Neg", x, try Self.runUnary("Neg", x), x.map { -$0 }, tolerance: 0)
        Self.expectUlps("LeakyRelu", x, try Self.runUnary("LeakyRelu", x), x.map { $0 > 0 ? $0 : $0 * 0.2 }, tolerance: 0)
        #expect(try Self.runUnary("LeakyRelu", [-10, -1, 0, 2], ["alpha": .float(0.1)]) == [-1, -0.1, 0, 2])
        // alpha > 1: TF selects on x > 0, it does not take max(x, alpha x).
        #expect(try Self.runUnary("LeakyRelu", [-2, 3], ["alpha": .float(2)]) == [-4, 3])
        #expect(try Self.runUnary("Relu6", [-3, 0, 3, 6, 7, 1e9]) == [0, 0, 3, 6, 6, 6])
        // NaN propagates through Relu and Relu6 (cwiseMax<PropagateNaN>).
        #expect(try Self.runUnary("Relu", [.nan])[0].isNaN)
        #expect(try Self.runUnary("Relu6", [.nan])[0].isNaN)
        #expect(try Self.runUnary("Rsqrt", [4, 0, -1]).enumerated().allSatisfy { i, v in
            i == 0 ? v == 0.5 : (i == 1 ? v == .infinity : v.isNaN)
        })
    }

    @Test func unaryKeepsShape() throws {
        let output = try OpTest.run("Relu", [OpTest.floats([1, -2, 3, -4, 5, -6], [1, 2, 3, 1])])
        #expect(output[0].shape == [1, 2, 3, 1])
        #expect(output[0].floats == [1, 0, 3, 0, 5, 0])
        let scalar = try OpTest.run("Neg", [OpTest.floats([2], [])])
        #expect(scalar[0].shape == [] && scalar[0].floats == [-2])
        let resolved = try OpTest.resolve("LeakyRelu", [OpTest.activation([1, 4])], ["alpha": .float(0.3)])
        guard case .elementwise(.unary(.leakyRelu(let alpha))) = resolved.operation else {
            Issue.record("unexpected operation \(resolved.operation)")
            return
        }
        #expect(alpha == 0.3)
        #expect(resolved.runtimeInputs == [0])
    }

    // MARK: Binary ops

    /// Independent broadcasting: for each output index, each operand's index is the
    /// output index modulo its (right-aligned) dims.
    static func naiveBroadcast(_ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], _ outShape: [Int],
                               _ f: (Float, Float) -> Float) -> [Float] {
        let count = outShape.reduce(1, *)
        func flatIndex(_ outIndex: [Int], _ shape: [Int]) -> Int {
            let offset = outShape.count - shape.count
            var flat = 0
            for (axis, dim) in shape.enumerated() { flat = flat * dim + outIndex[axis + offset] % dim }
            return flat
        }
        var result: [Float] = []
        for linear in 0..<count {
            var index = [Int](repeating: 0, count: outShape.count)
            var rest = linear
            for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
                index[axis] = rest % outShape[axis]
                rest /= outShape[axis]
            }
            result.append(f(a[flatIndex(index, aShape)], b[flatIndex(index, bShape)]))
        }
        return result
    }

    static let floatBinaryOps: [(String, @Sendable (Float, Float) -> Float)] = [
        ("Add", { $0 + $1 }), ("AddV2", { $0 + $1 }), ("Sub", { $0 - $1 }), ("Mul", { $0 * $1 }),
        ("RealDiv", { $0 / $1 }), ("Maximum", { Swift.max($0, $1) }), ("Minimum", { Swift.min($0, $1) }),
    ]

    @Test(arguments: [
        ([2, 3, 4], [4], [2, 3, 4]),
        ([2, 3, 4], [1, 3, 1], [2, 3, 4]),
        ([2, 3, 4], [], [2, 3, 4]),
        ([2, 1, 4], [3, 1], [2, 3, 4]),
        ([3, 1], [2, 1, 4], [2, 3, 4]),
        ([4], [2, 3, 4], [2, 3, 4]),
        ([], [], []),
        ([2, 3], [2, 3], [2, 3]),
        ([1, 2, 1, 3, 1], [2, 1, 2, 1, 2], [2, 2, 2, 3, 2]),
        ([0, 3], [3], [0, 3]),
    ])
    func broadcastingMatchesNaive(lhsShape: [Int], rhsShape: [Int], outShape: [Int]) throws {
        let lhs = OpTest.randomFloats(lhsShape.reduce(1, *), seed: 31).map { $0 * 5 }
        // Keep divisors away from zero.
        let rhs = OpTest.randomFloats(rhsShape.reduce(1, *), seed: 32).map { $0 < 0 ? $0 * 3 - 0.5 : $0 * 3 + 0.5 }
        for (op, f) in Self.floatBinaryOps {
            let output = try OpTest.run(op, [OpTest.floats(lhs, lhsShape, name: "a"), OpTest.floats(rhs, rhsShape, name: "b")])
            #expect(output[0].type == TensorType(.float32, outShape), "\(op)")
            #expect(output[0].floats == Self.naiveBroadcast(lhs, lhsShape, rhs, rhsShape, outShape, f), "\(op) \(lhsShape) \(rhsShape)")
        }
    }

    @Test func integerArithmetic() throws {
        let a = OpTest.int32s([1, -2, 3, Int(Int32.max), Int(Int32.min), 7], [2, 3], name: "a")
        let b = OpTest.int32s([10, 20, 2], [3], name: "b")
        let add = try OpTest.run("Add", [a, b])
        #expect(add[0].type == TensorType(.int32, [2, 3]))
        #expect(add[0].ints == [11, 18, 5, Int(Int32.max) + 10 - (1 << 32), Int(Int32.min) + 20, 9])
        let mul = try OpTest.run("Mul", [a, b])
        #expect(mul[0].ints == [10, -40, 6, Int(Int32(truncatingIfNeeded: Int(Int32.max) * 10)), 0, 14])
        let maximum = try OpTest.run("Maximum", [a, b])
        #expect(maximum[0].ints == [10, 20, 3, Int(Int32.max), 20, 7])
        let minimum = try OpTest.run("Minimum", [a, b])
        #expect(minimum[0].ints == [1, -2, 2, 10, Int(Int32.min), 2])
        let sub = try OpTest.run("Sub", [b, a])
        #expect(sub[0].ints == [9, 22, -1, Int(Int32(truncatingIfNeeded: 10 - Int(Int32.max))), Int(Int32(truncatingIfNeeded: 20 - Int(Int32.min))), -5])
        // int64 with a scalar operand.
        let c = OpTest.int64s([5, Int.max, -3], name: "c")
        let d = OpTest.int64s([2], [], name: "d")
        let mul64 = try OpTest.run("Mul", [c, d])
        #expect(mul64[0].type == TensorType(.int64, [3]))
        #expect(mul64[0].ints == [10, -2, -6])
        let add64 = try OpTest.run("AddV2", [d, c])
        #expect(add64[0].ints == [7, Int.min + 1, -1])
    }

    @Test func realDivAndNaN() throws {
        let a = OpTest.floats([1, -1, 0, 6, .nan, 3], [6], name: "a")
        let b = OpTest.floats([0, 0, 0, 4, 1, .nan], [6], name: "b")
        let div = try OpTest.run("RealDiv", [a, b])[0].floats
        #expect(div[0] == .infinity && div[1] == -.infinity && div[2].isNaN && div[3] == 1.5 && div[4].isNaN && div[5].isNaN)
        // Maximum/Minimum propagate NaN from either side.
        let maximum = try OpTest.run("Maximum", [a, b])[0].floats
        #expect(maximum[3] == 6 && maximum[4].isNaN && maximum[5].isNaN)
        let minimum = try OpTest.run("Minimum", [a, b])[0].floats
        #expect(minimum[3] == 4 && minimum[4].isNaN && minimum[5].isNaN)
        let resolved = try OpTest.resolve("RealDiv", [OpTest.activation([2, 3]), OpTest.activation([3])])
        guard case .elementwise(.binary(.realDiv, let shapes)) = resolved.operation else {
            Issue.record("unexpected operation \(resolved.operation)")
            return
        }
        #expect(shapes == BroadcastShapes(lhs: [2, 3], rhs: [3], output: [2, 3]))
        #expect(resolved.runtimeInputs == [0, 1])
    }

    // MARK: BiasAdd

    @Test func biasAdd() throws {
        let x = OpTest.randomFloats(2 * 3 * 2 * 4, seed: 41)
        let bias: [Float] = [1, -2, 0.5, 10]
        let output = try OpTest.run("BiasAdd", [OpTest.floats(x, [2, 3, 2, 4]), OpTest.floats(bias, [4], name: "bias")],
                                    ["data_format": OpTest.string("NHWC")])
        #expect(output[0].type == TensorType(.float32, [2, 3, 2, 4]))
        #expect(output[0].floats == x.enumerated().map { $0.element + bias[$0.offset % 4] })
        let matrix = try OpTest.run("BiasAdd", [OpTest.floats([1, 2, 3, 4], [2, 2]), OpTest.floats([10, 20], [2], name: "bias")])
        #expect(matrix[0].floats == [11, 22, 13, 24])
    }

    // MARK: Cast

    static func cast(_ input: Value, to destination: DType) throws -> OpTest.Output {
        let output = try OpTest.run("Cast", [input], ["SrcT": OpTest.type(input.type.dtype), "DstT": OpTest.type(destination), "Truncate": .bool(false)])
        #expect(output[0].type == TensorType(destination, input.type.shape))
        return output[0]
    }

    @Test func castFloatToIntegers() throws {
        let values: [Float] = [-2.7, -1.5, -0.5, -0.0, 0.4, 1.999, 2.5, 1e9, 3e9, -3e9, 1e20, -1e20, .infinity, -.infinity, .nan]
        let x = OpTest.floats(values, [3, 5])
        let int32Max = Int(Int32.max), int32Min = Int(Int32.min)
        #expect(try Self.cast(x, to: .int32).ints == [-2, -1, 0, 0, 0, 1, 2, 1_000_000_000, int32Max, int32Min, int32Max, int32Min, int32Max, int32Min, 0])
        #expect(try Self.cast(x, to: .int64).ints == [-2, -1, 0, 0, 0, 1, 2, 1_000_000_000, 3_000_000_000, -3_000_000_000, Int.max, Int.min, Int.max, Int.min, 0])
        #expect(try Self.cast(x, to: .bool).ints == [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(try Self.cast(x, to: .float32).floats.enumerated().allSatisfy { Self.ulps($0.element, values[$0.offset]) == 0 })
    }

    @Test func castIntegersAndBools() throws {
        let ints = OpTest.int32s([-3, 0, 7, 16_777_217], name: "ints")
        #expect(try Self.cast(ints, to: .float32).floats == [-3, 0, 7, 16_777_216])
        #expect(try Self.cast(ints, to: .int64).ints == [-3, 0, 7, 16_777_217])
        #expect(try Self.cast(ints, to: .bool).ints == [1, 0, 1, 1])
        let longs = OpTest.int64s([-1, 1 << 32, (1 << 31) + 5, 42], name: "longs")
        #expect(try Self.cast(longs, to: .int32).ints == [-1, 0, Int(Int32.min) + 5, 42])
        #expect(try Self.cast(longs, to: .float32).floats == [-1, 4_294_967_296, 2_147_483_648, 42])
        let bools = try Self.cast(OpTest.floats([0, 2, -1, 0], [2, 2]), to: .bool)
        let boolValue = Value(name: "b", type: bools.type, constant: bools.buffer)
        #expect(try Self.cast(boolValue, to: .float32).floats == [0, 1, 1, 0])
        #expect(try Self.cast(boolValue, to: .int32).ints == [0, 1, 1, 0])
        #expect(try Self.cast(boolValue, to: .int64).ints == [0, 1, 1, 0])
        #expect(try Self.cast(boolValue, to: .bool).ints == [0, 1, 1, 0])
        // SrcT is optional.
        let output = try OpTest.run("Cast", [OpTest.floats([1.5], [1])], ["DstT": OpTest.type(.int32)])
        #expect(output[0].ints == [1])
    }

    // MARK: Errors

    @Test func errors() throws {
        let f23 = OpTest.activation([2, 3], name: "a")
        // Mismatched broadcast, naming both shapes.
        do {
            _ = try OpTest.resolve("Add", [f23, OpTest.activation([4], name: "b")])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidShape)
            #expect(error.message.contains("[2, 3]") && error.message.contains("[4]"))
        }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Mul", [OpTest.activation([2, 3, 4]), OpTest.activation([2, 4])]) }
        // Dtype mismatch.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Add", [f23, OpTest.activation([2, 3], .int32)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Sub", [OpTest.activation([2], .int64), OpTest.activation([2], .int32)]) }
        // RealDiv on ints; bools in arithmetic; unary on ints.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("RealDiv", [OpTest.int32s([1, 2]), OpTest.int32s([1, 2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Add", [OpTest.activation([2], .bool), OpTest.activation([2], .bool)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Relu", [OpTest.activation([2], .int32)]) }
        // Input counts.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Add", [f23]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Tanh", [f23, f23]) }
        // Rank above 8.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Add", [OpTest.activation([1, 1, 1, 1, 1, 1, 1, 1, 2]), OpTest.activation([2])]) }
        // BiasAdd: bias size, bias rank, value rank, data format, dtype.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("BiasAdd", [f23, OpTest.activation([2])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("BiasAdd", [f23, OpTest.activation([1, 3])]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("BiasAdd", [OpTest.activation([3]), OpTest.activation([3])]) }
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("BiasAdd", [OpTest.activation([1, 3, 2, 2]), OpTest.activation([3])], ["data_format": OpTest.string("NCHW")])
        }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("BiasAdd", [f23, OpTest.activation([3], .int32)]) }
        // Cast: missing DstT, SrcT disagreeing with the input, unsupported type.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Cast", [f23]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Cast", [f23], ["SrcT": OpTest.type(.int32), "DstT": OpTest.type(.int64)]) }
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("Cast", [f23], ["DstT": .type(2)]) }
        // LeakyRelu alpha of the wrong kind.
        #expect(throws: TinyGraphError.self) { try OpTest.resolve("LeakyRelu", [f23], ["alpha": .int(1)]) }
    }
}
