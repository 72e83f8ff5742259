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
        let dropped = prune(now: now, state: &state)
        let owner = "this-pass"
        let claimed = claim(owner: owner, now: now, state: &state)
        var (report, results) = deliver(claimed: claimed, freshIDs: fresh, image: image, state: state)
        Self.record(results, owner: owner, into: &state)
        removeDelivered(from: &state)
        report.dropped = dropped + report.dropped
        return report
    }

    /// Drops messages older than `maxMessageAge` and any beyond the outbox's
    /// limit, and says which (one line each).
    public func prune(now: Int, state: inout CameraState) -> [String] {
        var dropped: [String] = []
        state.outbox.removeAll { pending in
            guard now - pending.alert.time > maxMessageAge * 1000 else { return false }
            let owed = owedNotifiers(pending).map(\.spec.id)
            dropped.append("the \(pending.alert.kind.rawValue) message of \(WallTime.localText(pending.alert.time)) "
                + "was not delivered to \(owed.isEmpty ? "any notifier" : owed.joined(separator: ", ")) in "
                + "\(WallTime.durationText(seconds: maxMessageAge)) (--max-message-age): dropped")
            return true
        }
        if state.outbox.count > CameraState.outboxLimit {
            let excess = state.outbox.count - CameraState.outboxLimit
            dropped.append("\(excess) undelivered message(s) dropped: more than \(CameraState.outboxLimit) waiting")
            state.outbox.removeFirst(excess)
        }
        return dropped
    }

    /// Marks the owed messages that no other check is delivering as being
    /// delivered by `owner` (for `claimSeconds`), and returns their ids. Saved
    /// before anything is sent: two checks at once never both send a message.
    public func claim(owner: String, now: Int, state: inout CameraState) -> [String] {
        var claimed: [String] = []
        for index in state.outbox.indices where !owedNotifiers(state.outbox[index]).isEmpty {
            if let claim = state.outbox[index].claim, claim.owner != owner, claim.until > now { continue }
            state.outbox[index].claim = DeliveryClaim(owner: owner, until: now + Self.claimSeconds * 1000)
            claimed.append(state.outbox[index].alert.id)
        }
        return claimed
    }

    /// Long enough for every notifier's timeouts; a claim left by a check that
    /// died lapses after it, and the message is sent by a later check.
    public static let claimSeconds = 300

    /// Which notifiers delivered each message (by id), and which messages were tried.
    public struct Deliveries: Sendable, Equatable {
        public var delivered: [String: [String]] = [:]
        public var attempted: [String] = []
    }

    /// Sends the `claimed` messages to the notifiers that owe them. A notifier
    /// that fails once is not tried again in this pass.
    public func deliver(claimed: [String], freshIDs fresh: Set<String>, image: [UInt8]?, state: CameraState)
        -> (Report, Deliveries)
    {
        var report = Report()
        var results = Deliveries()
        var failedThisPass: Set<String> = []
        for pending in state.outbox where claimed.contains(pending.alert.id) {
            for notifier in owedNotifiers(pending) where !failedThisPass.contains(notifier.spec.id) {
                let id = notifier.spec.id
                do {
                    try notifier.deliver(pending.alert, image: fresh.contains(pending.alert.id) ? image : nil)
                    results.delivered[pending.alert.id, default: []].append(id)
                    report.delivered.append("\(id) \(pending.alert.kind.rawValue)")
                } catch {
                    failedThisPass.insert(id)
                    report.failures.append("\(pending.alert.kind.rawValue) message not delivered, will retry: \(error.message)")
                }
            }
            results.attempted.append(pending.alert.id)
        }
        return (report, results)
    }

    /// Writes what a pass delivered into `state` (which may have been changed by
    /// another check meanwhile) and releases `owner`'s claims; a message every
    /// configured notifier has delivered leaves the outbox.
    public static func record(_ results: Deliveries, owner: String, into state: inout CameraState) {
        for index in state.outbox.indices {
            let id = state.outbox[index].alert.id
            for notifier in results.delivered[id] ?? [] where !state.outbox[index].delivered.contains(notifier) {
                state.outbox[index].delivered.append(notifier)
            }
            if results.attempted.contains(id) { state.outbox[index].attempts += 1 }
            if state.outbox[index].claim?.owner == owner { state.outbox[index].claim = nil }
        }
    }

    /// Removes the messages every configured notifier has delivered.
    public func removeDelivered(from state: inout CameraState) {
        state.outbox.removeAll { owedNotifiers($0).isEmpty }
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
