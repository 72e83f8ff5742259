/// One camera as a Home Assistant device, through MQTT discovery: its topics, the
/// retained discovery configs of its five entities, and the payloads of their states.
///
/// Entities (`homeassistant/<component>/<node>/<object>/config`, where node is
/// `watcher_<camera id>`):
/// - `binary_sensor` *lock*, `device_class: lock`: ON means unlocked (our "open"),
///   following the debounced verdict, not each check's reading;
/// - `sensor` *<label> probability* in %, and *last check* (`device_class: timestamp`);
/// - `image` *crop*: the JPEG the model saw, raw bytes on its topic;
/// - `event` *event*: opened, reminder, closed, unreachable, recovered, unsure.
///
/// All share one availability topic (`online`/`offline`); the states carry
/// `expire_after`, so a watcher that stopped shows as unavailable rather than stale.
struct HomeAssistantDevice: Sendable, Equatable {
    let cameraName: String
    /// `[A-Za-z0-9_-]` only, as Home Assistant wants for node and object ids.
    let nodeID: String
    let model: String
    let alertLabel: String
    let softwareVersion: String
    let discoveryPrefix: String
    /// `<prefix>/<camera id>`: the camera's own topics are below it.
    let base: String
    /// Seconds without a new state before Home Assistant marks the state unavailable (0: never).
    let expireAfter: Int

    static let eventTypes = ["opened", "reminder", "closed", "unreachable", "recovered", "unsure"]

    init(status: LockStatus, endpoint: MQTTEndpoint, expireAfter: Int, softwareVersion: String) {
        let safeID = String(status.cameraID.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
                ? Character(scalar) : "_"
        })
        cameraName = status.cameraName
        nodeID = "watcher_" + safeID
        model = status.model
        alertLabel = status.alertLabel
        self.softwareVersion = softwareVersion
        discoveryPrefix = endpoint.discoveryPrefix
        base = endpoint.prefix + "/" + safeID
        self.expireAfter = expireAfter
    }

    var lockTopic: String { base + "/lock" }
    var probabilityTopic: String { base + "/probability" }
    var lastCheckTopic: String { base + "/last_check" }
    var imageTopic: String { base + "/image" }
    var eventTopic: String { base + "/event" }
    var availabilityTopic: String { base + "/availability" }
    /// Where Home Assistant announces itself (`online` after it started).
    var statusTopic: String { discoveryPrefix + "/status" }

    func configTopic(_ component: String, _ object: String) -> String {
        "\(discoveryPrefix)/\(component)/\(nodeID)/\(object)/config"
    }

    /// The retained discovery configs, one per entity.
    var discovery: [MQTTConnection.Message] {
        let expiring: [(String, JSONValue)] = expireAfter > 0 ? [("expire_after", .number(Double(expireAfter)))] : []
        let lock = config("lock", "Lock", [
            ("device_class", "lock"), ("state_topic", .string(lockTopic)), ("payload_on", "ON"), ("payload_off", "OFF"),
        ] + expiring)
        let probability = config("probability", "\(alertLabel.capitalizedFirst) probability", [
            ("state_topic", .string(probabilityTopic)), ("unit_of_measurement", "%"), ("state_class", "measurement"),
            ("suggested_display_precision", 1), ("entity_category", "diagnostic"), ("icon", "mdi:percent"),
        ] + expiring)
        let lastCheck = config("last_check", "Last check", [
            ("device_class", "timestamp"), ("state_topic", .string(lastCheckTopic)), ("entity_category", "diagnostic"),
        ] + expiring)
        let image = config("crop", "Crop", [("image_topic", .string(imageTopic)), ("content_type", "image/jpeg")])
        let event = config("event", "Event", [
            ("state_topic", .string(eventTopic)), ("event_types", .array(Self.eventTypes.map { .string($0) })),
        ])
        return [
            MQTTConnection.Message(topic: configTopic("binary_sensor", "lock"), text: lock.rendered, retain: true),
            MQTTConnection.Message(topic: configTopic("sensor", "probability"), text: probability.rendered, retain: true),
            MQTTConnection.Message(topic: configTopic("sensor", "last_check"), text: lastCheck.rendered, retain: true),
            MQTTConnection.Message(topic: configTopic("image", "crop"), text: image.rendered, retain: true),
            MQTTConnection.Message(topic: configTopic("event", "event"), text: event.rendered, retain: true),
        ]
    }

    /// One entity's config: its own fields, then what every entity carries.
    private func config(_ object: String, _ name: String, _ fields: [(String, JSONValue)]) -> JSONValue {
        var members = [JSONMember("name", .string(name)), JSONMember("unique_id", .string("\(nodeID)_\(object)"))]
        members += fields.map { JSONMember($0.0, $0.1) }
        members += [
            JSONMember("availability_topic", .string(availabilityTopic)),
            JSONMember("payload_available", "online"),
            JSONMember("payload_not_available", "offline"),
            JSONMember("qos", 1),
            JSONMember("device", [
                "identifiers": .array([.string(nodeID)]),
                "name": .string(cameraName),
                "manufacturer": "watcher",
                "model": .string(model),
                "sw_version": .string(softwareVersion),
            ]),
            JSONMember("origin", ["name": "watcher", "sw_version": .string(softwareVersion)]),
        ]
        return .object(members)
    }

    func availability(_ isWatching: Bool) -> MQTTConnection.Message {
        MQTTConnection.Message(topic: availabilityTopic, text: isWatching ? "online" : "offline", retain: true)
    }

    /// The retained states after a check that saw the lock.
    func states(_ reading: LockStatus.Reading, time: Int) -> [MQTTConnection.Message] {
        let percent = (reading.alertProbability * 1000).rounded() / 10
        var messages = [
            MQTTConnection.Message(topic: lockTopic, text: reading.isOpen ? "ON" : "OFF", retain: true),
            MQTTConnection.Message(topic: probabilityTopic, text: JSONValue.number(percent).rendered, retain: true),
            MQTTConnection.Message(topic: lastCheckTopic, text: WallTime.iso8601(time), retain: true),
        ]
        if let crop = reading.crop { messages.append(MQTTConnection.Message(topic: imageTopic, payload: crop, retain: true)) }
        return messages
    }

    /// A message on the event topic (not retained: a replay would fire automations
    /// again): the webhook's JSON plus `event_type`, which Home Assistant's event entity reads.
    func event(_ alert: AlertMessage) -> MQTTConnection.Message {
        MQTTConnection.Message(topic: eventTopic, text: Self.eventPayload(alert).rendered, retain: false)
    }

    static func eventPayload(_ alert: AlertMessage) -> JSONValue {
        guard case .object(let members) = WebhookNotifier.payload(alert) else { return WebhookNotifier.payload(alert) }
        return .object([JSONMember("event_type", .string(alert.kind.rawValue))] + members)
    }
}

private extension String {
    /// `open` → `Open`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
