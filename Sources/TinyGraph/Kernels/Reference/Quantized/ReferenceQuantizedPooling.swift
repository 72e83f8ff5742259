/// TFLite's reference quantized pooling, MEAN and SOFTMAX on stored (unsigned)
/// values (`ActivationQuantization`).
enum ReferenceQuantizedPooling {
    /// reference_integer_ops::MaxPool: the largest value of the window's positions
    /// inside the input, clamped to the fused activation's range.
    static func maxPool(
        input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, geometry g: PoolingGeometry, minimum: UInt8, maximum: UInt8
    ) {
        forEachWindow(g) { outIndex, inIndices in
            var best: UInt8 = 0
            for index in inIndices where input[index] > best { best = input[index] }
            output[outIndex] = min(max(best, minimum), maximum)
        }
    }

    /// reference_integer_ops::AveragePool (int8: the file's signed values, rounded half
    /// away from zero) and reference_ops::AveragePool (uint8: rounded half up); the
    /// divisor counts only positions inside the input.
    static func averagePool(
        input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, geometry g: PoolingGeometry, isSigned: Bool,
        minimum: UInt8, maximum: UInt8
    ) {
        let offset: Int32 = isSigned ? 128 : 0
        forEachWindow(g) { outIndex, inIndices in
            var sum: Int32 = 0
            for index in inIndices { sum &+= Int32(input[index]) - offset }
            let count = Int32(inIndices.count)
            let average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count
            let stored = min(max(average + offset, Int32(minimum)), Int32(maximum))
            output[outIndex] = UInt8(stored)
        }
    }

    /// Calls `body` with each output element's index and its window's input indices.
    private static func forEachWindow(_ g: PoolingGeometry, _ body: (Int, [Int]) -> Void) {
        var indices: [Int] = []
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    for c in 0..<g.channels {
                        indices.removeAll(keepingCapacity: true)
                        for ky in 0..<g.windowHeight {
                            let iy = oy * g.strideH - g.padTop + ky
                            guard iy >= 0, iy < g.inHeight else { continue }
                            for kx in 0..<g.windowWidth {
                                let ix = ox * g.strideW - g.padLeft + kx
                                guard ix >= 0, ix < g.inWidth else { continue }
                                indices.append(((n * g.inHeight + iy) * g.inWidth + ix) * g.channels + c)
                            }
                        }
                        body(((n * g.outHeight + oy) * g.outWidth + ox) * g.channels + c, indices)
                    }
                }
            }
        }
    }

    /// reference_ops::QuantizedMeanOrSum (mean): per output element, the sum of its
    /// `count` inputs minus count × inZero, multiplied, plus outZero, clamped to 0...255.
    /// `outer` × `reduced` × `inner` is the input, reduced over the middle.
    static func mean(
        input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, outer: Int, reduced: Int, inner: Int,
        _ p: MeanParameters
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                var sum: Int32 = 0
                for r in 0..<reduced { sum &+= Int32(input[(o * reduced + r) * inner + i]) }
                output[o * inner + i] = p.finish(sum)
            }
        }
    }

    /// reference_ops::Softmax for 8-bit inputs and outputs: gemmlowp fixed point,
    /// exp of the differences to the row's maximum, a fixed-point reciprocal of
    /// their sum. Outputs have scale 1/256 (stored 0 stands for 0).
    static func softmax(
        input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, rows: Int, depth: Int, _ p: SoftmaxParameters
    ) {
        typealias FP = QuantizedFixedPoint
        for row in 0..<rows {
            let x = input + row * depth
            var largest: UInt8 = 0
            for c in 0..<depth where x[c] > largest { largest = x[c] }
            var sumOfExps: Int32 = 0  // Q12
            for c in 0..<depth {
                let difference = Int32(x[c]) - Int32(largest)
                if difference >= p.differenceMinimum {
                    sumOfExps = sumOfExps &+ QuantizedArithmetic.roundingDivideByPOT(FP.expOnNegativeValues(p.rescale(difference), integerBits: 5), 12)
                }
            }
            let (scale, bitsOverUnit) = FP.reciprocal(sumOfExps, integerDigits: 12)
            let exponent = min(max(bitsOverUnit + 31 - 8, 0), 31)
            for c in 0..<depth {
                let difference = Int32(x[c]) - Int32(largest)
                guard difference >= p.differenceMinimum else {
                    output[row * depth + c] = 0
                    continue
                }
                let exp = FP.expOnNegativeValues(p.rescale(difference), integerBits: 5)
                let value = QuantizedArithmetic.roundingDivideByPOT(FP.mul(scale, exp), exponent)
                output[row * depth + c] = UInt8(clamping: value)
            }
        }
    }
}

/// MEAN's requantization, with TFLite's 1/count folded into the multiplier.
struct MeanParameters: Equatable {
    var count: Int32
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var multiplier: QuantizedArithmetic.Multiplier

    /// TFLite's QuantizedMeanOrSum: multiplier × 2^shift / count (shift = floor(log2
    /// count), at most 32 and at most 31 + the multiplier's shift), then shift − that.
    init(count: Int, inputZeroPoint: Int32, outputZeroPoint: Int32, scaleRatio: QuantizedArithmetic.Multiplier) {
        self.count = Int32(count)
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        var shift = 63 - UInt64(count).leadingZeroBitCount
        shift = min(shift, 32)
        shift = min(shift, 31 + scaleRatio.shift)
        // TFLite shifts an int64 left by a possibly negative amount only when the
        // multiplier is 0 (shift −31 and below flush to zero); keep it defined.
        let value = shift >= 0 ? (Int64(scaleRatio.value) << Int64(shift)) / Int64(count) : 0
        multiplier = QuantizedArithmetic.Multiplier(value: Int32(truncatingIfNeeded: value), shift: scaleRatio.shift - shift)
    }

    @inline(__always)
    func finish(_ sum: Int32) -> UInt8 {
        let shifted = sum &- inputZeroPoint &* count
        let value = QuantizedArithmetic.multiply(shifted, by: multiplier) &+ outputZeroPoint
        return UInt8(clamping: value)
    }
}

/// SOFTMAX's parameters (activations.cc SoftmaxPrepare, reference kernel).
struct SoftmaxParameters: Equatable {
    var inputMultiplier: Int32
    var inputLeftShift: Int
    var differenceMinimum: Int32

    /// MultiplyByQuantizedMultiplierGreaterThanOne: the difference in Q5.26.
    @inline(__always)
    func rescale(_ difference: Int32) -> Int32 {
        QuantizedArithmetic.saturatingRoundingDoublingHighMul(difference &* (Int32(1) &<< Int32(inputLeftShift)), inputMultiplier)
    }
}
