/// A `--notify KIND:TARGET` option: where messages go. Targets can be secrets
/// (webhook URLs carry their token), so they are never printed; `id` names a
/// notifier in logs and in the state file's outbox without revealing it.
public struct NotifierSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case stdout, webhook, slack, discord, teams, ntfy, line
    }

    public var kind: Kind
    public var target: String

    public init(kind: Kind, target: String) {
        self.kind = kind
        self.target = target
    }

    public init(parsing text: String) throws(WatcherError) {
        let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        let name = String(text.prefix { $0 != ":" })
        guard let kind = Kind(rawValue: name.lowercased()) else {
            throw WatcherError(.usage, "--notify '\(name)': unknown kind (use one of \(kinds), as KIND:TARGET)")
        }
        let target = String(text.dropFirst(name.count + (text.count > name.count ? 1 : 0)))
        switch kind {
        case .stdout:
            break
        case .line:
            guard !target.isEmpty else {
                throw WatcherError(.usage, "--notify line:TO needs the user, group or room id to push to")
            }
        case .ntfy:
            guard !target.isEmpty else { throw WatcherError(.usage, "--notify ntfy:TOPIC or ntfy:https://host/topic") }
        case .webhook, .slack, .discord, .teams:
            guard target.hasPrefix("https://") || target.hasPrefix("http://") else {
                throw WatcherError(.usage, "--notify \(kind.rawValue):URL needs an http(s) URL")
            }
        }
        self.init(kind: kind, target: target)
    }

    /// `slack#3f2a9c1e`: the kind and a hash of the target, stable across runs.
    public var id: String {
        guard kind != .stdout else { return "stdout" }
        var hash: UInt32 = 2_166_136_261  // FNV-1a
        for byte in target.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return kind.rawValue + "#" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
