/// A notifier that also shows the lock's current state after every check, where a
/// plain `Notifier` hears only of messages: Home Assistant over MQTT, whose
/// entities show the lock, the probability, the last check's time and the crop.
/// `CameraWatcher` calls `publish` once per check, before the outbox delivers that
/// check's messages (which come to the same object through `Notifier.deliver`),
/// and `finishCheck` when the check is over, whatever happened.
public protocol StatePublisher: AnyObject {
    /// Shows what this check found. A failure is reported as a warning; the
    /// check's messages still go through the outbox (and are retried there).
    func publish(_ status: LockStatus) throws(WatcherError)
    /// The check is over: a one-shot run closes its connection here.
    func finishCheck()
    /// The watcher stops for good (`watcher run` on SIGTERM): its entities turn unavailable.
    func shutDown()
}

/// What a check found, for a `StatePublisher`.
public struct LockStatus: Sendable, Equatable {
    /// The camera as messages name it.
    public var cameraName: String
    /// Stable across runs and renames (`CameraKey.fileStem` without `camera-`), and
    /// free of secrets: names the camera's topics and unique ids.
    public var cameraID: String
    /// The model file's name (`model.pb`), or `built-in:lock-demo`.
    public var model: String
    /// The label whose probability is watched (`open`).
    public var alertLabel: String
    /// When the check ran (unix ms).
    public var time: Int
    /// What the check saw; nil when it could not see the lock.
    public var reading: Reading?
    /// False once failed checks were announced (`unreachable`): the door is not being watched.
    public var isWatching: Bool

    public struct Reading: Sendable, Equatable {
        /// The debounced verdict: an open episode has been announced (`opened`) and not yet closed.
        public var isOpen: Bool
        /// The alert label's probability, 0…1.
        public var alertProbability: Double
        /// The crop the model saw, as a JPEG (nil if it could not be encoded).
        public var crop: [UInt8]?

        public init(isOpen: Bool, alertProbability: Double, crop: [UInt8]?) {
            self.isOpen = isOpen
            self.alertProbability = alertProbability
            self.crop = crop
        }
    }

    public init(cameraName: String, cameraID: String, model: String, alertLabel: String, time: Int, reading: Reading?,
                isWatching: Bool) {
        self.cameraName = cameraName
        self.cameraID = cameraID
        self.model = model
        self.alertLabel = alertLabel
        self.time = time
        self.reading = reading
        self.isWatching = isWatching
    }
}

/// How the process runs, for the notifiers that keep a connection (MQTT).
public enum RunMode: Sendable, Equatable {
    /// `watcher once` (cron, timers) and `test-notify`: connect for the check, then leave.
    case oneShot
    /// `watcher run`, with the seconds between checks: stay connected.
    case daemon(checkInterval: Int)
}
