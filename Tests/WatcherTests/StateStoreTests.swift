import Foundation
import Testing
@testable import Watcher

@Suite struct StateStoreTests {
    func temporaryFolder() -> String {
        NSTemporaryDirectory() + "watcher-state-" + UUID().uuidString
    }

    let key = CameraKey.soraCam(deviceID: "7C12345678AB")

    func sampleState() -> CameraState {
        var state = CameraState()
        state.camera = "Front door"
        state.source = "7C12345678AB"
        state.alertStreak = 3
        state.openSince = 1_700_000_000_123
        state.announced = true
        state.lastAnnouncedAt = 1_700_000_600_000
        state.lastCheck = CheckRecord(time: 1_700_000_900_000, label: "open \"front\"", probability: 0.97,
                                      alertProbability: 0.97, verdict: .alert)
        state.failureStreak = 2
        state.failingSince = 1_700_000_950_000
        state.unreachableAnnounced = true
        state.lastFailure = CheckFailure(time: 1_700_000_990_000, cause: .keyRejected, message: "SORACOM rejected the key")
        state.unsureSince = 1_700_000_800_000
        state.unsureAnnounced = true
        let alert = AlertMessage(kind: .opened, camera: "Front door", label: "open", probability: 0.912345678,
                                 time: 1_700_000_600_000, openSince: 1_700_000_000_123, id: "abc")
        let health = AlertMessage(kind: .unreachable, camera: "Front door", label: nil, probability: nil,
                                  time: 1_700_000_990_000, failingSince: 1_700_000_950_000, cause: "Cause: key rejected", id: "def")
        state.outbox = [PendingDelivery(alert: alert, delivered: ["slack#00000001", "stdout"], attempts: 2),
                        PendingDelivery(alert: health, legacyOwed: ["webhook#00000002"])]
        return state
    }

    @Test func roundTripsEveryField() throws {
        let store = StateStore(folder: temporaryFolder())
        let state = sampleState()
        let fresh = try store.load(key)
        #expect(fresh.state == CameraState() && fresh.version == nil)
        try store.save(state, key, replacing: fresh)
        #expect(try store.load(key).state == state)
        #expect(try store.load(CameraKey.soraCam(deviceID: "another")).state == CameraState())
    }

    @Test func fileIsPrivateReadableByNameAndNoTemporaryFileRemains() throws {
        let folder = temporaryFolder()
        let store = StateStore(folder: folder)
        let key = CameraKey.named("cam/../x")
        try store.save(sampleState(), key, replacing: try store.load(key))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 1 && names[0].hasPrefix("camera-cam_.._x-") && names[0].hasSuffix(".json"), "\(names)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + names[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func damagedFileIsATypedErrorNamingTheFile() throws {
        let folder = temporaryFolder()
        let store = StateStore(folder: folder)
        try store.save(sampleState(), key, replacing: try store.load(key))
        guard case .folder(let backend) = store.backend else { Issue.record("not a folder"); return }
        let path = backend.statePath(key)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [1, bytes.count / 2, bytes.count - 3] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try store.load(key)
            } throws: { error in
                (error as? WatcherError)?.kind == .state && (error as? WatcherError)?.message.contains(path) == true
            }
        }
    }

    @Test func unwritableFolderIsAStateError() {
        let store = StateStore(folder: "/proc/watcher-cannot-write-here")
        #expect {
            try store.save(CameraState(), key, replacing: try store.load(key))
        } throws: { error in
            (error as? WatcherError)?.kind == .state
        }
    }

    /// A state replaced since it was loaded (an older watcher without the lock, a
    /// person editing it) is not overwritten: the conditional write a second
    /// backend does with If-Match.
    @Test func aStateChangedSinceItWasLoadedIsNotOverwritten() throws {
        let store = StateStore(folder: temporaryFolder())
        try store.save(sampleState(), key, replacing: try store.load(key))
        let first = try store.load(key)
        let second = try store.load(key)
        try store.save(CameraState(), key, replacing: first)
        #expect {
            try store.save(sampleState(), key, replacing: second)
        } throws: { error in
            (error as? WatcherError)?.kind == .state && (error as? WatcherError)?.message.contains("changed") == true
        }
        #expect(try store.load(key).state == CameraState())
        // Nothing there when loaded, something there now: also refused.
        let otherKey = CameraKey.named("other")
        let empty = try store.load(otherKey)
        try store.save(CameraState(), otherKey, replacing: try store.load(otherKey))
        #expect(throws: WatcherError.self) { try store.save(sampleState(), otherKey, replacing: empty) }
    }

    @Test func versionOneStateFilesAreAdoptedOnceAndTheirOwedMessagesKept() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let legacy = """
            {"version":1,"alertStreak":2,"openSince":1700000000000,"announced":true,"lastAnnouncedAt":1700000300000,\
            "lastCheck":{"time":1700000300000,"label":"open","probability":0.97,"alertProbability":0.97,"verdict":"alert"},\
            "outbox":[{"alert":{"kind":"opened","camera":"Front door","label":"open","probability":0.97,"time":1700000300000,\
            "openSince":1700000000000,"id":"abc"},"targets":["slack#12345678"],"attempts":1}]}
            """
        try legacy.write(toFile: folder + "/camera-Front_door.json", atomically: true, encoding: .utf8)
        let store = StateStore(folder: folder)
        let key = CameraKey.soraCam(deviceID: "7CDDDEADBEEF").adopting(legacyName: "Front door")
        let loaded = try store.load(key)
        #expect(loaded.state.announced && loaded.state.openSince == 1_700_000_000_000)
        #expect(loaded.state.outbox.first?.legacyOwed == ["slack#12345678"] && loaded.state.outbox.first?.delivered == [])
        try store.save(loaded.state, key, replacing: loaded)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 1 && names[0].hasPrefix("camera-7CDDDEADBEEF-"), "\(names)")
        #expect(try store.load(key).state == loaded.state)
    }

    @Test func checksOfOneCameraTakeTurns() throws {
        let store = StateStore(folder: temporaryFolder())
        let held = try store.lock(key, timeout: 1, camera: "Front door")
        let started = Date()
        #expect {
            _ = try store.lock(key, timeout: 0.3, camera: "Front door")
        } throws: { error in
            let error = error as? WatcherError
            return error?.kind == .locked && error?.message.contains("pid \(getpid())") == true
                && error?.message.contains("Front door") == true
        }
        #expect(Date().timeIntervalSince(started) >= 0.3)
        // Another camera is not held up.
        _ = try store.lock(CameraKey.named("other"), timeout: 0, camera: "other")
        #expect(store.cameras().isEmpty)  // locks alone are not cameras
        held.release()
        _ = try store.lock(key, timeout: 0, camera: "Front door")
    }

    @Test func statusSeesWhoHoldsTheLock() throws {
        let store = StateStore(folder: temporaryFolder())
        try store.save(sampleState(), key, replacing: try store.load(key))
        #expect(store.cameras().first?.lockHolder == nil)
        let held = try store.lock(key, timeout: 1, camera: "Front door")
        #expect(store.cameras().first?.lockHolder?.contains("pid \(getpid())") == true)
        held.release()
        #expect(store.cameras().first?.lockHolder == nil)
    }
}

@Suite struct CameraKeyTests {
    @Test func snapshotURLsAreKeyedByTheWholeURLWithoutCredentials() {
        let front = CameraKey.snapshotURL("http://admin:secret@192.168.1.20:8080/cam1/snapshot.jpg")
        let back = CameraKey.snapshotURL("http://admin:secret@192.168.1.20:8080/cam2/snapshot.jpg")
        let newPassword = CameraKey.snapshotURL("http://admin:changed@192.168.1.20:8080/cam1/snapshot.jpg")
        let byQuery = CameraKey.snapshotURL("http://192.168.1.20/snap.cgi?channel=2&token=T0KEN")
        #expect(front.fileStem != back.fileStem)
        #expect(front.fileStem == newPassword.fileStem)
        #expect(front.readable == "url-192.168.1.20_8080_cam1_snapshot.jpg")
        #expect(CameraKey.snapshotURL("http://192.168.1.20/snap.cgi?channel=1&token=T0KEN").fileStem != byQuery.fileStem)
        for key in [front, back, byQuery] {
            #expect(!key.fileStem.contains("secret") && !key.fileStem.contains("admin") && !key.fileStem.contains("T0KEN"))
        }
    }

    @Test func filesAreKeyedByTheirAbsolutePath() throws {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(CameraKey.file("still.jpg") == CameraKey.file(cwd + "/./still.jpg"))
        #expect(CameraKey.file("still.jpg").fileStem == CameraKey.file(cwd + "/x/../still.jpg").fileStem)
        #expect(CameraKey.file("/a/still.jpg").fileStem != CameraKey.file("/b/still.jpg").fileStem)
        #expect(CameraKey.file("/srv/cams/front/still.jpg").readable == "file-_srv_cams_front_still.jpg")
    }

    @Test func longNamesKeepTheirEndAndTheHashTellsThemApart() {
        let long = String(repeating: "a", count: 200)
        let one = CameraKey.file("/" + long + "/one.jpg"), two = CameraKey.file("/" + long + "/two.jpg")
        #expect(one.readable.count == CameraKey.readableLimit && one.readable.hasSuffix("one.jpg"))
        #expect(one.fileStem != two.fileStem)
    }
}
