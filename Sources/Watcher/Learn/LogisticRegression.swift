#if canImport(Glibc)
import Glibc
#endif

/// Trains a classifier's last layer on embeddings: logistic regression with L2 and
/// per-sample weights, solved with L-BFGS in double precision.
///
/// Features are standardised by the training samples' mean and standard deviation
/// (a feature with no spread stays zero), the weights are learned on that scale and
/// folded back onto the raw embedding (`W / sd`, `b − (W / sd)·mean`), so the model
/// file needs no extra layer. The objective is
///
///     J(W, b) = Σᵢ sᵢ·lossᵢ / Σᵢ sᵢ + (l2 / 2)·‖W‖²      (the bias is not penalised)
///
/// with `softmax`: lossᵢ = −log softmax(W zᵢ + b)[yᵢ] (multinomial), or `sigmoid`:
/// one independent logistic regression per class (what a Sigmoid head computes). It
/// is strictly convex in W, so any correct solver finds the same weights:
/// `tools/lockgen/softmax_regression.py` solves it with Newton's method for the tests.
/// Starting from zero, the softmax biases keep summing to zero.
public enum LogisticRegression {
    public enum Loss: Sendable {
        case softmax
        case sigmoid
    }

    public struct Settings: Sendable {
        /// L2 strength on the standardised scale.
        public var l2: Double
        /// Stop when every gradient element is below this.
        public var gradientTolerance: Double
        public var maxIterations: Int

        public init(l2: Double = 0.1, gradientTolerance: Double = 1e-6, maxIterations: Int = 500) {
            self.l2 = l2
            self.gradientTolerance = gradientTolerance
            self.maxIterations = maxIterations
        }
    }

    public struct Result: Sendable {
        /// `classes × features`, class-major, on the raw (unstandardised) features.
        public var weights: [Float]
        public var bias: [Float]
        public var iterations: Int
        /// J at the solution, and its gradient's largest element.
        public var objective: Double
        public var gradientNorm: Double
    }

    /// Balanced class weights, `n / (classes present × n_k)`, one per sample.
    public static func balancedWeights(labels: [Int], classCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        let present = Double(counts.filter { $0 > 0 }.count)
        return labels.map { Double(labels.count) / (present * Double(counts[$0])) }
    }

    /// `features` holds one row of `featureCount` values per sample.
    public static func train(features: [Float], featureCount: Int, labels: [Int], classCount: Int,
                             sampleWeights: [Double]? = nil, loss: Loss, settings: Settings = Settings(),
                             progress: (Int) -> Void = { _ in }) -> Result {
        let samples = labels.count
        precondition(features.count == samples * featureCount && samples > 0 && classCount > 0)
        let weights = sampleWeights ?? balancedWeights(labels: labels, classCount: classCount)

        // Standardise.
        var mean = [Double](repeating: 0, count: featureCount)
        var spread = [Double](repeating: 0, count: featureCount)
        for i in 0..<samples { for c in 0..<featureCount { mean[c] += Double(features[i * featureCount + c]) } }
        for c in 0..<featureCount { mean[c] /= Double(samples) }
        for i in 0..<samples {
            for c in 0..<featureCount {
                let d = Double(features[i * featureCount + c]) - mean[c]
                spread[c] += d * d
            }
        }
        for c in 0..<featureCount {
            let sd = (spread[c] / Double(samples)).squareRoot()
            spread[c] = sd > 0 ? sd : 1
        }
        var z = [Double](repeating: 0, count: samples * featureCount)
        for i in 0..<samples {
            for c in 0..<featureCount { z[i * featureCount + c] = (Double(features[i * featureCount + c]) - mean[c]) / spread[c] }
        }

        let problem = Problem(z: z, samples: samples, features: featureCount, classes: classCount, labels: labels,
                              weights: weights, l2: settings.l2, loss: loss)
        var minimizer = LBFGS(parameterCount: classCount * featureCount + classCount)
        let (theta, value, gradientNorm, iterations) = minimizer.minimize(problem, settings: settings, progress: progress)

        // Fold the standardisation into the weights.
        var rawWeights = [Float](repeating: 0, count: classCount * featureCount)
        var rawBias = [Float](repeating: 0, count: classCount)
        for k in 0..<classCount {
            var shift = 0.0
            for c in 0..<featureCount {
                let w = theta[k * featureCount + c] / spread[c]
                rawWeights[k * featureCount + c] = Float(w)
                shift += w * mean[c]
            }
            rawBias[k] = Float(theta[classCount * featureCount + k] - shift)
        }
        return Result(weights: rawWeights, bias: rawBias, iterations: iterations, objective: value, gradientNorm: gradientNorm)
    }

    /// Softmax or sigmoid of the logits of raw features, in double precision.
    public static func probabilities(_ logits: [Double], _ loss: Loss) -> [Double] {
        switch loss {
        case .sigmoid: return logits.map { 1 / (1 + exp(-$0)) }
        case .softmax:
            let largest = logits.max() ?? 0
            let exponentials = logits.map { exp($0 - largest) }
            let sum = exponentials.reduce(0, +)
            return exponentials.map { $0 / sum }
        }
    }
}

/// J and its gradient on standardised features; θ = [W (classes × features), b].
private struct Problem {
    let z: [Double]
    let samples: Int
    let features: Int
    let classes: Int
    let labels: [Int]
    let weights: [Double]
    let l2: Double
    let loss: LogisticRegression.Loss

    func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        let total = weights.reduce(0, +)
        var value = 0.0
        for index in gradient.indices { gradient[index] = 0 }
        var logits = [Double](repeating: 0, count: classes)
        theta.withUnsafeBufferPointer { theta in
            z.withUnsafeBufferPointer { z in
                gradient.withUnsafeMutableBufferPointer { gradient in
                    let biasStart = classes * features
                    for i in 0..<samples {
                        let row = i * features
                        for k in 0..<classes {
                            var sum = theta[biasStart + k]
                            let w = k * features
                            for c in 0..<features { sum += theta[w + c] * z[row + c] }
                            logits[k] = sum
                        }
                        let label = labels[i]
                        let scale = weights[i] / total
                        switch loss {
                        case .softmax:
                            var largest = logits[0]
                            for k in 1..<max(classes, 1) where logits[k] > largest { largest = logits[k] }
                            let labelLogit = logits[label] - largest
                            var sum = 0.0
                            for k in 0..<classes {
                                logits[k] = exp(logits[k] - largest)
                                sum += logits[k]
                            }
                            value += scale * (log(sum) - labelLogit)
                            for k in 0..<classes { logits[k] = (logits[k] / sum - (k == label ? 1 : 0)) * scale }
                        case .sigmoid:
                            for k in 0..<classes {
                                let u = logits[k]
                                let target = k == label ? 1.0 : 0.0
                                // softplus(−u)·t + softplus(u)·(1 − t), without overflow
                                let softplus = max(u, 0) + log1p(exp(-abs(u)))
                                value += scale * (softplus - target * u)
                                logits[k] = (1 / (1 + exp(-u)) - target) * scale
                            }
                        }
                        // logits now hold the residuals (p − t)·s / Σs.
                        for k in 0..<classes {
                            let r = logits[k]
                            gradient[biasStart + k] += r
                            let w = k * features
                            for c in 0..<features { gradient[w + c] += r * z[row + c] }
                        }
                    }
                    for index in 0..<biasStart {
                        value += 0.5 * l2 * theta[index] * theta[index]
                        gradient[index] += l2 * theta[index]
                    }
                }
            }
        }
        return value
    }
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo
/// line search; deterministic.
private struct LBFGS {
    let parameterCount: Int
    let memory = 10
    var steps: [[Double]] = []
    var changes: [[Double]] = []

    init(parameterCount: Int) {
        self.parameterCount = parameterCount
    }

    mutating func minimize(_ problem: Problem, settings: LogisticRegression.Settings, progress: (Int) -> Void)
        -> (theta: [Double], value: Double, gradientNorm: Double, iterations: Int)
    {
        var theta = [Double](repeating: 0, count: parameterCount)
        var gradient = [Double](repeating: 0, count: parameterCount)
        var value = problem.evaluate(theta, gradient: &gradient)
        var iterations = 0
        var candidate = theta
        var candidateGradient = gradient
        while iterations < settings.maxIterations, largest(gradient) > settings.gradientTolerance {
            iterations += 1
            progress(iterations)
            var direction = twoLoop(gradient)
            var slope = dot(direction, gradient)
            if !(slope < 0) {  // not a descent direction: forget the curvature pairs
                steps.removeAll()
                changes.removeAll()
                direction = gradient.map { -$0 }
                slope = dot(direction, gradient)
            }
            var step = steps.isEmpty ? min(1, 1 / max(largest(gradient), 1e-300)) : 1.0
            var candidateValue = 0.0
            var accepted = false
            while step > 1e-20 {
                for index in 0..<parameterCount { candidate[index] = theta[index] + step * direction[index] }
                candidateValue = problem.evaluate(candidate, gradient: &candidateGradient)
                if candidateValue <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }  // no decrease left at double precision
            var s = [Double](repeating: 0, count: parameterCount)
            var y = [Double](repeating: 0, count: parameterCount)
            for index in 0..<parameterCount {
                s[index] = candidate[index] - theta[index]
                y[index] = candidateGradient[index] - gradient[index]
            }
            if dot(s, y) > 1e-12 * dot(y, y) {
                steps.append(s)
                changes.append(y)
                if steps.count > memory {
                    steps.removeFirst()
                    changes.removeFirst()
                }
            }
            let decrease = value - candidateValue
            swap(&theta, &candidate)
            swap(&gradient, &candidateGradient)
            value = candidateValue
            if decrease <= 1e-16 * max(1, abs(value)) { break }
        }
        return (theta, value, largest(gradient), iterations)
    }

    /// −H·g from the stored pairs.
    private func twoLoop(_ gradient: [Double]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for index in stride(from: steps.count - 1, through: 0, by: -1) {
            let rho = 1 / dot(changes[index], steps[index])
            alphas[index] = rho * dot(steps[index], q)
            for j in 0..<parameterCount { q[j] -= alphas[index] * changes[index][j] }
        }
        if let s = steps.last, let y = changes.last {
            let gamma = dot(s, y) / dot(y, y)
            for j in 0..<parameterCount { q[j] *= gamma }
        }
        for index in 0..<steps.count {
            let rho = 1 / dot(changes[index], steps[index])
            let beta = rho * dot(changes[index], q)
            for j in 0..<parameterCount { q[j] += (alphas[index] - beta) * steps[index][j] }
        }
        return q.map { -$0 }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    private func largest(_ values: [Double]) -> Double {
        var result = 0.0
        for value in values where abs(value) > result || value.isNaN { result = value.isNaN ? .infinity : abs(value) }
        return result
    }
}
