/// One thing to tell a person: the lock opened, is still open, or closed again.
public struct AlertMessage: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case opened
        case reminder
        case closed
        /// `watcher test-notify`: checks that a notifier works; never issued by a check.
        case test
    }

    public var kind: Kind
    public var camera: String
    /// The model's top label and its probability at this check.
    public var label: String
    public var probability: Double
    /// When the check ran (unix ms).
    public var time: Int
    /// When the open episode began (unix ms).
    public var openSince: Int?
    /// A random id, the same on every retry, so receivers that support it (LINE's
    /// X-Line-Retry-Key) can drop duplicates.
    public var id: String

    public init(kind: Kind, camera: String, label: String, probability: Double, time: Int, openSince: Int?, id: String) {
        self.kind = kind
        self.camera = camera
        self.label = label
        self.probability = probability
        self.time = time
        self.openSince = openSince
        self.id = id
    }

    /// Opened and reminders call for attention; closed and test messages do not.
    public var isAlarming: Bool { kind == .opened || kind == .reminder }

    public var openSeconds: Int? { openSince.map { max(0, (time - $0) / 1000) } }

    /// A short title: `Lock OPEN: Front door`.
    public var title: String {
        switch kind {
        case .opened: return "Lock OPEN: \(camera)"
        case .reminder: return "Lock still OPEN: \(camera)"
        case .closed: return "Lock closed again: \(camera)"
        case .test: return "watcher test: \(camera)"
        }
    }

    /// The sentence every notifier sends: camera, label, probability, time, and how long it has been open.
    public var text: String {
        let percent = Self.percent(probability)
        let when = WallTime.localText(time)
        let duration = openSeconds.map { WallTime.durationText(seconds: $0) } ?? "0 s"
        switch kind {
        case .opened:
            return "\(camera): the lock is OPEN (\(label) \(percent)) at \(when); open for \(duration)."
        case .reminder:
            return "\(camera): the lock is still OPEN (\(label) \(percent)) at \(when); open for \(duration)."
        case .closed:
            return "\(camera): the lock is closed again (\(label) \(percent)) at \(when); it was open for \(duration)."
        case .test:
            return "\(camera): a test message from watcher at \(when); notifications work."
        }
    }

    static func percent(_ probability: Double) -> String {
        let tenths = Int((probability * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
