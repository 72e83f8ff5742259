import Synchronization

/// `--notify mqtt://…`: the lock in Home Assistant. After each check it publishes,
/// retained at QoS 1, the camera's discovery configs and the states of its entities
/// (see `HomeAssistantDevice`); each message (opened, reminder, closed, unreachable,
/// recovered, unsure) goes to the event topic through the outbox, so one the broker
/// did not acknowledge is retried at the next check like any notifier's.
///
/// A one-shot run (`once`, cron) connects for the check and disconnects after it,
/// publishing discovery every time (retained, so idempotent). A daemon (`run`) keeps
/// its connection: a will marks the camera `offline` if the watcher dies, it
/// subscribes to Home Assistant's `homeassistant/status` and publishes the configs
/// and states again when Home Assistant announces `online`, and on SIGTERM it
/// leaves with the will, so the entities turn unavailable.
final class MQTTNotifier: Notifier, StatePublisher, @unchecked Sendable {
    typealias Mode = RunMode

    let spec: NotifierSpec
    let endpoint: MQTTEndpoint
    let password: String?
    let caFile: String?
    let mode: Mode
    let softwareVersion: String

    private var connection: MQTTConnection?
    /// The camera of the current check (`publish` comes first in every check).
    private var device: HomeAssistantDevice?
    /// This check's connection failure: the rest of the check fails at once with it
    /// (a dead broker costs one attempt per check).
    private var failure: WatcherError?
    /// The latest retained message on each topic, for Home Assistant's `online`.
    private let retained = RetainedMessages()

    init(spec: NotifierSpec, endpoint: MQTTEndpoint, password: String?, caFile: String?, mode: Mode,
         softwareVersion: String) {
        self.spec = spec
        self.endpoint = endpoint
        self.password = password
        self.caFile = caFile
        self.mode = mode
        self.softwareVersion = softwareVersion
    }

    /// Resolves the password and CA file (URL first, then the environment) and checks
    /// what can be checked before any check: a configuration error is `.usage`.
    convenience init(spec: NotifierSpec, secrets: NotifierSecrets, mode: Mode) throws(WatcherError) {
        let endpoint = try MQTTEndpoint(parsing: spec.target)
        let password = endpoint.password ?? (endpoint.user == nil ? nil : secrets.mqttPassword)
        if endpoint.user == nil, secrets.mqttPassword != nil {
            throw WatcherError(.usage, "WATCHER_MQTT_PASSWORD is set but the mqtt URL has no user: mqtt://USER@host…")
        }
        let caFile = endpoint.useTLS ? endpoint.caFile ?? secrets.mqttCAFile : nil
        if let caFile, (try? FileSystem.read(caFile, limit: 1 << 20)) == nil {
            throw WatcherError(.usage, "--notify mqtts://…: cannot read the CA file \(caFile) "
                + (endpoint.caFile == nil ? "(WATCHER_MQTT_CA_FILE)" : "(ca=)"))
        }
        self.init(spec: spec, endpoint: endpoint, password: password, caFile: caFile, mode: mode,
                  softwareVersion: WatcherVersion.text)
    }

    /// Three checks: long enough for one slow check, short enough to notice a stopped watcher.
    var expireAfter: Int {
        if let configured = endpoint.expireAfter { return configured }
        switch mode {
        case .oneShot: return 3 * 300
        case .daemon(let interval): return 3 * interval
        }
    }

    func publish(_ status: LockStatus) throws(WatcherError) {
        let device = HomeAssistantDevice(status: status, endpoint: endpoint, expireAfter: expireAfter,
                                         softwareVersion: softwareVersion)
        self.device = device
        var messages = [device.availability(status.isWatching)]
        if let reading = status.reading { messages += device.states(reading, time: status.time) }
        let (connection, isNew) = try connected(device)
        retained.keep(device.discovery + messages)
        try report { () throws(WatcherError) in
            try connection.publish((mode == .oneShot || isNew ? device.discovery : []) + messages)
        }
    }

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        let message: MQTTConnection.Message
        if alert.kind == .test {
            message = MQTTConnection.Message(topic: endpoint.prefix + "/test",
                                             text: HomeAssistantDevice.eventPayload(alert).rendered, retain: false)
        } else if let device {
            message = device.event(alert)
        } else {
            throw WatcherError(.notify, "\(spec.id): no check has named the camera yet")
        }
        let (connection, _) = try connected(device)
        try report { () throws(WatcherError) in try connection.publish([message]) }
    }

    func finishCheck() {
        failure = nil
        if mode == .oneShot { close() }
    }

    func shutDown() {
        close(sendingWill: true)
    }

    private func close(sendingWill: Bool = false) {
        connection?.close(sendingWill: sendingWill)
        connection = nil
    }

    /// The connection, made now if there is none or the daemon's one was lost
    /// (then a fresh one says clearly why it cannot connect). `isNew` tells the
    /// caller to publish discovery.
    private func connected(_ device: HomeAssistantDevice?) throws(WatcherError) -> (MQTTConnection, isNew: Bool) {
        if let failure { throw failure }
        if let connection, connection.isConnected { return (connection, false) }
        close()
        var will: MQTTConnection.Message?
        var onMessage: MQTTConnection.MessageHandler?
        var onReconnect: MQTTConnection.ReconnectHandler?
        if case .daemon = mode, let device {
            will = device.availability(false)
            let retained = self.retained
            let statusTopic = device.statusTopic
            onMessage = { connection, topic, payload in
                if topic == statusTopic, payload == Array("online".utf8) {
                    connection.publishWithoutWaiting(retained.all)
                }
            }
            onReconnect = { connection in
                connection.subscribe(statusTopic)
                connection.publishWithoutWaiting(retained.all)
            }
        }
        try report { () throws(WatcherError) in
            let connection = try MQTTConnection(
                endpoint: endpoint, password: password, caFile: caFile, clientID: "watcher-" + String(RandomID.uuid().prefix(12)),
                will: will, onMessage: onMessage, onReconnect: onReconnect)
            try connection.connect()
            if case .daemon = mode, let device { connection.subscribe(device.statusTopic) }
            self.connection = connection
        }
        return (connection!, true)
    }

    /// Names the notifier in an error, and remembers a failure for the rest of the check.
    private func report(_ body: () throws(WatcherError) -> Void) throws(WatcherError) {
        do { try body() } catch {
            if error.kind == .interrupted { throw error }
            let named = WatcherError(error.kind, "\(spec.id): \(error.message)", cause: error.cause)
            failure = named
            close()
            throw named
        }
    }
}

/// The latest retained message on each topic, shared with the network thread.
final class RetainedMessages: Sendable {
    private let messages = Mutex<[MQTTConnection.Message]>([])

    func keep(_ new: [MQTTConnection.Message]) {
        messages.withLock { kept in
            for message in new {
                if let index = kept.firstIndex(where: { $0.topic == message.topic }) {
                    kept[index] = message
                } else {
                    kept.append(message)
                }
            }
        }
    }

    var all: [MQTTConnection.Message] { messages.withLock { $0 } }
}
