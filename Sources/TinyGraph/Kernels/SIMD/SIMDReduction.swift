/// Float32 Sum and Mean over one contiguous run of axes followed by at least a
/// vector's worth of kept elements: the input is [outer, count, inner] and the
/// output [outer, inner]. Global average pooling ([N, H, W, C] over H, W) is the
/// case that matters. Each block of `inner` lanes is summed down the `count` rows
/// in vector registers, then divided by `count` for Mean, as TensorFlow does.
///
/// The sum accumulates in Float row by row (the reference accumulates in Double),
/// so results differ from `ReferenceReduction` by float32 rounding of `count`
/// additions.
enum SIMDReduction {
    struct Blocks: Equatable {
        var outer: Int
        var count: Int
        var inner: Int
    }

    /// The [outer, count, inner] view of `shape` reduced over `axes` (sorted,
    /// unique), or nil when the axes are not one run or fewer than a vector's
    /// worth of elements follow them.
    static func blocks(shape: [Int], axes: [Int]) -> Blocks? {
        guard let first = axes.first, let last = axes.last, last - first + 1 == axes.count else { return nil }
        var blocks = Blocks(outer: 1, count: 1, inner: 1)
        for (axis, size) in shape.enumerated() {
            if axis < first {
                blocks.outer &*= size
            } else if axis <= last {
                blocks.count &*= size
            } else {
                blocks.inner &*= size
            }
        }
        guard blocks.count > 0, blocks.inner >= floatVectorWidth else { return nil }
        return blocks
    }

    /// Vectors summed together: as many as fit in the registers with room for the loads.
    #if TINYGRAPH_AVX512
    static let blockVectors = 4
    #else
    static let blockVectors = 2
    #endif

    static func sum(_ input: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, _ blocks: Blocks, mean: Bool) {
        let inner = blocks.inner, count = blocks.count
        let divisor = FloatVector(repeating: Float(count))
        let wide = blockVectors &* floatVectorWidth
        for block in 0..<blocks.outer {
            let rows = input + block &* count &* inner
            let out = output + block &* inner
            var lane = 0
            while lane &+ wide <= inner {
                if blockVectors == 4 {
                    sumColumns4(rows + lane, rowStride: inner, count: count, mean: mean, divisor: divisor, to: out + lane)
                } else {
                    sumColumns2(rows + lane, rowStride: inner, count: count, mean: mean, divisor: divisor, to: out + lane)
                }
                lane &+= wide
            }
            while lane &+ floatVectorWidth <= inner {
                sumColumns1(rows + lane, rowStride: inner, count: count, mean: mean, divisor: divisor, to: out + lane)
                lane &+= floatVectorWidth
            }
            // The last vector overlaps the previous one: its lanes are summed
            // afresh and written with the same values (the output never aliases the input).
            if lane < inner {
                let last = inner &- floatVectorWidth
                sumColumns1(rows + last, rowStride: inner, count: count, mean: mean, divisor: divisor, to: out + last)
            }
        }
    }

    @inline(__always)
    private static func finish(_ sum: FloatVector, mean: Bool, divisor: FloatVector) -> FloatVector {
        mean ? sum / divisor : sum
    }

    private static func sumColumns1(
        _ input: UnsafePointer<Float>, rowStride: Int, count: Int, mean: Bool, divisor: FloatVector, to output: UnsafeMutablePointer<Float>
    ) {
        var a = FloatVector()
        var row = input
        for _ in 0..<count {
            a += loadVector(row)
            row += rowStride
        }
        storeVector(finish(a, mean: mean, divisor: divisor), output)
    }

    private static func sumColumns2(
        _ input: UnsafePointer<Float>, rowStride: Int, count: Int, mean: Bool, divisor: FloatVector, to output: UnsafeMutablePointer<Float>
    ) {
        var a = FloatVector(), b = FloatVector()
        var row = input
        for _ in 0..<count {
            a += loadVector(row)
            b += loadVector(row + floatVectorWidth)
            row += rowStride
        }
        storeVector(finish(a, mean: mean, divisor: divisor), output)
        storeVector(finish(b, mean: mean, divisor: divisor), output + floatVectorWidth)
    }

    private static func sumColumns4(
        _ input: UnsafePointer<Float>, rowStride: Int, count: Int, mean: Bool, divisor: FloatVector, to output: UnsafeMutablePointer<Float>
    ) {
        var a = FloatVector(), b = FloatVector(), c = FloatVector(), d = FloatVector()
        var row = input
        for _ in 0..<count {
            a += loadVector(row)
            b += loadVector(row + floatVectorWidth)
            c += loadVector(row + 2 &* floatVectorWidth)
            d += loadVector(row + 3 &* floatVectorWidth)
            row += rowStride
        }
        storeVector(finish(a, mean: mean, divisor: divisor), output)
        storeVector(finish(b, mean: mean, divisor: divisor), output + floatVectorWidth)
        storeVector(finish(c, mean: mean, divisor: divisor), output + 2 &* floatVectorWidth)
        storeVector(finish(d, mean: mean, divisor: divisor), output + 3 &* floatVectorWidth)
    }
}
