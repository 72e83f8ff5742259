/// Delivers a check's message, and whatever earlier checks could not deliver,
/// through every configured notifier. A notifier that fails keeps the message in
/// the state's outbox and tries again on the next check; nothing is lost and
/// nothing is sent twice by a notifier that succeeded.
public struct Outbox {
    public let notifiers: [Notifier]

    public init(notifiers: [Notifier]) {
        self.notifiers = notifiers
    }

    public struct Report: Sendable, Equatable {
        /// (notifier id, message kind) for each delivery that went through.
        public var delivered: [String] = []
        /// One line per failed delivery (no secrets).
        public var failures: [String] = []
        /// Messages dropped because the outbox was full.
        public var dropped = 0
    }

    /// Queues `alert` (if any) for every notifier, then works through the outbox.
    /// `image` goes only with the new message: a retried one is about an earlier moment.
    public func deliver(_ alert: AlertMessage?, image: [UInt8]?, state: inout CameraState) -> Report {
        var report = Report()
        if let alert, !notifiers.isEmpty {
            state.outbox.append(PendingDelivery(alert: alert, targets: notifiers.map(\.spec.id)))
        }
        if state.outbox.count > CameraState.outboxLimit {
            report.dropped = state.outbox.count - CameraState.outboxLimit
            state.outbox.removeFirst(report.dropped)
        }
        for index in state.outbox.indices {
            let pending = state.outbox[index]
            var owed: [String] = []
            for id in pending.targets {
                // A notifier removed from the configuration no longer owes anything.
                guard let notifier = notifiers.first(where: { $0.spec.id == id }) else { continue }
                do {
                    try notifier.deliver(pending.alert, image: pending.alert.id == alert?.id ? image : nil)
                    report.delivered.append("\(id) \(pending.alert.kind.rawValue)")
                } catch {
                    owed.append(id)
                    report.failures.append("\(pending.alert.kind.rawValue) message not delivered, will retry: \(error.message)")
                }
            }
            state.outbox[index].targets = owed
            state.outbox[index].attempts += 1
        }
        state.outbox.removeAll { $0.targets.isEmpty }
        return report
    }
}
