/// CameraState ⇄ JSON. Field names are part of the on-disk format: change them
/// only with a new `version`. Version 1 (watcher 0.1) is still read.
enum CameraStateCoding {
    static let version = 2

    static func encode(_ state: CameraState) -> JSONValue {
        var members: [JSONMember] = [JSONMember("version", .number(Double(version)))]
        if let camera = state.camera { members.append(JSONMember("camera", .string(camera))) }
        if let source = state.source { members.append(JSONMember("source", .string(source))) }
        members += [
            JSONMember("alertStreak", .number(Double(state.alertStreak))),
            JSONMember("openSince", number(state.openSince)),
            JSONMember("announced", .bool(state.announced)),
            JSONMember("lastAnnouncedAt", number(state.lastAnnouncedAt)),
        ]
        if let check = state.lastCheck {
            members.append(JSONMember("lastCheck", [
                "time": .number(Double(check.time)), "label": .string(check.label),
                "probability": .number(check.probability), "alertProbability": .number(check.alertProbability),
                "verdict": .string(check.verdict.rawValue),
            ]))
        }
        members += [
            JSONMember("failureStreak", .number(Double(state.failureStreak))),
            JSONMember("failingSince", number(state.failingSince)),
            JSONMember("unreachableAnnounced", .bool(state.unreachableAnnounced)),
            JSONMember("unsureSince", number(state.unsureSince)),
            JSONMember("unsureAnnounced", .bool(state.unsureAnnounced)),
        ]
        if let failure = state.lastFailure {
            members.append(JSONMember("lastFailure", [
                "time": .number(Double(failure.time)), "cause": .string(failure.cause.rawValue),
                "message": .string(failure.message),
            ]))
        }
        members.append(JSONMember("outbox", .array(state.outbox.map { pending in
            var fields: [JSONMember] = [
                JSONMember("alert", encode(pending.alert)),
                JSONMember("delivered", .array(pending.delivered.map { .string($0) })),
                JSONMember("attempts", .number(Double(pending.attempts))),
            ]
            if let owed = pending.legacyOwed { fields.append(JSONMember("legacyOwed", .array(owed.map { .string($0) }))) }
            if let claim = pending.claim {
                fields.append(JSONMember("claim", ["by": .string(claim.owner), "until": .number(Double(claim.until))]))
            }
            return .object(fields)
        })))
        return .object(members)
    }

    static func encode(_ alert: AlertMessage) -> JSONValue {
        [
            "kind": .string(alert.kind.rawValue), "camera": .string(alert.camera),
            "label": alert.label.map { .string($0) } ?? .null, "probability": alert.probability.map { .number($0) } ?? .null,
            "time": .number(Double(alert.time)), "openSince": number(alert.openSince),
            "failingSince": number(alert.failingSince), "unsureSince": number(alert.unsureSince),
            "cause": alert.cause.map { .string($0) } ?? .null, "id": .string(alert.id),
        ]
    }

    static func decode(_ json: JSONValue) throws(WatcherError) -> CameraState {
        guard let fileVersion = json["version"]?.intValue, fileVersion == 1 || fileVersion == version else {
            throw WatcherError(.state, "unknown version")
        }
        var state = CameraState()
        state.camera = json["camera"]?.stringValue
        state.source = json["source"]?.stringValue
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
        if fileVersion >= 2 {
            state.failureStreak = try int(json, "failureStreak")
            state.failingSince = try optionalInt(json, "failingSince")
            state.unreachableAnnounced = try require(json["unreachableAnnounced"]?.boolValue, "unreachableAnnounced")
            state.unsureSince = try optionalInt(json, "unsureSince")
            state.unsureAnnounced = try require(json["unsureAnnounced"]?.boolValue, "unsureAnnounced")
            if let failure = json["lastFailure"] {
                state.lastFailure = CheckFailure(
                    time: try int(failure, "time"),
                    cause: FailureCause(rawValue: try string(failure, "cause")) ?? .other,
                    message: try string(failure, "message"))
            }
        }
        for pending in try require(json["outbox"]?.arrayValue, "outbox") {
            let alert = try decodeAlert(try require(pending["alert"], "alert"))
            let attempts = try int(pending, "attempts")
            if fileVersion == 1 {
                // Version 1 listed the notifiers that still owed the message.
                state.outbox.append(PendingDelivery(alert: alert, attempts: attempts,
                                                    legacyOwed: try strings(pending, "targets")))
            } else {
                let owed = pending["legacyOwed"] == nil ? nil : try strings(pending, "legacyOwed")
                var entry = PendingDelivery(alert: alert, delivered: try strings(pending, "delivered"), attempts: attempts,
                                            legacyOwed: owed)
                if let claim = pending["claim"] {
                    entry.claim = DeliveryClaim(owner: try string(claim, "by"), until: try int(claim, "until"))
                }
                state.outbox.append(entry)
            }
        }
        return state
    }

    static func decodeAlert(_ json: JSONValue) throws(WatcherError) -> AlertMessage {
        AlertMessage(
            kind: try require(AlertMessage.Kind(rawValue: try string(json, "kind")), "kind"),
            camera: try string(json, "camera"), label: json["label"]?.stringValue,
            probability: json["probability"]?.doubleValue, time: try int(json, "time"),
            openSince: try optionalInt(json, "openSince"), failingSince: try optionalInt(json, "failingSince"),
            unsureSince: try optionalInt(json, "unsureSince"), cause: json["cause"]?.stringValue,
            id: try string(json, "id"))
    }

    private static func number(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }

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

    private static func strings(_ json: JSONValue, _ field: String) throws(WatcherError) -> [String] {
        try require(json[field]?.arrayValue, field).map { value throws(WatcherError) in try require(value.stringValue, field) }
    }

    private static func optionalInt(_ json: JSONValue, _ field: String) throws(WatcherError) -> Int? {
        guard let value = json[field], value != .null else { return nil }
        return try require(value.intValue, field)
    }
}
