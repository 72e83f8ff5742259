import Foundation
import Testing
@_spi(Testing) import TinyGraph
@testable import Watcher

/// The trainer of `watcher learn` against Tests/Fixtures/learn/reference.json: the
/// same objective minimised independently by Newton's method in numpy
/// (tools/make_learn_fixture.py). The objective is strictly convex in W, so the
/// weights must agree.
@Suite struct LogisticRegressionTests {
    struct Case: Decodable, Sendable, CustomStringConvertible {
        var name: String
        var loss: String
        var l2: Double
        var classes: Int
        var features: Int
        var x: [Float]
        var y: [Int]
        var sampleWeights: [Double]?
        var weights: [Double]
        var bias: [Double]
        var objective: Double
        var description: String { name }
    }

    static let cases: [Case] = {
        struct File: Decodable { var cases: [Case] }
        let path = WatcherProcess.repositoryRoot + "/Tests/Fixtures/learn/reference.json"
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
              let file = try? JSONDecoder().decode(File.self, from: data), !file.cases.isEmpty else {
            // A missing or unreadable reference fails the test rather than running none.
            return [Case(name: "<\(path) is missing or unreadable>", loss: "", l2: 0, classes: 0, features: 0, x: [], y: [],
                         weights: [], bias: [], objective: 0)]
        }
        return file.cases
    }()

    @Test(arguments: cases)
    func agreesWithTheNewtonReference(_ reference: Case) throws {
        try #require(reference.classes > 0, "\(reference.name)")
        #expect(Self.cases.count >= 5)
        let result = LogisticRegression.train(
            features: reference.x, featureCount: reference.features, labels: reference.y, classCount: reference.classes,
            sampleWeights: reference.sampleWeights, loss: reference.loss == "sigmoid" ? .sigmoid : .softmax,
            settings: LogisticRegression.Settings(l2: reference.l2, gradientTolerance: 1e-10, maxIterations: 2000))
        #expect(result.gradientNorm <= 1e-9)
        #expect(abs(result.objective - reference.objective) <= 1e-9 * max(1, reference.objective))
        // Raw weights are W / sd: compare relative to the largest.
        let scale = max(1, reference.weights.map(abs).max() ?? 0)
        let weights = ValueComparison(result.weights.map(Double.init), reference.weights)
        #expect(weights <= 1e-5 * scale, "\(weights)")
        let biasScale = max(1, reference.bias.map(abs).max() ?? 0)
        let bias = ValueComparison(result.bias.map(Double.init), reference.bias)
        #expect(bias <= 1e-5 * biasScale, "\(bias)")
    }

    /// A tiny set solved by hand: two samples x = ±1 of two classes, softmax, L2 λ.
    /// By symmetry b = 0 and w₁ = −w₀ = a, and J(a) = log(1 + e^(−2a)) + λa², so the
    /// optimum solves 2/(1 + e^(2a)) = 2λa; for λ = 1 that is a = 0.4016 (found by
    /// bisection below, independently of the trainer).
    @Test func solvesTheSymmetricTwoPointProblem() {
        var low = 0.0, high = 2.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if 1 / (1 + Foundation.exp(2 * middle)) - middle > 0 { low = middle } else { high = middle }
        }
        let result = LogisticRegression.train(features: [-1, 1], featureCount: 1, labels: [0, 1], classCount: 2, loss: .softmax,
                                              settings: LogisticRegression.Settings(l2: 1, gradientTolerance: 1e-12))
        #expect(ValueComparison(result.weights.map(Double.init), [-low, low]) <= 1e-6)
        #expect(ValueComparison(result.bias.map(Double.init), [0, 0]) <= 1e-6)
    }

    @Test func balancedWeightsEqualiseClasses() {
        let weights = LogisticRegression.balancedWeights(labels: [0, 0, 0, 1], classCount: 3)
        let expected: [Double] = [4.0 / 6, 4.0 / 6, 4.0 / 6, 2]
        #expect(ValueComparison(weights, expected) <= 1e-15)
    }
}
