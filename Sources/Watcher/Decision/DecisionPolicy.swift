/// When a classification counts as "open", and when to tell someone.
public struct DecisionPolicy: Sendable, Equatable {
    /// The label whose probability is watched (`open` for a lock).
    public var alertLabel: String
    /// At or above this probability of the alert label, a check counts as alert.
    public var threshold: Double
    /// At or below this probability, a check counts as clear (closed). Between the two
    /// the result is unsure: it never alerts, never ends an episode, and leaves the
    /// debounce count as it was.
    public var clearBelow: Double
    /// Consecutive alert checks needed before the first message of an episode.
    public var debounce: Int
    /// Seconds between reminders while it stays open; nil for no reminders.
    public var remindEvery: Int?
    /// Consecutive failed checks before one `unreachable` message; nil for never.
    public var alertAfterFailures: Int?
    /// Seconds of unbroken unsure results before one `unsure` message; nil for never.
    public var alertUnsureAfter: Int?

    public init(alertLabel: String = "open", threshold: Double = 0.7, clearBelow: Double = 0.3, debounce: Int = 2,
                remindEvery: Int? = 1800, alertAfterFailures: Int? = 3, alertUnsureAfter: Int? = 3600) {
        self.alertLabel = alertLabel
        self.threshold = threshold
        self.clearBelow = clearBelow
        self.debounce = debounce
        self.remindEvery = remindEvery
        self.alertAfterFailures = alertAfterFailures
        self.alertUnsureAfter = alertUnsureAfter
    }

    public func validate() throws(WatcherError) {
        guard threshold > 0, threshold <= 1 else { throw WatcherError(.usage, "--threshold must be in (0, 1], got \(threshold)") }
        guard clearBelow >= 0, clearBelow < threshold else {
            throw WatcherError(.usage, "--clear-below must be in [0, threshold), got \(clearBelow) with threshold \(threshold)")
        }
        guard debounce >= 1 else { throw WatcherError(.usage, "--debounce must be at least 1, got \(debounce)") }
        if let remindEvery, remindEvery < 1 { throw WatcherError(.usage, "--remind-every must be positive (or 0 for never)") }
        if let alertAfterFailures, alertAfterFailures < 1 {
            throw WatcherError(.usage, "--alert-after-failures must be at least 1 (or 0 for never)")
        }
        if let alertUnsureAfter, alertUnsureAfter < 1 {
            throw WatcherError(.usage, "--alert-unsure-after must be positive (or 0 for never)")
        }
    }

    public func verdict(alertProbability: Double) -> Verdict {
        if alertProbability >= threshold { return .alert }
        if alertProbability <= clearBelow { return .clear }
        return .unsure
    }
}

/// What one check says about the watched state.
public enum Verdict: String, Sendable, Equatable {
    case alert
    case clear
    case unsure
}
