import Foundation
import Testing
@testable import Watcher

/// `CameraWatcher` in process, on a file camera and the colour-lock model: what the
/// end-to-end tests cannot see from outside.
@Suite struct CameraWatcherTests {
    let folder: String
    let stillPath: String

    init() throws {
        folder = NSTemporaryDirectory() + "watcher-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        stillPath = folder + "/still.jpg"
        try Data(TestStills.red).write(to: URL(fileURLWithPath: stillPath))
    }

    func watcher(model: ModelSource = .file(TestStills.model), notifiers: [Notifier], debounce: Int = 1) throws -> CameraWatcher {
        try CameraWatcher(source: FileImageSource(path: stillPath), loader: ClassifierLoader(model: model),
                          crop: try CropGeometry(parsing: TestStills.crop), policy: DecisionPolicy(debounce: debounce),
                          store: StateStore(folder: folder + "/state"), outbox: Outbox(notifiers: notifiers),
                          archive: nil, cameraName: "Front door")
    }

    /// A new message is in the saved state before any notifier is called: a crash
    /// while sending cannot lose it, and the next check sends it.
    @Test func newMessagesAreSavedBeforeTheyAreSent() throws {
        let spy = StateReadingNotifier()
        let watcher = try watcher(notifiers: [spy])
        spy.read = { try? StateStore(folder: folder + "/state").load(watcher.key).state }
        guard case .completed(let result) = try watcher.check() else { Issue.record("the check failed"); return }
        #expect(result.messages.map(\.kind) == [.opened])
        let seen = try #require(spy.stateWhenDelivering)
        #expect(seen.outbox.map(\.alert.id) == result.messages.map(\.id) && seen.announced)
        #expect(try StateStore(folder: folder + "/state").load(watcher.key).state.outbox.isEmpty)
    }

    /// A model that cannot be loaded is a failed check like an offline camera:
    /// counted, and after three one `unreachable` message that says so.
    @Test func aModelThatCannotLoadIsReportedNotFatal() throws {
        let notifier = FlakyNotifier("https://a.example/hook")
        let watcher = try watcher(model: .file(folder + "/missing.pb"), notifiers: [notifier])
        #expect(try watcher.prepare()?.kind == .model)
        var kinds: [[AlertMessage.Kind]] = []
        for _ in 0..<4 {
            guard case .failed(let failed) = try watcher.check() else { Issue.record("the check passed"); return }
            #expect(failed.failure.cause == .modelCannotLoad)
            kinds.append(failed.messages.map(\.kind))
        }
        #expect(kinds == [[], [], [.unreachable], []])
        #expect(notifier.delivered.first?.0.text.contains("model cannot load") == true)
        #expect(StateStore(folder: folder + "/state").history(watcher.key).read().entries.count == 4)
    }

    /// Labels that do not fit are a configuration error, found before any check.
    @Test func anAlertLabelTheModelLacksIsAUsageError() throws {
        let watcher = try CameraWatcher(
            source: FileImageSource(path: stillPath), loader: ClassifierLoader(model: .file(TestStills.model)),
            crop: nil, policy: DecisionPolicy(alertLabel: "ajar"), store: StateStore(folder: folder + "/state"),
            outbox: Outbox(notifiers: []), archive: nil, cameraName: nil)
        #expect { try watcher.prepare() } throws: { ($0 as? WatcherError)?.kind == .usage }
        #expect(FileManager.default.fileExists(atPath: folder + "/state") == false)
    }
}

/// Reads the saved state at the moment it is asked to deliver.
final class StateReadingNotifier: Notifier, @unchecked Sendable {
    let spec = NotifierSpec(kind: .webhook, target: "https://spy.example/hook")
    var read: () -> CameraState? = { nil }
    var stateWhenDelivering: CameraState?

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        stateWhenDelivering = read()
    }
}
