/// Everything the watcher remembers about one camera between checks. Saved after
/// every check (atomically, under the camera's lock), so a one-shot `watcher once`
/// under cron behaves exactly like the daemon.
public struct CameraState: Sendable, Equatable {
    /// The name messages use, and the camera's key in a readable form (for `watcher status`).
    public var camera: String?
    public var source: String?

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

    /// Consecutive failed checks, and when the first of them ran (unix ms).
    public var failureStreak = 0
    public var failingSince: Int?
    /// Whether this run of failures has been announced (`unreachable`).
    public var unreachableAnnounced = false
    /// The latest failed check (kept after recovery, for `watcher status`).
    public var lastFailure: CheckFailure?
    /// When the current unbroken run of unsure results began (unix ms), and whether
    /// it has been announced (`unsure`).
    public var unsureSince: Int?
    public var unsureAnnounced = false

    /// Messages some notifiers have not delivered yet; retried on the next check.
    public var outbox: [PendingDelivery] = []

    public init() {}

    /// Undelivered messages kept at most, whatever their age: a guard against a
    /// runaway; `--max-message-age` is what normally drops them.
    public static let outboxLimit = 1000
}

/// A completed check, as the state remembers it.
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

/// A check that could not see the lock.
public struct CheckFailure: Sendable, Equatable {
    public var time: Int
    public var cause: FailureCause
    /// The error, one line, no secrets.
    public var message: String

    public init(time: Int, cause: FailureCause, message: String) {
        self.time = time
        self.cause = cause
        self.message = message
    }

    public init(time: Int, error: WatcherError) {
        self.init(time: time, cause: FailureCause(error), message: error.message)
    }

    /// `camera offline: <the error>. <what to do>`: the `unreachable` message's explanation.
    public var explanation: String {
        "Cause: \(cause.headline) (\(message)). \(cause.advice)"
    }
}

/// A message and who has delivered it. It is owed to every notifier configured
/// now that has not delivered it, so a notifier whose URL is fixed in the
/// configuration gets the message its broken predecessor could not deliver.
public struct PendingDelivery: Sendable, Equatable {
    public var alert: AlertMessage
    /// Notifier ids (`NotifierSpec.id`) that delivered it.
    public var delivered: [String]
    public var attempts: Int
    /// From a version 1 state file, which recorded who still owed the message
    /// rather than who delivered it: only these (or, once none of them is
    /// configured, every configured notifier) get it, so a notifier that already
    /// delivered it is not sent it again.
    public var legacyOwed: [String]?
    /// The check that is delivering it now, so that a check running at the same
    /// time on another machine (object storage has no lock) does not send it too.
    public var claim: DeliveryClaim?

    public init(alert: AlertMessage, delivered: [String] = [], attempts: Int = 0, legacyOwed: [String]? = nil) {
        self.alert = alert
        self.delivered = delivered
        self.attempts = attempts
        self.legacyOwed = legacyOwed
    }
}

/// Which check is delivering a message, until when (unix ms). A check that
/// died while delivering leaves its claim; it lapses at `until`.
public struct DeliveryClaim: Sendable, Equatable {
    public var owner: String
    public var until: Int

    public init(owner: String, until: Int) {
        self.owner = owner
        self.until = until
    }
}
