/// The debounce / reminder / closed-again logic, as a pure function of the saved
/// state and one new check, so every rule is testable without a camera or a clock.
public enum DecisionEngine {
    /// Updates `state` with a check and returns the message it calls for, if any.
    /// The message is issued once; delivering it (and retrying) is the outbox's job.
    public static func observe(
        _ check: CheckRecord, camera: String, policy: DecisionPolicy, state: inout CameraState,
        newID: () -> String = RandomID.uuid
    ) -> AlertMessage? {
        state.lastCheck = check
        func message(_ kind: AlertMessage.Kind) -> AlertMessage {
            AlertMessage(kind: kind, camera: camera, label: check.label, probability: check.probability,
                         time: check.time, openSince: state.openSince, id: newID())
        }

        switch check.verdict {
        case .unsure:
            return nil

        case .clear:
            defer {
                state.alertStreak = 0
                state.openSince = nil
                state.announced = false
                state.lastAnnouncedAt = nil
            }
            return state.announced ? message(.closed) : nil

        case .alert:
            state.alertStreak += 1
            if state.openSince == nil { state.openSince = check.time }
            if !state.announced {
                guard state.alertStreak >= policy.debounce else { return nil }
                state.announced = true
                state.lastAnnouncedAt = check.time
                return message(.opened)
            }
            guard let every = policy.remindEvery, let last = state.lastAnnouncedAt,
                check.time - last >= every * 1000
            else { return nil }
            state.lastAnnouncedAt = check.time
            return message(.reminder)
        }
    }
}
