import Testing
@_spi(Testing) @testable import TinyGraph

/// SIMDReduction (Float sums down rows) against ReferenceReduction (Double sums).
///
/// Tolerance: the two differ only by float32 rounding of the fast path's n-term
/// sequential sum. Each addition rounds by at most u·|partial sum| (u = 2^-24 ≈ 6e-8);
/// those errors are independent in sign, so they grow like √n·u·Σ|x|, about 6e-6·Σ|x|
/// at n = 10,000 terms. Every test here sums at most 3,136 terms and allows
/// 1e-5·Σ|x| (divided by n for Mean). A missing, doubled or misplaced row moves a
/// result by about Σ|x|/n ≥ 3e-4·Σ|x|, far outside that.
@Suite struct SIMDReductionTests {
    static func reference(_ kind: ReductionKind, _ values: [Float], shape: [Int], axes: [Int], outputCount: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: outputCount)
        values.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                ReferenceReduction.reduce(kind, x.baseAddress!, y.baseAddress!, ReferenceReduction.Layout(shape: shape, reducedAxes: axes))
            }
        }
        return output
    }

    /// Per output lane, the sum of |x| over the values reduced into it.
    static func absoluteSums(_ values: [Float], _ blocks: SIMDReduction.Blocks) -> [Float] {
        var sums = [Float](repeating: 0, count: blocks.outer * blocks.inner)
        for o in 0..<blocks.outer {
            for r in 0..<blocks.count {
                for i in 0..<blocks.inner { sums[o * blocks.inner + i] += abs(values[(o * blocks.count + r) * blocks.inner + i]) }
            }
        }
        return sums
    }

    func check(shape: [Int], axes: [Int], positive: Bool, seed: UInt64) {
        guard let blocks = SIMDReduction.blocks(shape: shape, axes: axes) else {
            Issue.record("shape \(shape) axes \(axes) should take the fast path")
            return
        }
        let total = shape.reduce(1, *)
        var dice = SIMDConvolutionTests.Dice(state: seed)
        let values = (0..<total).map { _ in Float(dice.roll(0...20_000) - (positive ? 0 : 10_000)) / 1000 }
        let absolute = Self.absoluteSums(values, blocks)
        for kind in [ReductionKind.sum, .mean] {
            let expected = Self.reference(kind, values, shape: shape, axes: axes, outputCount: blocks.outer * blocks.inner)
            var fast = [Float](repeating: .nan, count: expected.count)
            values.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { y in
                    SIMDReduction.sum(x.baseAddress!, to: y.baseAddress!, blocks, mean: kind == .mean)
                }
            }
            for index in expected.indices {
                let tolerance = 1e-5 * absolute[index] / (kind == .mean ? Float(blocks.count) : 1)
                #expect(abs(fast[index] - expected[index]) <= tolerance,
                        "\(kind) shape \(shape) axes \(axes) [\(index)]: \(fast[index]) vs \(expected[index])")
            }
        }
    }

    @Test func globalPoolingShapes() {
        // ShuffleNetV2 and MobileNetV2 heads, a large spatial extent, channel tails.
        check(shape: [1, 7, 7, 1024], axes: [1, 2], positive: true, seed: 1)
        check(shape: [1, 7, 7, 1280], axes: [1, 2], positive: false, seed: 2)
        check(shape: [1, 56, 56, 24], axes: [1, 2], positive: true, seed: 3)
        check(shape: [2, 3, 5, 100], axes: [1, 2], positive: false, seed: 4)
        check(shape: [1, 1, 1, 16], axes: [1, 2], positive: false, seed: 5)
    }

    @Test func randomShapesAndAxisRuns() {
        var dice = SIMDConvolutionTests.Dice(state: 99)
        for index in 0..<60 {
            let rank = dice.roll(2...5)
            var shape = (0..<rank).map { _ in dice.roll(1...7) }
            let first = dice.roll(0...(rank - 2))
            let last = dice.roll(first...(rank - 2))
            shape[rank - 1] = dice.roll(16...150)  // at least one vector after the reduced run
            check(shape: shape, axes: Array(first...last), positive: index % 2 == 0, seed: UInt64(index))
        }
    }

    @Test func leavesOtherLayoutsToTheReference() {
        #expect(SIMDReduction.blocks(shape: [1, 7, 7, 15], axes: [1, 2]) == nil)  // under a vector of channels
        #expect(SIMDReduction.blocks(shape: [2, 7, 7, 32], axes: [0, 2]) == nil)  // not one run of axes
        #expect(SIMDReduction.blocks(shape: [2, 7, 7, 32], axes: [3]) == nil)  // nothing after the run
        #expect(SIMDReduction.blocks(shape: [2, 0, 7, 32], axes: [1]) == nil)  // an empty sum
        #expect(SIMDReduction.blocks(shape: [2, 7, 7, 32], axes: []) == nil)
        #expect(SIMDReduction.blocks(shape: [2, 7, 7, 32], axes: [1, 2]) == SIMDReduction.Blocks(outer: 2, count: 49, inner: 32))
    }

    /// Through the op: Mean over H, W with and without keep_dims, as graphs give it.
    @Test func meanOpDispatchesToTheFastPath() throws {
        let shape = [1, 7, 7, 40]
        var dice = SIMDConvolutionTests.Dice(state: 7)
        let values = (0..<shape.reduce(1, *)).map { _ in Float(dice.roll(0...1000)) / 100 }
        let expected = Self.reference(.mean, values, shape: shape, axes: [1, 2], outputCount: 40)
        for keepDims in [false, true] {
            let output = try ReductionOpTests.reduce("Mean", OpTest.floats(values, shape), axes: [2, 1], keepDims: keepDims)
            #expect(output.shape == (keepDims ? [1, 1, 1, 40] : [1, 40]))
            // Values ≤ 10 over 49 terms: Σ|x|/n ≤ 10, so 1e-4 is the 1e-5·Σ|x|/n bound above.
            #expect(OpTest.compare(output.floats, expected) <= 1e-4)
        }
    }
}
