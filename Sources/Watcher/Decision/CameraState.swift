/// Everything the watcher remembers about one camera between checks. Saved after
/// every check (atomically), so a one-shot `watcher once` under cron behaves
/// exactly like the daemon.
public struct CameraState: Sendable, Equatable {
    /// Consecutive alert checks (unsure checks neither add nor reset).
    public var alertStreak = 0
    /// When the current run of alert checks began (unix ms).
    public var openSince: Int?
    /// Whether this episode's "open" message has been issued.
    public var announced = false
    /// When the last "open" or reminder message was issued (unix ms).
    public var lastAnnouncedAt: Int?
    /// The latest completed check.
    public var lastCheck: CheckRecord?
    /// Messages some notifiers have not delivered yet; retried on the next check.
    public var outbox: [PendingDelivery] = []

    public init() {}

    /// Undelivered messages kept at most; older ones are dropped (and said so).
    public static let outboxLimit = 20
}

public struct CheckRecord: Sendable, Equatable {
    public var time: Int
    public var label: String
    public var probability: Double
    public var alertProbability: Double
    public var verdict: Verdict

    public init(time: Int, label: String, probability: Double, alertProbability: Double, verdict: Verdict) {
        self.time = time
        self.label = label
        self.probability = probability
        self.alertProbability = alertProbability
        self.verdict = verdict
    }
}

/// A message and the notifiers that still owe it.
public struct PendingDelivery: Sendable, Equatable {
    public var alert: AlertMessage
    /// Notifier ids (`NotifierSpec.id`) that have not delivered it yet.
    public var targets: [String]
    public var attempts: Int

    public init(alert: AlertMessage, targets: [String], attempts: Int = 0) {
        self.alert = alert
        self.targets = targets
        self.attempts = attempts
    }
}
