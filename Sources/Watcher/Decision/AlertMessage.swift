/// One thing to tell a person: the lock opened, is still open, or closed again;
/// or the watcher itself cannot see the lock (`unreachable`), can again
/// (`recovered`), or has been unable to tell for a long time (`unsure`).
public struct AlertMessage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case opened
        case reminder
        case closed
        /// Several checks in a row failed: the door is not being watched.
        case unreachable
        /// The first good check after `unreachable` (or after `unsure`).
        case recovered
        /// The model has been unsure for a long time (lens blocked, crop off).
        case unsure
        /// `watcher test-notify`: checks that a notifier works; never issued by a check.
        case test
    }

    public var kind: Kind
    public var camera: String
    /// The model's top label and its probability at this check; nil when the check
    /// failed (`unreachable`).
    public var label: String?
    public var probability: Double?
    /// When the check ran (unix ms).
    public var time: Int
    /// When the open episode began (unix ms).
    public var openSince: Int?
    /// When the failing checks began (unix ms): `unreachable`, and `recovered` after it.
    public var failingSince: Int?
    /// When the unsure results began (unix ms): `unsure`, and `recovered` after it.
    public var unsureSince: Int?
    /// Why the checks fail, in words (`unreachable`): headline, error, advice.
    public var cause: String?
    /// A random id, the same on every retry, so receivers that support it (LINE's
    /// X-Line-Retry-Key) can drop duplicates.
    public var id: String

    public init(kind: Kind, camera: String, label: String?, probability: Double?, time: Int, openSince: Int? = nil,
                failingSince: Int? = nil, unsureSince: Int? = nil, cause: String? = nil, id: String) {
        self.kind = kind
        self.camera = camera
        self.label = label
        self.probability = probability
        self.time = time
        self.openSince = openSince
        self.failingSince = failingSince
        self.unsureSince = unsureSince
        self.cause = cause
        self.id = id
    }

    /// Opened, reminders, unreachable and unsure call for attention; closed,
    /// recovered and test messages do not.
    public var isAlarming: Bool { [.opened, .reminder, .unreachable, .unsure].contains(kind) }

    /// An emoji short code (Slack's and ntfy's names) that shows the kind at a glance.
    public var icon: String {
        switch kind {
        case .opened, .reminder: return "unlock"
        case .closed, .test: return "lock"
        case .unreachable: return "warning"
        case .recovered: return "white_check_mark"
        case .unsure: return "grey_question"
        }
    }

    /// About the watcher itself rather than the lock.
    public var isHealth: Bool { [.unreachable, .recovered, .unsure].contains(kind) }

    public var openSeconds: Int? { openSince.map { max(0, (time - $0) / 1000) } }
    /// How long the watcher could not see the lock.
    public var blindSeconds: Int? { failingSince.map { max(0, (time - $0) / 1000) } }
    public var unsureSeconds: Int? { unsureSince.map { max(0, (time - $0) / 1000) } }

    /// A short title: `Lock OPEN: Front door`.
    public var title: String {
        switch kind {
        case .opened: return "Lock OPEN: \(camera)"
        case .reminder: return "Lock still OPEN: \(camera)"
        case .closed: return "Lock closed again: \(camera)"
        case .unreachable: return "Cannot see the lock: \(camera)"
        case .recovered: return "Watching the lock again: \(camera)"
        case .unsure: return "Cannot tell the lock's state: \(camera)"
        case .test: return "watcher test: \(camera)"
        }
    }

    /// The sentence every notifier sends: camera, what happened, time, and for how long.
    public var text: String {
        let when = WallTime.localText(time)
        let reading = label.map { label in "\(label) \(probability.map(Self.percent) ?? "?")" } ?? "no result"
        let openFor = WallTime.durationText(seconds: openSeconds ?? 0)
        switch kind {
        case .opened:
            return "\(camera): the lock is OPEN (\(reading)) at \(when); open for \(openFor)."
        case .reminder:
            return "\(camera): the lock is still OPEN (\(reading)) at \(when); open for \(openFor)."
        case .closed:
            return "\(camera): the lock is closed again (\(reading)) at \(when); it was open for \(openFor)."
        case .unreachable:
            let since = failingSince.map { " since \(WallTime.localText($0))" } ?? ""
            return "\(camera): watcher cannot see the lock\(since); the door is NOT being watched. "
                + (cause ?? "The checks fail.")
        case .recovered:
            var text = "\(camera): watcher sees the lock again (\(reading)) at \(when)"
            if let blind = blindSeconds { text += "; it was blind for \(WallTime.durationText(seconds: blind))" }
            if let unsure = unsureSeconds { text += "; it was unsure for \(WallTime.durationText(seconds: unsure))" }
            return text + "."
        case .unsure:
            let unsureFor = WallTime.durationText(seconds: unsureSeconds ?? 0)
            return "\(camera): watcher cannot tell whether the lock is open (\(reading)) at \(when); unsure for "
                + "\(unsureFor). Is the lens blocked, or did the camera move? Check the crop with `watcher check --save-crop`."
        case .test:
            return "\(camera): a test message from watcher at \(when); notifications work."
        }
    }

    /// `97.2%`: how every probability is shown to people.
    public static func percent(_ probability: Double) -> String {
        guard probability.isFinite else { return "?%" }
        let tenths = Int((probability * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
