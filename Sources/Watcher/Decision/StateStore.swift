/// One JSON file per camera in the state folder, replaced atomically after every
/// check. A missing file is a fresh start; a damaged one is an error that names the
/// file (silently starting over could forget an open lock).
public struct StateStore: Sendable {
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    public func path(camera: String) -> String {
        FileSystem.join(folder, "camera-" + Self.fileSafe(camera) + ".json")
    }

    public func load(camera: String) throws(WatcherError) -> CameraState {
        let file = path(camera: camera)
        guard FileSystem.exists(file) else { return CameraState() }
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file, limit: 1 << 20) } catch { throw WatcherError(.state, error.message) }
        do {
            return try CameraStateCoding.decode(try JSONValue.parse(bytes))
        } catch {
            throw WatcherError(.state, "state file \(file) is damaged (\(error.message)); fix or delete it to start over")
        }
    }

    public func save(_ state: CameraState, camera: String) throws(WatcherError) {
        do {
            try FileSystem.createDirectory(folder, mode: 0o700)
            try FileSystem.writeAtomically(Array((CameraStateCoding.encode(state).rendered + "\n").utf8),
                                           to: path(camera: camera), mode: 0o600)
        } catch {
            throw WatcherError(.state, error.message)
        }
    }

    /// Camera ids become file names: anything but letters, digits, `.`, `_`, `-` is `_`.
    static func fileSafe(_ camera: String) -> String {
        let safe = String(camera.unicodeScalars.map { scalar -> Character in
            let ok = (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                || scalar == "." || scalar == "_" || scalar == "-"
            return ok ? Character(scalar) : "_"
        })
        return safe.isEmpty || safe.hasPrefix(".") ? "_" + safe : safe
    }
}

/// CameraState ⇄ JSON. Field names are part of the on-disk format: change them
/// only with a new `version`.
enum CameraStateCoding {
    static let version = 1

    static func encode(_ state: CameraState) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("version", .number(Double(version))),
            JSONMember("alertStreak", .number(Double(state.alertStreak))),
            JSONMember("openSince", state.openSince.map { .number(Double($0)) } ?? .null),
            JSONMember("announced", .bool(state.announced)),
            JSONMember("lastAnnouncedAt", state.lastAnnouncedAt.map { .number(Double($0)) } ?? .null),
        ]
        if let check = state.lastCheck {
            members.append(JSONMember("lastCheck", [
                "time": .number(Double(check.time)), "label": .string(check.label),
                "probability": .number(check.probability), "alertProbability": .number(check.alertProbability),
                "verdict": .string(check.verdict.rawValue),
            ]))
        }
        members.append(JSONMember("outbox", .array(state.outbox.map { pending in
            [
                "alert": encode(pending.alert), "targets": .array(pending.targets.map { .string($0) }),
                "attempts": .number(Double(pending.attempts)),
            ]
        })))
        return .object(members)
    }

    static func encode(_ alert: AlertMessage) -> JSONValue {
        [
            "kind": .string(alert.kind.rawValue), "camera": .string(alert.camera), "label": .string(alert.label),
            "probability": .number(alert.probability), "time": .number(Double(alert.time)),
            "openSince": alert.openSince.map { .number(Double($0)) } ?? .null, "id": .string(alert.id),
        ]
    }

    static func decode(_ json: JSONValue) throws(WatcherError) -> CameraState {
        guard json["version"]?.intValue == version else { throw WatcherError(.state, "unknown version") }
        var state = CameraState()
        state.alertStreak = try int(json, "alertStreak")
        state.openSince = try optionalInt(json, "openSince")
        state.announced = try require(json["announced"]?.boolValue, "announced")
        state.lastAnnouncedAt = try optionalInt(json, "lastAnnouncedAt")
        if let check = json["lastCheck"] {
            state.lastCheck = CheckRecord(
                time: try int(check, "time"), label: try string(check, "label"),
                probability: try require(check["probability"]?.doubleValue, "probability"),
                alertProbability: try require(check["alertProbability"]?.doubleValue, "alertProbability"),
                verdict: try require(Verdict(rawValue: try string(check, "verdict")), "verdict"))
        }
        for pending in try require(json["outbox"]?.arrayValue, "outbox") {
            let targets = try require(pending["targets"]?.arrayValue, "targets").map { value throws(WatcherError) in
                try require(value.stringValue, "targets")
            }
            state.outbox.append(PendingDelivery(alert: try decodeAlert(try require(pending["alert"], "alert")),
                                                targets: targets, attempts: try int(pending, "attempts")))
        }
        return state
    }

    static func decodeAlert(_ json: JSONValue) throws(WatcherError) -> AlertMessage {
        AlertMessage(
            kind: try require(AlertMessage.Kind(rawValue: try string(json, "kind")), "kind"),
            camera: try string(json, "camera"), label: try string(json, "label"),
            probability: try require(json["probability"]?.doubleValue, "probability"),
            time: try int(json, "time"), openSince: try optionalInt(json, "openSince"), id: try string(json, "id"))
    }

    private static func require<T>(_ value: T?, _ field: String) throws(WatcherError) -> T {
        guard let value else { throw WatcherError(.state, "missing or invalid '\(field)'") }
        return value
    }

    private static func int(_ json: JSONValue, _ field: String) throws(WatcherError) -> Int {
        try require(json[field]?.intValue, field)
    }

    private static func string(_ json: JSONValue, _ field: String) throws(WatcherError) -> String {
        try require(json[field]?.stringValue, field)
    }

    private static func optionalInt(_ json: JSONValue, _ field: String) throws(WatcherError) -> Int? {
        guard let value = json[field], value != .null else { return nil }
        return try require(value.intValue, field)
    }
}
