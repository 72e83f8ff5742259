/// How far computed values are from reference values, for every numeric check of
/// the engine (tests, benchmarks): one definition, so that no check can pass a NaN.
///
/// The error of one element is |actual − expected|, except that a NaN or an infinity
/// where the reference is finite (and a finite value where the reference is NaN or
/// infinite) is an infinite error; two NaNs, or equal infinities, agree. Different
/// counts are an infinite error too. The worst element is kept, to be named in the
/// report. (`Swift.max(worst, .nan)` keeps `worst`: a plain running maximum scores an
/// output full of NaN as perfect.)
@_spi(Testing) public struct ValueComparison: CustomStringConvertible, Sendable {
    public let actualCount: Int
    public let expectedCount: Int
    /// The largest element error (infinite for a count mismatch or a non-finite value).
    public let worstError: Double
    /// Where the worst error is (nil when every element agrees exactly, or the counts differ).
    public let worstIndex: Int?
    public let worstActual: Double
    public let worstExpected: Double

    public init<T: BinaryFloatingPoint>(_ actual: [T], _ expected: [T]) {
        actualCount = actual.count
        expectedCount = expected.count
        var worst = 0.0, index: Int? = nil, got = 0.0, want = 0.0
        if actual.count != expected.count {
            worst = .infinity
        } else {
            for i in actual.indices {
                let a = Double(actual[i]), e = Double(expected[i])
                let error = Self.elementError(a, e)
                if error > worst {  // elementError is never NaN
                    (worst, index, got, want) = (error, i, a, e)
                }
            }
        }
        worstError = worst
        worstIndex = index
        worstActual = got
        worstExpected = want
    }

    static func elementError(_ actual: Double, _ expected: Double) -> Double {
        if expected.isFinite { return actual.isFinite ? abs(actual - expected) : .infinity }
        if expected.isNaN { return actual.isNaN ? 0 : .infinity }
        return actual == expected ? 0 : .infinity
    }

    /// True when the counts match and every element is within `tolerance`.
    public func isWithin(_ tolerance: Double) -> Bool { worstError <= tolerance }

    public var description: String {
        if actualCount != expectedCount { return "\(actualCount) values where \(expectedCount) were expected" }
        guard let worstIndex else { return "all \(actualCount) values equal" }
        return "worst error \(worstError) at element \(worstIndex) of \(actualCount): got \(worstActual), expected \(worstExpected)"
    }

    public static func <= (lhs: ValueComparison, rhs: Double) -> Bool { lhs.worstError <= rhs }
    public static func < (lhs: ValueComparison, rhs: Double) -> Bool { lhs.worstError < rhs }
    public static func <= (lhs: ValueComparison, rhs: Float) -> Bool { lhs.worstError <= Double(rhs) }
    public static func < (lhs: ValueComparison, rhs: Float) -> Bool { lhs.worstError < Double(rhs) }
}
