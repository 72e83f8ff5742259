/// A `--notify KIND:TARGET` option: where messages go. Targets can be secrets
/// (webhook URLs carry their token), so they are never printed; `id` names a
/// notifier in logs and in the state file's outbox without revealing it.
public struct NotifierSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case stdout, webhook, slack, discord, teams, ntfy, line, mqtt
    }

    public var kind: Kind
    public var target: String

    public init(kind: Kind, target: String) {
        self.kind = kind
        self.target = target
    }

    public init(parsing text: String) throws(WatcherError) {
        // `mqtt://…` and `mqtts://…` are their own KIND:TARGET (Home Assistant users type the URL).
        if let url = MQTTEndpoint.url(in: text) {
            _ = try MQTTEndpoint(parsing: url)
            self.init(kind: .mqtt, target: url)
            return
        }
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
            guard Self.isLineRecipient(target) else {
                throw WatcherError(.usage, "--notify line:TO needs the user, group or room id to push to "
                    + "(U, C or R and 32 hex digits, e.g. U4af4980629…)")
            }
        case .ntfy:
            if target.hasPrefix("http://") || target.hasPrefix("https://") {
                if let problem = URLSyntax.problem(target) { throw WatcherError(.usage, "--notify ntfy:URL: \(problem)") }
                guard let topic = target.split(separator: "/").last, Self.isNtfyTopic(topic), target.split(separator: "/").count >= 3
                else { throw WatcherError(.usage, "--notify ntfy:URL must end in /TOPIC (letters, digits, - and _)") }
            } else if !Self.isNtfyTopic(target) {
                throw WatcherError(.usage, "--notify ntfy:TOPIC: a topic is 1 to 64 letters, digits, - and _ "
                    + "(or give ntfy:https://host/topic)")
            }
        case .mqtt:
            throw WatcherError(.usage, "--notify mqtt needs a broker URL: mqtt://[user@]host[:port][/prefix] or mqtts://…")
        case .webhook, .slack, .discord, .teams:
            guard target.hasPrefix("https://") || target.hasPrefix("http://") else {
                throw WatcherError(.usage, "--notify \(kind.rawValue):URL needs an http(s) URL")
            }
            if let problem = URLSyntax.problem(target) { throw WatcherError(.usage, "--notify \(kind.rawValue):URL: \(problem)") }
        }
        self.init(kind: kind, target: target)
    }

    /// ntfy's topic names: 1 to 64 of `A-Z a-z 0-9 _ -`.
    static func isNtfyTopic(_ topic: some StringProtocol) -> Bool {
        (1...64).contains(topic.count) && topic.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
    }

    /// A LINE push target: `U` (user), `C` (group) or `R` (room), then 32 hex digits.
    static func isLineRecipient(_ id: String) -> Bool {
        let scalars = Array(id.unicodeScalars)
        return scalars.count == 33 && "UCR".unicodeScalars.contains(scalars[0])
            && scalars.dropFirst().allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// `slack#3f2a9c1e`: the kind and a hash of the target, stable across runs.
    public var id: String {
        guard kind != .stdout else { return "stdout" }
        return kind.rawValue + "#" + ShortHash.of(target)
    }
}
