import Testing
@testable import TinyGraph

/// The vector requantizer the int8 kernels run (per-channel tables and single
/// multipliers) against TFLite's scalar arithmetic (`QuantizedArithmetic.multiply`,
/// the zero point, the activation's clamp), lane by lane, on accumulators chosen to
/// hit its edges: exact halves of both roundings, negative values, the int32 extremes.
/// With the clamp's minimum at the zero point (ReLU, ReLU6) the requantizer skips
/// the negative rounding's correction; below it, it must not.
@Suite struct QuantizedRequantizerTests {
    /// A deterministic generator (the tests run the same values every time).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    /// Accumulators near the ties of q = round(a·m / 2^31) and of q / 2^e for this
    /// multiplier, of both signs, plus random and extreme ones.
    func accumulators(for multiplier: QuantizedArithmetic.Multiplier, _ random: inout Generator) -> [Int32] {
        var values: [Int32] = [0, 1, -1, 2, -2, Int32.max, Int32.min + 1, 1 << 20, -(1 << 20)]
        let right = max(-multiplier.shift, 0)
        let real = Double(multiplier.value) * Double.pow2(multiplier.shift - 31)
        for k in -300...300 {
            // a with a·real close to k + 1/2: the result's tie.
            let center = (Double(k) + 0.5) / max(real, 1e-12)
            for delta in -2...2 where abs(center) < 2e9 {
                values.append(Int32(center.rounded(.down)) &+ Int32(delta))
            }
        }
        for _ in 0..<200 { values.append(Int32(truncatingIfNeeded: random.int(-(1 << 24)...(1 << 24)))) }
        if right > 0 { values.append(Int32(1) << Int32(min(right, 30))) }
        return values
    }

    func expected(_ a: Int32, _ multiplier: QuantizedArithmetic.Multiplier, zeroPoint: Int32, minimum: Int32, maximum: Int32) -> UInt8 {
        let value = QuantizedArithmetic.multiply(a, by: multiplier) &+ zeroPoint
        return UInt8(truncatingIfNeeded: min(max(value, minimum), maximum))
    }

    /// Runs `values` 16 at a time through `bytes` and compares each lane.
    func check(_ values: [Int32], multipliers: [QuantizedArithmetic.Multiplier], zeroPoint: Int32, minimum: Int32, maximum: Int32,
               bytes: (QuantizedVector) -> SIMD16<UInt8>) -> [String] {
        var failures: [String] = []
        var start = 0
        while start < values.count {
            var vector = QuantizedVector()
            for lane in 0..<16 { vector[lane] = values[(start + lane) % values.count] }
            let result = bytes(vector)
            for lane in 0..<16 {
                let want = expected(vector[lane], multipliers[lane % multipliers.count], zeroPoint: zeroPoint, minimum: minimum, maximum: maximum)
                if result[lane] != want && failures.count < 5 {
                    failures.append("a \(vector[lane]) × \(multipliers[lane % multipliers.count]) zp \(zeroPoint) clamp \(minimum)...\(maximum): \(result[lane]), TFLite \(want)")
                }
            }
            start += 16
        }
        return failures
    }

    static let clamps: [(zeroPoint: Int32, minimum: Int32, maximum: Int32)] = [
        (128, 0, 255),    // no activation
        (0, 0, 255),      // ReLU with the zero point at the bottom
        (37, 37, 255),    // ReLU
        (37, 37, 200),    // ReLU6
        (90, 40, 255),    // a minimum below the zero point (RELU_N1_TO_1-like)
        (255, 0, 255),
    ]

    @Test(arguments: [-1, -3, -7, -12, -20, -30, -31, 0])
    func perChannelTableMatchesTFLite(rightShift: Int) {
        var random = Generator(state: UInt64(bitPattern: Int64(rightShift)) &+ 17)
        // Shifts down to −31: TFLite's QuantizeMultiplier flushes smaller multipliers to 0.
        let multipliers = (0..<16).map { _ in
            QuantizedArithmetic.Multiplier(value: Int32(random.int((1 << 30)...(Int(Int32.max)))),
                                           shift: max(rightShift - random.int(0...2), -31))
        }
        let table = RequantizationTable(multipliers)
        for clamp in Self.clamps {
            let requantizer = QuantizedRequantizer(table.pointer, group: 0, zeroPoint: clamp.zeroPoint, minimum: clamp.minimum,
                                                   maximum: clamp.maximum)
            #expect(requantizer.correctsNegative == (clamp.minimum < clamp.zeroPoint))
            let values = multipliers.flatMap { accumulators(for: $0, &random) }
            let failures = check(values, multipliers: multipliers, zeroPoint: clamp.zeroPoint, minimum: clamp.minimum,
                                 maximum: clamp.maximum) { requantizer.bytes($0) }
            #expect(failures.isEmpty, "\(failures)")
        }
    }

    @Test(arguments: [0.9, 0.5, 0.0123, 3.7e-5, 1.0, 2.5])
    func singleMultiplierMatchesTFLite(real: Double) {
        var random = Generator(state: real.bitPattern)
        let multiplier = QuantizedArithmetic.quantizeMultiplier(real)
        for clamp in Self.clamps {
            let requantizer = QuantizedRequantizer(multiplier, zeroPoint: clamp.zeroPoint, minimum: clamp.minimum, maximum: clamp.maximum)
            let failures = check(accumulators(for: multiplier, &random), multipliers: [multiplier], zeroPoint: clamp.zeroPoint,
                                 minimum: clamp.minimum, maximum: clamp.maximum) { requantizer.bytes($0) }
            #expect(failures.isEmpty, "\(failures)")
        }
    }
}

private extension Double {
    /// 2^n for the exponents a multiplier has.
    static func pow2(_ n: Int) -> Double {
        var result = 1.0
        if n >= 0 { for _ in 0..<n { result *= 2 } } else { for _ in 0..<(-n) { result /= 2 } }
        return result
    }
}
