import Testing
@testable import Watcher

/// A notifier that fails while `failing` is set.
final class FlakyNotifier: Notifier, @unchecked Sendable {
    let spec: NotifierSpec
    var failing = false
    var delivered: [(AlertMessage, Bool)] = []

    init(_ target: String) {
        spec = NotifierSpec(kind: .webhook, target: target)
    }

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        if failing { throw WatcherError(.notify, "\(spec.id): HTTP 500") }
        delivered.append((alert, image != nil))
    }
}

@Suite struct OutboxTests {
    func alert(_ kind: AlertMessage.Kind, _ id: String) -> AlertMessage {
        AlertMessage(kind: kind, camera: "door", label: "open", probability: 0.9, time: 0, openSince: 0, id: id)
    }

    @Test func failedDeliveryIsRetriedNextTimeOnlyWhereItFailed() {
        let good = FlakyNotifier("https://a.example/hook")
        let bad = FlakyNotifier("https://b.example/hook")
        bad.failing = true
        let outbox = Outbox(notifiers: [good, bad])
        var state = CameraState()

        let first = outbox.deliver(alert(.opened, "1"), image: [1, 2, 3], state: &state)
        #expect(first.delivered.count == 1 && first.failures.count == 1)
        #expect(state.outbox.count == 1 && state.outbox[0].targets == [bad.spec.id])
        #expect(!first.failures[0].contains("b.example"))

        bad.failing = false
        let second = outbox.deliver(nil, image: nil, state: &state)
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
        _ = outbox.deliver(alert(.opened, "1"), image: nil, state: &state)
        notifier.failing = false
        _ = outbox.deliver(alert(.closed, "2"), image: nil, state: &state)
        #expect(notifier.delivered.map(\.0.id) == ["1", "2"])
    }

    @Test func outboxIsBounded() {
        let notifier = FlakyNotifier("https://a.example/hook")
        notifier.failing = true
        let outbox = Outbox(notifiers: [notifier])
        var state = CameraState()
        var dropped = 0
        for index in 0..<(CameraState.outboxLimit + 5) {
            dropped += outbox.deliver(alert(.reminder, "\(index)"), image: nil, state: &state).dropped
        }
        #expect(state.outbox.count == CameraState.outboxLimit && dropped == 5)
        #expect(state.outbox.first?.alert.id == "5")
    }

    @Test func aRemovedNotifierOwesNothing() {
        var state = CameraState()
        state.outbox = [PendingDelivery(alert: alert(.opened, "1"), targets: ["slack#deadbeef"])]
        _ = Outbox(notifiers: [FlakyNotifier("https://a.example/hook")]).deliver(nil, image: nil, state: &state)
        #expect(state.outbox.isEmpty)
    }
}
