import CLibMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One MQTT 5 connection through libmosquitto: connect (TLS verified, user and
/// password), publish at QoS 1 and wait for the broker's acknowledgements,
/// subscribe. MQTT 5 because its acknowledgements carry a reason: a broker that
/// refuses a topic (an ACL) says so instead of dropping the message silently.
///
/// The connection is made on the caller's thread, so its failure is a clear error
/// (refused, no such host, certificate not trusted, password wrong); then
/// libmosquitto's network thread takes over: it acknowledges, keeps the connection
/// alive between checks, reconnects, and calls `onMessage` / `onReconnect` (on that
/// thread, which must never wait for the broker). Errors are `.notify` and name the
/// broker by `host:port` only, never the user or password.
final class MQTTConnection: @unchecked Sendable {
    struct Message: Sendable, Equatable {
        var topic: String
        var payload: [UInt8]
        var retain: Bool

        init(topic: String, payload: [UInt8], retain: Bool) {
            self.topic = topic
            self.payload = payload
            self.retain = retain
        }

        init(topic: String, text: String, retain: Bool) {
            self.init(topic: topic, payload: Array(text.utf8), retain: retain)
        }
    }

    /// Called on the network thread for each message received on a subscribed topic.
    typealias MessageHandler = @Sendable (MQTTConnection, _ topic: String, _ payload: [UInt8]) -> Void
    /// Called on the network thread after it reconnected by itself (subscriptions are gone).
    typealias ReconnectHandler = @Sendable (MQTTConnection) -> Void

    private let handle: OpaquePointer
    private let host: String
    private let port: Int
    private let useTLS: Bool
    let address: String
    private let onMessage: MessageHandler?
    private let onReconnect: ReconnectHandler?
    private let state = Mutex(State())
    private var threadStarted = false

    private struct State {
        /// The reason code of the latest CONNACK (0: accepted).
        var connack: Int32?
        var everConnected = false
        var connected = false
        /// Reason codes of the PUBACKs received, by message id.
        var acks: [Int32: Int32] = [:]
        /// libmosquitto's latest error line (OpenSSL's reason for a failed handshake).
        var lastError: String?
    }

    private static let libraryReady: Int32 = mosquitto_lib_init()

    /// Seconds to wait for the broker's CONNACK, and for its PUBACKs.
    static let answerTimeout = 10.0
    static let keepAlive: Int32 = 60

    init(endpoint: MQTTEndpoint, password: String?, caFile: String?, clientID: String, will: Message?,
         onMessage: MessageHandler? = nil, onReconnect: ReconnectHandler? = nil) throws(WatcherError) {
        host = endpoint.host
        port = endpoint.port
        useTLS = endpoint.useTLS
        address = endpoint.address
        self.onMessage = onMessage
        self.onReconnect = onReconnect
        _ = Self.libraryReady
        guard let handle = mosquitto_new(clientID, true, nil) else {
            throw WatcherError(.notify, "cannot create an MQTT client (out of memory)")
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5)
        mosquitto_reconnect_delay_set(handle, 2, 60, true)
        installCallbacks()
        if let user = endpoint.user {
            guard mosquitto_username_pw_set(handle, user, password) == 0 else {
                throw WatcherError(.notify, "the MQTT user name or password is not valid UTF-8")
            }
        }
        if endpoint.useTLS {
            let rc: Int32
            if let caFile {
                rc = mosquitto_tls_set(handle, caFile, nil, nil, nil, nil)
            } else {
                rc = mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1)
            }
            guard rc == 0 else {
                throw WatcherError(.notify, "cannot use the CA file \(caFile ?? "of the system") for TLS: "
                    + String(cString: mosquitto_strerror(rc)))
            }
        }
        if let will {
            let rc = will.payload.withUnsafeBytes {
                mosquitto_will_set(handle, will.topic, Int32($0.count), $0.baseAddress, 1, will.retain)
            }
            guard rc == 0 else { throw WatcherError(.notify, "cannot set the MQTT will on \(will.topic): \(Self.text(rc))") }
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    var isConnected: Bool { state.withLock { $0.connected } }

    // MARK: Connecting

    /// Connects and waits for the broker to accept (CONNACK), then starts the network thread.
    func connect() throws(WatcherError) {
        errno = 0
        let rc = mosquitto_connect(handle, host, Int32(port), Self.keepAlive)
        if rc != 0 { throw connectError(rc, errno: errno) }
        let deadline = Self.monotonicSeconds() + Self.answerTimeout
        while true {
            if let code = state.withLock({ $0.connack }) {
                guard code == 0 else { throw refusal(code) }
                break
            }
            try Interruption.check("MQTT connect to \(address)")
            guard Self.monotonicSeconds() < deadline else {
                throw WatcherError(.notify, "no answer from the MQTT broker at \(address) in \(Int(Self.answerTimeout)) s",
                                   cause: .timedOut)
            }
            let loop = mosquitto_loop(handle, 100, 1)
            if loop != 0, state.withLock({ $0.connack }) == nil { throw connectError(loop, errno: errno) }
        }
        mosquitto_loop_start(handle)
        threadStarted = true
    }

    private func connectError(_ rc: Int32, errno number: Int32) -> WatcherError {
        let prefix = "cannot connect to the MQTT broker at \(address)"
        switch rc {
        case Int32(MOSQ_ERR_ERRNO.rawValue):
            if number == EINTR, let signal = Interruption.signal { return Interruption.error("MQTT connect", signal: signal) }
            return WatcherError(.notify, "\(prefix): \(String(cString: strerror(number)).lowercased())", cause: .networkDown)
        case Int32(MOSQ_ERR_EAI.rawValue):
            return WatcherError(.notify, "\(prefix): cannot resolve the host name \(host)", cause: .networkDown)
        case Int32(MOSQ_ERR_TLS.rawValue), Int32(MOSQ_ERR_TLS_HANDSHAKE.rawValue):
            let detail = state.withLock { $0.lastError }.map(Self.openSSLReason) ?? "handshake failed"
            let hint = detail.contains("certificate")
                ? "is the broker's certificate for \(host) and signed by a CA the system trusts, or by the one in "
                    + "ca=FILE / WATCHER_MQTT_CA_FILE?"
                : "is it a TLS port? mqtts:// usually means 8883"
            return WatcherError(.notify, "\(prefix): TLS: \(detail) (\(hint))", cause: .networkDown)
        case Int32(MOSQ_ERR_CONN_LOST.rawValue), Int32(MOSQ_ERR_NO_CONN.rawValue), Int32(MOSQ_ERR_PROTOCOL.rawValue):
            return WatcherError(.notify, "\(prefix): the connection was closed before the broker answered"
                + (useTLS ? "" : " (a TLS port? then use mqtts://)"))
        default:
            return WatcherError(.notify, "\(prefix): \(Self.text(rc))")
        }
    }

    /// A CONNACK that refused the connection (MQTT 5 reason codes).
    private func refusal(_ code: Int32) -> WatcherError {
        let reason: String
        switch code {
        case 134: reason = "bad user name or password"
        case 135: reason = "not authorized (wrong or missing user name or password?)"
        case 132: reason = "it does not speak MQTT 5 (Mosquitto 1.6 or newer does)"
        case 138: reason = "this client is banned"
        default: reason = String(cString: mosquitto_reason_string(code)).lowercased()
        }
        return WatcherError(.notify, "the MQTT broker at \(address) refused the connection: \(reason)")
    }

    // MARK: Publishing

    /// Publishes at QoS 1 and waits until the broker has acknowledged every message.
    /// A refusal names the topic and the broker's reason.
    func publish(_ messages: [Message]) throws(WatcherError) {
        state.withLock { $0.acks.removeAll() }  // leftovers are the network thread's own publications
        var pending: [(mid: Int32, topic: String)] = []
        for message in messages {
            var mid: Int32 = 0
            try send(message, mid: &mid)
            pending.append((mid, message.topic))
        }
        let deadline = Self.monotonicSeconds() + Self.answerTimeout
        while true {
            let (acks, connected) = state.withLock { state in (state.acks, state.connected) }
            if let refused = pending.first(where: { (acks[$0.mid] ?? 0) >= 128 }) {
                let code = acks[refused.mid] ?? 0
                throw WatcherError(.notify, "the MQTT broker at \(address) refused to take \(refused.topic): "
                    + (code == 135 ? "not authorized (does the user's ACL allow it?)"
                        : String(cString: mosquitto_reason_string(code)).lowercased()))
            }
            if pending.allSatisfy({ acks[$0.mid] != nil }) { return }
            try Interruption.check("MQTT publish to \(address)")
            guard Self.monotonicSeconds() < deadline else {
                let unacknowledged = pending.filter { acks[$0.mid] == nil }.count
                throw WatcherError(.notify, connected
                    ? "the MQTT broker at \(address) did not acknowledge \(unacknowledged) message(s) in \(Int(Self.answerTimeout)) s"
                    : "lost the connection to the MQTT broker at \(address) before it acknowledged \(unacknowledged) message(s)")
            }
            Interruption.sleep(seconds: 0.01)
        }
    }

    /// Publishes at QoS 1 without waiting: for the network thread's own callbacks.
    func publishWithoutWaiting(_ messages: [Message]) {
        for message in messages {
            var mid: Int32 = 0
            _ = try? send(message, mid: &mid)
        }
    }

    private func send(_ message: Message, mid: inout Int32) throws(WatcherError) {
        let rc = message.payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(handle, &mid, message.topic, Int32(bytes.count), bytes.baseAddress, 1, message.retain, nil)
        }
        // NO_CONN: queued all the same (QoS 1), sent when the network thread reconnects.
        guard rc == 0 || rc == Int32(MOSQ_ERR_NO_CONN.rawValue) else {
            throw WatcherError(.notify, "cannot publish \(message.topic) to the MQTT broker at \(address): \(Self.text(rc))")
        }
    }

    /// Asks for the messages on `topic` (QoS 1); they arrive through `onMessage`.
    func subscribe(_ topic: String) {
        mosquitto_subscribe_v5(handle, nil, topic, 1, 0, nil)
    }

    // MARK: Closing

    /// Disconnects and stops the network thread. With `sendingWill`, the broker
    /// publishes the will as if the connection had been lost (MQTT 5 reason 4).
    func close(sendingWill: Bool = false) {
        if sendingWill {
            mosquitto_disconnect_v5(handle, 4, nil)
        } else {
            mosquitto_disconnect(handle)
        }
        if threadStarted {
            // Give the DISCONNECT a moment to leave, then end the thread whatever it does.
            let deadline = Self.monotonicSeconds() + 2
            while state.withLock({ $0.connected }), Self.monotonicSeconds() < deadline {
                var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                _ = nanosleep(&pause, nil)
            }
            mosquitto_loop_stop(handle, true)
            threadStarted = false
        }
    }

    // MARK: Callbacks (the caller's thread while connecting, then the network thread)

    private static func connection(_ context: UnsafeMutableRawPointer?) -> MQTTConnection? {
        context.map { Unmanaged<MQTTConnection>.fromOpaque($0).takeUnretainedValue() }
    }

    private func installCallbacks() {
        mosquitto_connect_v5_callback_set(handle) { _, context, code, _, _ in
            guard let connection = MQTTConnection.connection(context) else { return }
            let reconnected = connection.state.withLock { state -> Bool in
                state.connack = code
                state.connected = code == 0
                defer { if code == 0 { state.everConnected = true } }
                return code == 0 && state.everConnected
            }
            if reconnected { connection.onReconnect?(connection) }
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, context, _, _ in
            MQTTConnection.connection(context)?.state.withLock { $0.connected = false }
        }
        mosquitto_publish_v5_callback_set(handle) { _, context, mid, reason, _ in
            MQTTConnection.connection(context)?.state.withLock { $0.acks[mid] = reason }
        }
        mosquitto_message_v5_callback_set(handle) { _, context, message, _ in
            guard let connection = MQTTConnection.connection(context), let message, let handler = connection.onMessage,
                  let topic = message.pointee.topic
            else { return }
            let count = Int(message.pointee.payloadlen)
            let payload = message.pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
            handler(connection, String(cString: topic), payload)
        }
        mosquitto_log_callback_set(handle) { _, context, level, text in
            guard level & MOSQ_LOG_ERR != 0, let text else { return }
            let line = String(cString: text)
            MQTTConnection.connection(context)?.state.withLock { $0.lastError = line }
        }
    }

    // MARK: Texts and time

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func text(_ rc: Int32) -> String {
        String(cString: mosquitto_strerror(rc)).lowercased().trimmingSuffix(".")
    }

    /// `OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed` → `certificate verify failed`.
    static func openSSLReason(_ line: String) -> String {
        guard line.hasPrefix("OpenSSL Error") else { return line }
        return String(line.split(separator: ":").last ?? Substring(line)).trimmingSpaces
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
