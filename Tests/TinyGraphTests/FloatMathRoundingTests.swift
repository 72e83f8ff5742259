import Glibc
import Testing
@_spi(Testing) @testable import TinyGraph

/// FloatMath's libm-free floor/ceil/round against Glibc's floorf/ceilf/roundf, and the
/// double round/floor/trunc (quantization parameters, lookup tables) against round/floor/trunc.
@Suite struct FloatMathRoundingTests {
    static let specialValues: [Float] = [
        0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 1, -1,
        8_388_607.5, -8_388_607.5, 8_388_608, 16_777_217, -16_777_216, 1e30, -1e30,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .infinity, -.infinity,
    ]

    private func check(_ x: Float) {
        #expect(FloatMath.floor(x) == floorf(x), "floor(\(x))")
        #expect(FloatMath.ceil(x) == ceilf(x), "ceil(\(x))")
        #expect(FloatMath.round(x) == roundf(x), "round(\(x))")
    }

    @Test func matchesLibmOnSpecialValues() {
        for x in Self.specialValues { check(x) }
        #expect(FloatMath.floor(Float.nan).isNaN && FloatMath.ceil(Float.nan).isNaN && FloatMath.round(Float.nan).isNaN)
    }

    @Test func matchesLibmOnRandomValuesAndHalves() {
        var state: UInt32 = 12345
        for _ in 0..<20_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let x = Float(bitPattern: state)
            if x.isNaN { continue }
            check(x)
            check(Float(Int32(truncatingIfNeeded: state) % 20_000) / 2)  // many exact halves
        }
    }

    private func check(_ x: Double) {
        #expect(FloatMath.floor(x) == Glibc.floor(x), "floor(\(x))")
        #expect(FloatMath.round(x) == Glibc.round(x), "round(\(x))")
        #expect(FloatMath.trunc(x) == Glibc.trunc(x), "trunc(\(x))")
    }

    @Test func doublesMatchLibm() {
        let special: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                                 4_503_599_627_370_495.5, -4_503_599_627_370_495.5, 4_503_599_627_370_496, 9_007_199_254_740_993,
                                 1e300, -1e300, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .infinity, -.infinity]
        for x in special { check(x) }
        #expect(FloatMath.floor(Double.nan).isNaN && FloatMath.round(Double.nan).isNaN && FloatMath.trunc(Double.nan).isNaN)
        var state: UInt64 = 12345
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Double(bitPattern: state)
            if x.isNaN { continue }
            check(x)
            check(Double(Int64(truncatingIfNeeded: state) % 2_000_000) / 2)
        }
    }
}
