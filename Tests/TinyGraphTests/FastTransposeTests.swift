import Testing
@_spi(Testing) @testable import TinyGraph

/// FastTranspose against the reference gather on random shapes and permutations.
@Suite struct FastTransposeTests {
    @Test func matchesTheReferenceGatherExactly() {
        var dice = SIMDConvolutionTests.Dice(state: 77)
        for index in 0..<200 {
            let rank = dice.roll(1...6)
            let shape = (0..<rank).map { _ in dice.roll(0...4) == 0 ? 1 : dice.roll(1...6) }
            var perm = Array(0..<rank)
            for i in stride(from: rank - 1, to: 0, by: -1) { perm.swapAt(i, dice.roll(0...i)) }
            expectMatchesGather(shape: shape, perm: perm, elementSize: [1, 4, 8][index % 3], seed: index)
        }
    }

    /// Channel shuffles of 2...4 groups take the vector interleave path; row counts
    /// around the vector widths (4, 16) exercise the full, overlapping and scalar blocks.
    @Test func channelShufflesOfEveryGroupCountMatchTheReference() {
        for groups in 1...5 {
            for rows in [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 58, 116] {
                for pixels in [1, 3] {
                    let shape = [1, pixels, 1, groups, rows]
                    expectMatchesGather(shape: shape, perm: [0, 1, 2, 4, 3], elementSize: 4, seed: groups &* 1000 &+ rows)
                    expectMatchesGather(shape: shape, perm: [0, 1, 2, 4, 3], elementSize: 8, seed: rows)
                }
            }
        }
        // Outer dims that are not contiguous in the source still land in output order.
        expectMatchesGather(shape: [2, 3, 2, 20], perm: [1, 0, 3, 2], elementSize: 4, seed: 5)
        expectMatchesGather(shape: [3, 17, 4], perm: [2, 1, 0], elementSize: 4, seed: 6)
    }

    private func expectMatchesGather(shape: [Int], perm: [Int], elementSize: Int, seed: Int) {
        let byteCount = shape.reduce(1, *) * elementSize
        let source = (0..<byteCount).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 8 &+ seed) }
        var expected = [UInt8](repeating: 0, count: byteCount), fast = [UInt8](repeating: 0xAA, count: byteCount)
        let inputStrides = TensorType.strides(of: shape)
        source.withUnsafeBytes { s in
            expected.withUnsafeMutableBytes { e in
                LayoutReference.gather(from: s.baseAddress!, to: e.baseAddress!, elementSize: elementSize,
                                       shape: perm.map { shape[$0] }, sourceStrides: perm.map { inputStrides[$0] }, sourceOffset: 0)
            }
            fast.withUnsafeMutableBytes { f in
                FastTranspose.transpose(from: s.baseAddress!, to: f.baseAddress!, elementSize: elementSize, inputShape: shape, perm: perm)
            }
        }
        #expect(fast == expected, "shape \(shape) perm \(perm) element \(elementSize)")
    }

    @Test func channelShuffle() {
        // [1, 2, 2, 2, 3] with perm [0, 1, 2, 4, 3]: per pixel, a 2×3 matrix transposed.
        let values = (0..<24).map { Float($0) }
        var output = [Float](repeating: .nan, count: 24)
        values.withUnsafeBytes { s in
            output.withUnsafeMutableBytes { o in
                FastTranspose.transpose(from: s.baseAddress!, to: o.baseAddress!, elementSize: 4, inputShape: [1, 2, 2, 2, 3], perm: [0, 1, 2, 4, 3])
            }
        }
        #expect(Array(output[0..<6]) == [0, 3, 1, 4, 2, 5])
        #expect(Array(output[18..<24]) == [18, 21, 19, 22, 20, 23])
    }
}
