import Testing
@testable import Watcher

/// A notifier that fails while `failing` is set.
final class FlakyNotifier: Notifier, @unchecked Sendable {
    let spec: NotifierSpec
    var failing = false
    var attempts = 0
    var delivered: [(AlertMessage, Bool)] = []

    init(_ target: String, kind: NotifierSpec.Kind = .webhook) {
        spec = NotifierSpec(kind: kind, target: target)
    }

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        attempts += 1
        if failing { throw WatcherError(.notify, "\(spec.id): HTTP 500") }
        delivered.append((alert, image != nil))
    }
}

@Suite struct OutboxTests {
    let now = 1_700_000_000_000

    func alert(_ kind: AlertMessage.Kind, _ id: String, time: Int? = nil) -> AlertMessage {
        AlertMessage(kind: kind, camera: "door", label: "open", probability: 0.9, time: time ?? now, openSince: 0, id: id)
    }

    @Test func failedDeliveryIsRetriedNextTimeOnlyWhereItFailed() {
        let good = FlakyNotifier("https://a.example/hook")
        let bad = FlakyNotifier("https://b.example/hook")
        bad.failing = true
        let outbox = Outbox(notifiers: [good, bad])
        var state = CameraState()

        let first = outbox.deliver([alert(.opened, "1")], image: [1, 2, 3], now: now, state: &state)
        #expect(first.delivered.count == 1 && first.failures.count == 1)
        #expect(state.outbox.count == 1 && state.outbox[0].delivered == [good.spec.id])
        #expect(!first.failures[0].contains("b.example"))

        bad.failing = false
        let second = outbox.deliver([], image: nil, now: now, state: &state)
        #expect(second.delivered == ["\(bad.spec.id) opened"])
        #expect(state.outbox.isEmpty)
        #expect(good.delivered.count == 1 && bad.delivered.count == 1)
        #expect(good.delivered[0].1 && !bad.delivered[0].1)  // the late retry goes without the new picture
    }

    @Test func retriesComeBeforeTheNewMessageInOrder() {
        let notifier = FlakyNotifier("https://a.example/hook")
        let outbox = Outbox(notifiers: [notifier])
        var state = CameraState()
        notifier.failing = true
        _ = outbox.deliver([alert(.opened, "1")], image: nil, now: now, state: &state)
        notifier.failing = false
        _ = outbox.deliver([alert(.closed, "2")], image: nil, now: now, state: &state)
        #expect(notifier.delivered.map(\.0.id) == ["1", "2"])
    }

    /// The URL of a broken notifier is fixed in the configuration: the fixed one
    /// (a new id) gets the message; the one that had delivered it does not again.
    @Test func anOwedMessageGoesToTheNotifierConfiguredNow() {
        let webhook = FlakyNotifier("https://a.example/hook")
        let broken = FlakyNotifier("https://hooks.example/typo", kind: .slack)
        broken.failing = true
        var state = CameraState()
        _ = Outbox(notifiers: [webhook, broken]).deliver([alert(.opened, "1")], image: nil, now: now, state: &state)
        #expect(state.outbox.count == 1)

        let fixed = FlakyNotifier("https://hooks.example/right", kind: .slack)
        let report = Outbox(notifiers: [webhook, fixed]).deliver([], image: nil, now: now + 60_000, state: &state)
        #expect(report.delivered == ["\(fixed.spec.id) opened"])
        #expect(fixed.delivered.map(\.0.id) == ["1"] && webhook.delivered.count == 1)
        #expect(state.outbox.isEmpty)
    }

    @Test func aNotifierRemovedFromTheConfigurationOwesNothing() {
        let webhook = FlakyNotifier("https://a.example/hook")
        let broken = FlakyNotifier("https://b.example/hook")
        broken.failing = true
        var state = CameraState()
        _ = Outbox(notifiers: [webhook, broken]).deliver([alert(.opened, "1")], image: nil, now: now, state: &state)
        _ = Outbox(notifiers: [webhook]).deliver([], image: nil, now: now, state: &state)
        #expect(state.outbox.isEmpty && webhook.delivered.count == 1)
    }

    @Test func onlyAMessageOlderThanTheMaximumAgeIsDroppedAndSaidSo() {
        let notifier = FlakyNotifier("https://a.example/hook")
        notifier.failing = true
        let outbox = Outbox(notifiers: [notifier], maxMessageAge: 3600)
        var state = CameraState()
        _ = outbox.deliver([alert(.opened, "1", time: now)], image: nil, now: now, state: &state)
        let young = outbox.deliver([], image: nil, now: now + 3_600_000, state: &state)
        #expect(young.dropped.isEmpty && state.outbox.count == 1)
        let old = outbox.deliver([], image: nil, now: now + 3_600_001, state: &state)
        #expect(state.outbox.isEmpty)
        #expect(old.dropped.count == 1 && old.dropped[0].contains("opened") && old.dropped[0].contains("--max-message-age"))
        #expect(old.dropped[0].contains(notifier.spec.id) && !old.dropped[0].contains("a.example"))
    }

    /// A dead service costs one attempt per check, not one per owed message.
    @Test func aFailingNotifierIsTriedOncePerPass() {
        let notifier = FlakyNotifier("https://a.example/hook")
        notifier.failing = true
        let outbox = Outbox(notifiers: [notifier])
        var state = CameraState()
        for index in 0..<5 { _ = outbox.deliver([alert(.reminder, "\(index)")], image: nil, now: now, state: &state) }
        #expect(notifier.attempts == 5 && state.outbox.count == 5)
        notifier.failing = false
        _ = outbox.deliver([], image: nil, now: now, state: &state)
        #expect(notifier.delivered.map(\.0.id) == ["0", "1", "2", "3", "4"] && state.outbox.isEmpty)
    }

    @Test func outboxIsBoundedAsAGuard() {
        let notifier = FlakyNotifier("https://a.example/hook")
        notifier.failing = true
        let outbox = Outbox(notifiers: [notifier])
        var state = CameraState()
        let many = (0..<(CameraState.outboxLimit + 5)).map { alert(.reminder, "\($0)") }
        let report = outbox.deliver(many, image: nil, now: now, state: &state)
        #expect(state.outbox.count == CameraState.outboxLimit && report.dropped.count == 1)
        #expect(state.outbox.first?.alert.id == "5")
    }

    /// A version 1 state said who still owed a message, not who had delivered it.
    @Test func legacyOwedMessagesAreNotSentAgainToWhoDeliveredThem() {
        let webhook = FlakyNotifier("https://a.example/hook")
        let slack = FlakyNotifier("https://hooks.example/typo", kind: .slack)
        var state = CameraState()
        state.outbox = [PendingDelivery(alert: alert(.opened, "1"), legacyOwed: [slack.spec.id])]
        let fixed = FlakyNotifier("https://hooks.example/right", kind: .slack)
        _ = Outbox(notifiers: [webhook, fixed]).deliver([], image: nil, now: now, state: &state)
        #expect(webhook.delivered.isEmpty && fixed.delivered.count == 1 && state.outbox.isEmpty)
    }
}
