import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct BatchNormOpTests {
    static func inputs(x: [Float], shape: [Int], scale: [Float], offset: [Float], mean: [Float], variance: [Float]) -> [Value] {
        let c = scale.count
        return [
            OpTest.floats(x, shape), OpTest.floats(scale, [c], name: "scale"), OpTest.floats(offset, [offset.count], name: "offset"),
            OpTest.floats(mean, [mean.count], name: "mean"), OpTest.floats(variance, [variance.count], name: "variance"),
        ]
    }

    static let inference: [String: AttrValue] = ["is_training": .bool(false), "epsilon": .float(0.001)]

    @Test func handComputed() throws {
        // Channel 0: mean 1, variance 3, epsilon 1 -> rsqrt(4) = 0.5, scale 2 -> factor 1, offset 0.5.
        // Channel 1: mean 0, variance 0, epsilon 1 -> factor 1 * scale 3 = 3, offset -1.
        let output = try OpTest.run(
            "FusedBatchNorm",
            Self.inputs(x: [5, 2, 1, -1], shape: [1, 1, 2, 2], scale: [2, 3], offset: [0.5, -1], mean: [1, 0], variance: [3, 0]),
            ["is_training": .bool(false), "epsilon": .float(1)])
        #expect(output.count == 1)
        #expect(output[0].shape == [1, 1, 2, 2])
        #expect(output[0].floats == [4.5, 5, 0.5, -4])
    }

    @Test func formulaAllVersions() throws {
        let shape = [2, 3, 2, 5]
        let x = OpTest.randomFloats(60, seed: 3).map { $0 * 4 }
        let scale = OpTest.randomFloats(5, seed: 4)
        let offset = OpTest.randomFloats(5, seed: 5)
        let mean = OpTest.randomFloats(5, seed: 6)
        let variance = OpTest.randomFloats(5, seed: 7).map { abs($0) * 2 }
        var expected: [Float] = []
        for index in 0..<60 {
            let c = index % 5
            let y = (Double(x[index]) - Double(mean[c])) * Double(scale[c]) / (Double(variance[c]) + 0.001).squareRoot() + Double(offset[c])
            expected.append(Float(y))
        }
        for op in ["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"] {
            let resolved = try OpTest.resolve(op, Self.inputs(x: x, shape: shape, scale: scale, offset: offset, mean: mean, variance: variance), Self.inference)
            #expect(resolved.runtimeInputs == [0, 1, 2, 3, 4])
            #expect(resolved.outputTypes == [TensorType(.float32, shape)])
            let output = try OpTest.run(op, Self.inputs(x: x, shape: shape, scale: scale, offset: offset, mean: mean, variance: variance), Self.inference)
            #expect(OpTest.compare(output[0].floats, expected) < 1e-5)
        }
    }

    @Test func defaultEpsilon() throws {
        let resolved = try OpTest.resolve(
            "FusedBatchNormV3",
            Self.inputs(x: [1, 2], shape: [1, 1, 1, 2], scale: [1, 1], offset: [0, 0], mean: [0, 0], variance: [1, 1]),
            ["is_training": .bool(false)])
        guard case .batchNorm(let op) = resolved.operation else { Issue.record("not a batchNorm"); return }
        #expect(op.epsilon == 0.0001)
    }

    @Test func errors() {
        let good = Self.inputs(x: [Float](repeating: 0, count: 8), shape: [1, 2, 2, 2], scale: [1, 1], offset: [0, 0], mean: [0, 0], variance: [1, 1])
        func expectError(_ inputs: [Value], _ attributes: [String: AttrValue] = Self.inference, op: String = "FusedBatchNormV3") {
            #expect(throws: TinyGraphError.self) { try OpTest.resolve(op, inputs, attributes) }
        }
        expectError(good, ["is_training": .bool(true)])
        expectError(good, [:])  // TensorFlow's default is_training is true
        expectError(good, ["is_training": .bool(false), "data_format": OpTest.string("NCHW")])
        expectError(good, ["is_training": .bool(false), "epsilon": .int(1)])
        expectError(Array(good.prefix(4)))
        // x of rank 3; scale of the wrong length; mean of rank 2; int variance.
        expectError(Self.inputs(x: [0, 0, 0, 0], shape: [1, 2, 2], scale: [1, 1], offset: [0, 0], mean: [0, 0], variance: [1, 1]))
        expectError(Self.inputs(x: [Float](repeating: 0, count: 8), shape: [1, 2, 2, 2], scale: [1, 1, 1], offset: [0, 0], mean: [0, 0], variance: [1, 1]))
        var badMean = good
        badMean[3] = OpTest.floats([0, 0], [1, 2], name: "mean")
        expectError(badMean)
        var intVariance = good
        intVariance[4] = OpTest.int32s([1, 1], name: "variance")
        expectError(intVariance)
        var intX = good
        intX[0] = OpTest.activation([1, 2, 2, 2], .int32)
        expectError(intX)
    }
}
