import Testing
@testable import Watcher

@Suite struct DecisionEngineTests {
    let policy = DecisionPolicy(alertLabel: "open", threshold: 0.7, clearBelow: 0.3, debounce: 2, remindEvery: 600)

    /// Feeds probabilities of "open", one check a minute, and returns the message kinds issued.
    func run(_ probabilities: [Double], policy: DecisionPolicy? = nil, state: inout CameraState) -> [AlertMessage.Kind?] {
        let policy = policy ?? self.policy
        return probabilities.enumerated().map { index, probability in
            let record = CheckRecord(time: 1_700_000_000_000 + index * 60_000, label: probability >= 0.5 ? "open" : "close",
                                     probability: max(probability, 1 - probability), alertProbability: probability,
                                     verdict: policy.verdict(alertProbability: probability))
            let messages = DecisionEngine.observe(record, camera: "door", policy: policy, state: &state, newID: { "id-\(index)" })
            #expect(messages.count <= 1, "check \(index) issued \(messages.map(\.kind))")
            return messages.first?.kind
        }
    }

    @Test func closedLockNeverNotifies() {
        var state = CameraState()
        #expect(run([0.1, 0.05, 0.2, 0.0, 0.3], state: &state).allSatisfy { $0 == nil })
        #expect(state.alertStreak == 0 && !state.announced)
    }

    @Test func oneMessagePerEpisodeAfterDebounceThenClosedAgain() {
        var state = CameraState()
        let kinds = run([0.9, 0.95, 0.9, 0.92, 0.1, 0.1], state: &state)
        #expect(kinds == [nil, .opened, nil, nil, .closed, nil])
        #expect(!state.announced && state.openSince == nil)
    }

    @Test func aSingleAlertIsDebouncedAway() {
        var state = CameraState()
        #expect(run([0.9, 0.1, 0.9, 0.1], state: &state).allSatisfy { $0 == nil })
    }

    @Test func unsureNeitherAlertsNorBreaksTheStreakNorEndsAnEpisode() {
        var state = CameraState()
        #expect(run([0.9, 0.5, 0.9], state: &state) == [nil, nil, .opened])
        #expect(run([0.5, 0.6, 0.4], state: &state) == [nil, nil, nil])
        #expect(state.announced)
        #expect(run([0.2], state: &state) == [.closed])
    }

    @Test func unsureBandAloneNeverAlerts() {
        var state = CameraState()
        #expect(run(Array(repeating: 0.69, count: 20), state: &state).allSatisfy { $0 == nil })
    }

    @Test func remindersEveryIntervalWhileOpen() {
        var state = CameraState()
        // Checks a minute apart, reminders every 10 minutes after the opened message at minute 1.
        let kinds = run(Array(repeating: 0.9, count: 25), state: &state)
        #expect(kinds.enumerated().filter { $0.element == .reminder }.map(\.offset) == [11, 21])
        #expect(kinds.filter { $0 == .opened }.count == 1)
    }

    @Test func noRemindersWhenDisabled() {
        var state = CameraState()
        var quiet = policy
        quiet.remindEvery = nil
        #expect(run(Array(repeating: 0.9, count: 30), policy: quiet, state: &state).compactMap { $0 } == [.opened])
    }

    @Test func messagesSayHowLongItHasBeenOpen() {
        var state = CameraState()
        var messages: [AlertMessage] = []
        for (index, probability) in [0.9, 0.9, 0.9, 0.1].enumerated() {
            let record = CheckRecord(time: index * 300_000, label: "x", probability: 0.9, alertProbability: probability,
                                     verdict: policy.verdict(alertProbability: probability))
            messages += DecisionEngine.observe(record, camera: "Front door", policy: policy, state: &state)
        }
        #expect(messages.map(\.openSeconds) == [300, 900])
        #expect(messages[0].text.contains("Front door") && messages[0].text.contains("OPEN") && messages[0].text.contains("5 min"))
        #expect(messages[1].text.contains("closed again") && messages[1].text.contains("15 min"))
        #expect(messages[0].id != messages[1].id)
    }

    @Test func debounceOfOneAlertsAtOnce() {
        var state = CameraState()
        var eager = policy
        eager.debounce = 1
        #expect(run([0.8], policy: eager, state: &state) == [.opened])
    }

    @Test func policyValidation() {
        #expect(throws: WatcherError.self) { try DecisionPolicy(threshold: 0.3, clearBelow: 0.5).validate() }
        #expect(throws: WatcherError.self) { try DecisionPolicy(threshold: 1.5).validate() }
        #expect(throws: WatcherError.self) { try DecisionPolicy(debounce: 0).validate() }
        #expect(throws: WatcherError.self) { try DecisionPolicy(alertAfterFailures: 0).validate() }
        #expect(throws: WatcherError.self) { try DecisionPolicy(alertUnsureAfter: 0).validate() }
        #expect(throws: Never.self) { try DecisionPolicy().validate() }
        #expect(throws: Never.self) { try DecisionPolicy(alertAfterFailures: nil, alertUnsureAfter: nil).validate() }
    }
}

/// The watcher's own health: failed checks and endless unsure results.
@Suite struct HealthMessageTests {
    let policy = DecisionPolicy(debounce: 2, remindEvery: nil, alertAfterFailures: 3, alertUnsureAfter: 3600)
    let offline = WatcherError(.soracam, "still export of camera 7C failed (status failed)", cause: .cameraOffline)

    func fail(_ state: inout CameraState, at minute: Int, policy: DecisionPolicy? = nil) -> AlertMessage? {
        DecisionEngine.observeFailure(CheckFailure(time: minute * 60_000, error: offline), camera: "Front door",
                                      policy: policy ?? self.policy, state: &state)
    }

    func see(_ alertProbability: Double, _ state: inout CameraState, at minute: Int) -> [AlertMessage] {
        let record = CheckRecord(time: minute * 60_000, label: alertProbability >= 0.5 ? "open" : "close",
                                 probability: max(alertProbability, 1 - alertProbability), alertProbability: alertProbability,
                                 verdict: policy.verdict(alertProbability: alertProbability))
        return DecisionEngine.observe(record, camera: "Front door", policy: policy, state: &state)
    }

    @Test func threeFailuresGiveOneUnreachableAndTheNextGoodCheckOneRecovered() throws {
        var state = CameraState()
        #expect(fail(&state, at: 0) == nil && fail(&state, at: 5) == nil)
        let unreachable = try #require(fail(&state, at: 10))
        #expect(unreachable.kind == .unreachable && unreachable.failingSince == 0 && unreachable.label == nil)
        #expect(unreachable.text.contains("camera offline") && unreachable.text.contains("NOT being watched"))
        #expect(unreachable.text.contains("powered and online"))  // the advice
        #expect(fail(&state, at: 15) == nil && fail(&state, at: 20) == nil)  // once per run of failures
        #expect(state.failureStreak == 5 && state.lastFailure?.cause == .cameraOffline)
        let recovered = see(0.1, &state, at: 25)
        #expect(recovered.map(\.kind) == [.recovered])
        #expect(recovered.first?.blindSeconds == 25 * 60 && recovered.first?.text.contains("blind for 25 min") == true)
        #expect(state.failureStreak == 0 && !state.unreachableAnnounced && state.lastFailure != nil)
        #expect(see(0.1, &state, at: 30).isEmpty)
    }

    @Test func fewerFailuresThanTheLimitRecoverSilently() {
        var state = CameraState()
        #expect(fail(&state, at: 0) == nil && fail(&state, at: 5) == nil)
        #expect(see(0.1, &state, at: 10).isEmpty)
        #expect(fail(&state, at: 15) == nil && fail(&state, at: 20) == nil)  // the count started again
    }

    @Test func failuresLeaveAnOpenEpisodeAsItWas() {
        var state = CameraState()
        #expect(see(0.9, &state, at: 0).isEmpty)
        #expect(see(0.9, &state, at: 5).map(\.kind) == [.opened])
        for minute in [10, 15, 20] { _ = fail(&state, at: minute) }
        #expect(state.announced && state.openSince == 0 && state.alertStreak == 2)
        // Still open: recovered, and no second "opened".
        #expect(see(0.9, &state, at: 25).map(\.kind) == [.recovered])
        #expect(see(0.1, &state, at: 30).map(\.kind) == [.closed])
    }

    @Test func neverWhenDisabled() {
        var state = CameraState()
        let quiet = DecisionPolicy(alertAfterFailures: nil)
        #expect((0..<10).compactMap { fail(&state, at: $0, policy: quiet) }.isEmpty)
    }

    @Test func unsureLongerThanTheLimitIsAnnouncedOnceAndSureAgainRecovers() throws {
        var state = CameraState()
        var kinds: [AlertMessage.Kind] = []
        for minute in stride(from: 0, through: 90, by: 5) { kinds += see(0.5, &state, at: minute).map(\.kind) }
        #expect(kinds == [.unsure])
        #expect(state.unsureSince == 0 && state.unsureAnnounced)
        let back = see(0.05, &state, at: 95)
        #expect(back.map(\.kind) == [.recovered] && back.first?.unsureSeconds == 95 * 60)
        #expect(back.first?.text.contains("unsure for 1 h 35 min") == true)
        #expect(state.unsureSince == nil && !state.unsureAnnounced)
    }

    @Test func aSureResultBreaksTheUnsureRun() {
        var state = CameraState()
        var kinds: [AlertMessage.Kind] = []
        for minute in stride(from: 0, through: 55, by: 5) { kinds += see(0.5, &state, at: minute).map(\.kind) }
        kinds += see(0.1, &state, at: 60).map(\.kind)
        for minute in stride(from: 65, through: 120, by: 5) { kinds += see(0.5, &state, at: minute).map(\.kind) }
        #expect(kinds.isEmpty)  // two runs of 55 minutes, each shorter than the hour
        #expect(see(0.5, &state, at: 125).map(\.kind) == [.unsure])
    }

    @Test func failuresNeitherBreakNorExtendAnUnsureRun() {
        var state = CameraState()
        _ = see(0.5, &state, at: 0)
        _ = fail(&state, at: 30)
        #expect(see(0.5, &state, at: 60).map(\.kind) == [.unsure])
    }
}
