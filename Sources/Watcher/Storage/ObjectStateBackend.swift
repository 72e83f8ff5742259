/// Each camera's state and history as objects in a bucket or container, named
/// like the folder backend's files (`camera-<readable>-<hash>.json`, `.history.jsonl`).
/// There is no lock: hosts such as Lambda and Azure Functions may run two checks
/// at once on different machines, and a lease left by a killed instance would
/// block the next ones. Instead every save is a conditional write, `If-Match`
/// the ETag that was read (`If-None-Match: *` for a new camera), and a check
/// whose save conflicts reads the state again and decides again (`CameraWatcher`).
public struct ObjectStateBackend: Sendable {
    public let store: ObjectStore

    public init(store: ObjectStore) {
        self.store = store
    }

    public func stateName(_ key: CameraKey) -> String { key.fileStem + ".json" }
    public func historyName(_ key: CameraKey) -> String { key.fileStem + ".history.jsonl" }

    func load(_ key: CameraKey) throws(WatcherError) -> StoredState {
        guard let object = try store.get(stateName(key)) else { return StoredState(state: CameraState(), version: nil) }
        return StoredState(state: try decode(object.bytes, name: stateName(key)), version: object.etag)
    }

    func save(_ state: CameraState, _ key: CameraKey, replacing loaded: StoredState) throws(WatcherError) -> StoredState {
        let bytes = Array((CameraStateCoding.encode(state).rendered + "\n").utf8)
        let etag = try store.put(stateName(key), bytes, contentType: "application/json",
                                 condition: loaded.version.map { .matches($0) } ?? .absent)
        return StoredState(state: state, version: etag)
    }

    func history(_ key: CameraKey) -> ObjectHistory {
        ObjectHistory(store: store, name: historyName(key))
    }

    func cameras() -> [StoredCamera] {
        let listings: [ObjectListing]
        do { listings = try store.list(prefix: "camera-") } catch {
            return [StoredCamera(stem: store.description, statePath: store.description, state: .failure(error), lockHolder: nil,
                                 history: .objects(ObjectHistory(store: store, name: "none.history.jsonl")))]
        }
        return listings.filter { $0.name.hasSuffix(".json") && !$0.name.contains("/") }.map { listing in
            let stem = String(listing.name.dropLast(5))
            let state: Result<CameraState, WatcherError>
            do throws(WatcherError) {
                guard let object = try store.get(listing.name) else { throw WatcherError(.state, "\(listing.name) disappeared") }
                state = .success(try decode(object.bytes, name: listing.name))
            } catch {
                state = .failure(error)
            }
            return StoredCamera(stem: stem, statePath: store.description + listing.name, state: state, lockHolder: nil,
                                history: .objects(ObjectHistory(store: store, name: stem + ".history.jsonl")))
        }
    }

    private func decode(_ bytes: [UInt8], name: String) throws(WatcherError) -> CameraState {
        do {
            return try CameraStateCoding.decode(try JSONValue.parse(bytes))
        } catch {
            throw WatcherError(.state, "state object \(store.description)\(name) is damaged (\(error.message)); fix or delete it to start over")
        }
    }
}
