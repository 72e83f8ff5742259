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
            return DecisionEngine.observe(record, camera: "door", policy: policy, state: &state, newID: { "id-\(index)" })?.kind
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
            if let message = DecisionEngine.observe(record, camera: "Front door", policy: policy, state: &state) {
                messages.append(message)
            }
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
        #expect(throws: Never.self) { try DecisionPolicy().validate() }
    }
}
