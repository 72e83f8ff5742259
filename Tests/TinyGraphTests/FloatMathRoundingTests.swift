import Glibc
import Testing
@_spi(Testing) @testable import TinyGraph

/// FloatMath's libm-free floor/ceil/round against Glibc's floorf/ceilf/roundf.
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
        #expect(FloatMath.floor(.nan).isNaN && FloatMath.ceil(.nan).isNaN && FloatMath.round(.nan).isNaN)
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
}
