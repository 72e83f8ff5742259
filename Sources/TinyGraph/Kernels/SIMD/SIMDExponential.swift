/// e^x, sigmoid and softmax 16 lanes at a time, without libm: `FloatMath.exp`'s
/// scheme (k = round(x·log2 e), r = x − k·ln2 in two steps, the same degree-8
/// polynomial, 2^k from the exponent bits) done lane for lane with the same
/// operations in the same order, so each lane gets exactly the bits the scalar
/// function gives: the accuracy is FloatMath's (within 2 ulp), checked bit for bit
/// against it in the tests. A vector with a lane FloatMath treats specially (NaN,
/// overflow, underflow, a result below the normal range) goes through the scalar
/// function lane by lane.
enum SIMDMath {
    /// Inputs whose k = round(x·log2 e) lies in -126...127, so 2^k is one normal
    /// float and `FloatMath.scale` takes its plain branch.
    @usableFromInline static let normalLow: Float = -87
    @usableFromInline static let normalHigh: Float = 88

    /// 1.5·2^23: adding and subtracting it rounds a float below 2^22 to an integer.
    @usableFromInline static let roundingMagic: Float = 12_582_912

    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        // NaN fails both comparisons.
        guard all((x .>= normalLow) .& (x .<= normalHigh)) else { return scalarExp(x) }
        // k: FloatMath.reductionCount, Int32(scaled ± 0.5), which truncates toward zero.
        let scaled = x * FloatMath.log2e
        let half = FloatVector(repeating: 0.5).replacing(with: -0.5, where: scaled .< 0)
        let t = scaled + half
        var k = (t + roundingMagic) - roundingMagic  // t rounded to nearest
        k = k.replacing(with: k - 1, where: (k .> t) .& (t .>= 0))
        k = k.replacing(with: k + 1, where: (k .< t) .& (t .< 0))
        // FloatMath.reduce and expm1Polynomial.
        let r = (x - k * FloatMath.ln2Hi) - k * FloatMath.ln2Lo
        var q = FloatVector(repeating: 2.48015873015873016e-5)
        q = q * r + 1.98412698412698413e-4
        q = q * r + 1.38888888888888889e-3
        q = q * r + 8.33333333333333333e-3
        q = q * r + 4.16666666666666667e-2
        q = q * r + 1.66666666666666667e-1
        q = q * r + 0.5
        let y = 1 + (r + (r * r) * q)
        // 2^k: k + 127 sits in the low bits of (1.5·2^23 + 127 + k); shifted into the exponent field.
        let biased = unsafeBitCast(k + (roundingMagic + 127), to: SIMD16<UInt32>.self) &- roundingMagic.bitPattern
        return y * unsafeBitCast(biased &<< 23, to: FloatVector.self)
    }

    @inline(never)
    static func scalarExp(_ x: FloatVector) -> FloatVector {
        var result = FloatVector()
        for lane in 0..<floatVectorWidth { result[lane] = FloatMath.exp(x[lane]) }
        return result
    }

    /// `FloatMath.sigmoid` lane for lane: e^x below -17, else 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        let small = x .< -17
        let e = exp((-x).replacing(with: x, where: small))
        return (1 / (1 + e)).replacing(with: e, where: small)
    }

    /// Sigmoid of `count` floats (any count: the tail goes lane by lane through FloatMath).
    static func sigmoid(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ floatVectorWidth <= count {
            storeVector(sigmoid(loadVector(input + i)), output + i)
            i &+= floatVectorWidth
        }
        while i < count {
            output[i] = FloatMath.sigmoid(input[i])
            i &+= 1
        }
    }

    /// Softmax over the last axis of `rows` rows of `count` floats, as
    /// `ReferenceReduction.softmax`: the maximum (NaN never wins; a NaN reaches every
    /// output through the sum), e^(x − max) from `exp` (the same bits as FloatMath),
    /// summed in Double (in 16 lanes here, then lane by lane), each e times 1/sum.
    static func softmax(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Range<Int>, count: Int) {
        for row in rows {
            let x = input + row &* count
            let y = output + row &* count
            let whole = count &- count % floatVectorWidth
            var maximum = -Float.infinity
            if whole > 0 {
                var best = FloatVector(repeating: -.infinity)
                var i = 0
                while i < whole {
                    let v = loadVector(x + i)
                    best = best.replacing(with: v, where: v .> best)
                    i &+= floatVectorWidth
                }
                for lane in 0..<floatVectorWidth where best[lane] > maximum { maximum = best[lane] }
            }
            for i in whole..<count where x[i] > maximum { maximum = x[i] }

            var sumLow = SIMD8<Double>(), sumHigh = SIMD8<Double>()
            var i = 0
            while i < whole {
                let e = exp(loadVector(x + i) - maximum)
                storeVector(e, y + i)
                sumLow += SIMD8<Double>(e.lowHalf)
                sumHigh += SIMD8<Double>(e.highHalf)
                i &+= floatVectorWidth
            }
            var sum: Double = 0
            for lane in 0..<8 { sum += sumLow[lane] + sumHigh[lane] }
            for i in whole..<count {
                let e = FloatMath.exp(x[i] - maximum)
                y[i] = e
                sum += Double(e)
            }
            let inverse = 1 / Float(sum)
            i = 0
            while i < whole {
                storeVector(loadVector(y + i) * inverse, y + i)
                i &+= floatVectorWidth
            }
            for i in whole..<count { y[i] *= inverse }
        }
    }
}
