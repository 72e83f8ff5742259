/// The SORACOM token in the state's bucket or container (`soracom-token.json`),
/// so that a function's cold start does not log in again. The object is as
/// private as the state beside it; the token expires within a day.
public struct ObjectTokenStore: SoraCamTokenStore, Sendable {
    public let store: ObjectStore
    public let name = "soracom-token.json"

    public init(store: ObjectStore) {
        self.store = store
    }

    public func load() -> SoraCamToken? {
        guard let object = try? store.get(name), let json = try? JSONValue.parse(object.bytes) else { return nil }
        return SoraCamToken(json: json)
    }

    public func save(_ token: SoraCamToken) throws(WatcherError) {
        _ = try store.put(name, Array(token.json.rendered.utf8), contentType: "application/json", condition: .always)
    }

    public func remove() {
        try? store.delete(name)
    }
}
