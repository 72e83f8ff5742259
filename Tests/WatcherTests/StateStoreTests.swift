import Foundation
import Testing
@testable import Watcher

@Suite struct StateStoreTests {
    func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "watcher-state-" + UUID().uuidString
        return path
    }

    func sampleState() -> CameraState {
        var state = CameraState()
        state.alertStreak = 3
        state.openSince = 1_700_000_000_123
        state.announced = true
        state.lastAnnouncedAt = 1_700_000_600_000
        state.lastCheck = CheckRecord(time: 1_700_000_900_000, label: "open \"front\"", probability: 0.97,
                                      alertProbability: 0.97, verdict: .alert)
        let alert = AlertMessage(kind: .opened, camera: "Front door", label: "open", probability: 0.912345678,
                                 time: 1_700_000_600_000, openSince: 1_700_000_000_123, id: "abc")
        state.outbox = [PendingDelivery(alert: alert, targets: ["slack#00000001", "stdout"], attempts: 2)]
        return state
    }

    @Test func roundTripsEveryField() throws {
        let store = StateStore(folder: temporaryFolder())
        let state = sampleState()
        try store.save(state, camera: "7C12345678AB")
        #expect(try store.load(camera: "7C12345678AB") == state)
        #expect(try store.load(camera: "another") == CameraState())
    }

    @Test func fileIsPrivateAndNoTemporaryFileRemains() throws {
        let folder = temporaryFolder()
        let store = StateStore(folder: folder)
        try store.save(sampleState(), camera: "cam/../x")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names == ["camera-cam_.._x.json"])
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + names[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func damagedFileIsATypedErrorNamingTheFile() throws {
        let folder = temporaryFolder()
        let store = StateStore(folder: folder)
        try store.save(sampleState(), camera: "cam")
        let path = store.path(camera: "cam")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [1, bytes.count / 2, bytes.count - 3] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try store.load(camera: "cam")
            } throws: { error in
                (error as? WatcherError)?.kind == .state && (error as? WatcherError)?.message.contains(path) == true
            }
        }
    }

    @Test func unwritableFolderIsAStateError() {
        let store = StateStore(folder: "/proc/watcher-cannot-write-here")
        #expect {
            try store.save(CameraState(), camera: "cam")
        } throws: { error in
            (error as? WatcherError)?.kind == .state
        }
    }
}
