/// A model's answer for one image: a probability per label.
public struct Classification: Sendable, Equatable {
    public var labels: [String]
    public var probabilities: [Double]

    public init(labels: [String], probabilities: [Double]) {
        self.labels = labels
        self.probabilities = probabilities
    }

    /// The most probable label (the first on ties).
    public var top: (label: String, probability: Double) {
        var best = 0
        for index in probabilities.indices where probabilities[index] > probabilities[best] { best = index }
        return (labels[best], probabilities[best])
    }

    public func probability(of label: String) -> Double? {
        labels.firstIndex(of: label).map { probabilities[$0] }
    }
}
