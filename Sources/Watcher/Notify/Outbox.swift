/// Delivers a check's messages, and whatever earlier checks could not deliver,
/// through every configured notifier. A message stays in the state's outbox until
/// every notifier configured *now* has delivered it, so nothing is lost when a
/// service is down or when a broken notifier's URL is fixed in the configuration,
/// and a notifier that delivered it is never sent it again. Only a message older
/// than `maxMessageAge` is given up, and the report says so.
public struct Outbox {
    public let notifiers: [Notifier]
    /// Seconds after which an undelivered message is dropped (with a warning).
    public let maxMessageAge: Int

    public init(notifiers: [Notifier], maxMessageAge: Int = 86_400) {
        self.notifiers = notifiers
        self.maxMessageAge = maxMessageAge
    }

    public struct Report: Sendable, Equatable {
        /// `notifier-id kind` for each delivery that went through.
        public var delivered: [String] = []
        /// One line per failed delivery (no secrets).
        public var failures: [String] = []
        /// One line per message given up (too old, or the outbox was full).
        public var dropped: [String] = []

        public init() {}
    }

    /// Queues `alerts` for the configured notifiers, then works through the outbox
    /// in order. `image` goes only with this check's messages: a retried one is
    /// about an earlier moment. A notifier that fails once is not tried again for
    /// the rest of this pass (a dead service costs one timeout per check, not one
    /// per owed message); its messages wait for the next check.
    public func deliver(_ alerts: [AlertMessage], image: [UInt8]?, now: Int, state: inout CameraState) -> Report {
        enqueue(alerts, state: &state)
        return deliverOwed(freshIDs: Set(alerts.map(\.id)), image: image, now: now, state: &state)
    }

    /// Puts new messages in the state's outbox, owed to every configured notifier.
    /// A check saves the state after this and before delivering: from then on a
    /// crash cannot lose the messages, and two processes cannot both own them.
    public func enqueue(_ alerts: [AlertMessage], state: inout CameraState) {
        guard !notifiers.isEmpty else { return }
        state.outbox += alerts.map { PendingDelivery(alert: $0) }
    }

    /// Works through the outbox; `image` goes with the messages whose ids are in `freshIDs`.
    public func deliverOwed(freshIDs fresh: Set<String>, image: [UInt8]?, now: Int, state: inout CameraState) -> Report {
        var report = Report()
        state.outbox.removeAll { pending in
            guard now - pending.alert.time > maxMessageAge * 1000 else { return false }
            let owed = owedNotifiers(pending).map(\.spec.id)
            report.dropped.append("the \(pending.alert.kind.rawValue) message of \(WallTime.localText(pending.alert.time)) "
                + "was not delivered to \(owed.isEmpty ? "any notifier" : owed.joined(separator: ", ")) in "
                + "\(WallTime.durationText(seconds: maxMessageAge)) (--max-message-age): dropped")
            return true
        }
        if state.outbox.count > CameraState.outboxLimit {
            let excess = state.outbox.count - CameraState.outboxLimit
            report.dropped.append("\(excess) undelivered message(s) dropped: more than \(CameraState.outboxLimit) waiting")
            state.outbox.removeFirst(excess)
        }
        var failedThisPass: Set<String> = []
        for index in state.outbox.indices {
            let pending = state.outbox[index]
            for notifier in owedNotifiers(pending) where !failedThisPass.contains(notifier.spec.id) {
                let id = notifier.spec.id
                do {
                    try notifier.deliver(pending.alert, image: fresh.contains(pending.alert.id) ? image : nil)
                    state.outbox[index].delivered.append(id)
                    report.delivered.append("\(id) \(pending.alert.kind.rawValue)")
                } catch {
                    failedThisPass.insert(id)
                    report.failures.append("\(pending.alert.kind.rawValue) message not delivered, will retry: \(error.message)")
                }
            }
            state.outbox[index].attempts += 1
        }
        state.outbox.removeAll { owedNotifiers($0).isEmpty }
        return report
    }

    /// The configured notifiers that still owe `pending`.
    func owedNotifiers(_ pending: PendingDelivery) -> [Notifier] {
        let candidates = notifiers.filter { !pending.delivered.contains($0.spec.id) }
        guard let legacy = pending.legacyOwed else { return candidates }
        // Who delivered is unknown: the owing notifiers, and those of the kind of
        // an owing notifier that is no longer configured (its replacement).
        let orphanedKinds = Set(legacy.filter { id in !notifiers.contains { $0.spec.id == id } }
            .map { $0.prefix { $0 != "#" } })
        return candidates.filter { legacy.contains($0.spec.id) || orphanedKinds.contains(Substring($0.spec.kind.rawValue)) }
    }
}
