/// The debounce / reminder / closed-again logic and the watcher's own health
/// (failing checks, endless unsure results), as pure functions of the saved state
/// and one new check, so every rule is testable without a camera or a clock.
public enum DecisionEngine {
    /// Updates `state` with a completed check and returns the messages it calls
    /// for, in order (a `recovered` comes before an `opened`). Each message is
    /// issued once; delivering it (and retrying) is the outbox's job.
    public static func observe(
        _ check: CheckRecord, camera: String, policy: DecisionPolicy, state: inout CameraState,
        newID: () -> String = RandomID.uuid
    ) -> [AlertMessage] {
        state.lastCheck = check
        func message(_ kind: AlertMessage.Kind, failingSince: Int? = nil, unsureSince: Int? = nil) -> AlertMessage {
            AlertMessage(kind: kind, camera: camera, label: check.label, probability: check.probability,
                         time: check.time, openSince: kind.isAboutTheLock ? state.openSince : nil,
                         failingSince: failingSince, unsureSince: unsureSince, id: newID())
        }
        var messages: [AlertMessage] = []

        // The watcher can see again: one `recovered` if the blindness was announced.
        let announcedFailures = state.unreachableAnnounced ? state.failingSince : nil
        state.failureStreak = 0
        state.failingSince = nil
        state.unreachableAnnounced = false

        // Unsure results: one `unsure` after an unbroken run as long as the policy's
        // limit; the first sure result after it ends the run (with `recovered`).
        var announcedUnsure: Int?
        if check.verdict == .unsure {
            let since = state.unsureSince ?? check.time
            state.unsureSince = since
            if !state.unsureAnnounced, let limit = policy.alertUnsureAfter, check.time - since >= limit * 1000 {
                state.unsureAnnounced = true
                messages.append(message(.unsure, unsureSince: since))
            }
        } else {
            if state.unsureAnnounced { announcedUnsure = state.unsureSince }
            state.unsureSince = nil
            state.unsureAnnounced = false
        }
        if announcedFailures != nil || announcedUnsure != nil {
            messages.insert(message(.recovered, failingSince: announcedFailures, unsureSince: announcedUnsure), at: 0)
        }

        switch check.verdict {
        case .unsure:
            break

        case .clear:
            if state.announced { messages.append(message(.closed)) }
            state.alertStreak = 0
            state.openSince = nil
            state.announced = false
            state.lastAnnouncedAt = nil

        case .alert:
            state.alertStreak += 1
            if state.openSince == nil { state.openSince = check.time }
            if !state.announced {
                if state.alertStreak >= policy.debounce {
                    state.announced = true
                    state.lastAnnouncedAt = check.time
                    messages.append(message(.opened))
                }
            } else if let every = policy.remindEvery, let last = state.lastAnnouncedAt, check.time - last >= every * 1000 {
                state.lastAnnouncedAt = check.time
                messages.append(message(.reminder))
            }
        }
        return messages
    }

    /// Updates `state` with a check that could not see the lock. The lock's own
    /// state (streak, open episode, unsure run) is left as it was; after
    /// `alertAfterFailures` failures in a row, one `unreachable` message.
    public static func observeFailure(
        _ failure: CheckFailure, camera: String, policy: DecisionPolicy, state: inout CameraState,
        newID: () -> String = RandomID.uuid
    ) -> AlertMessage? {
        state.failureStreak += 1
        let since = state.failingSince ?? failure.time
        state.failingSince = since
        state.lastFailure = failure
        guard !state.unreachableAnnounced, let limit = policy.alertAfterFailures, state.failureStreak >= limit else {
            return nil
        }
        state.unreachableAnnounced = true
        return AlertMessage(kind: .unreachable, camera: camera, label: nil, probability: nil, time: failure.time,
                            failingSince: since, cause: failure.explanation, id: newID())
    }
}

extension AlertMessage.Kind {
    /// Messages about the lock carry the open episode's start.
    var isAboutTheLock: Bool { self == .opened || self == .reminder || self == .closed }
}
