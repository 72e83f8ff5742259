import Foundation
import Watcher

#if canImport(Glibc)
import Glibc
#endif

/// A real Mosquitto broker (Debian's `mosquitto`) on a free loopback port, with a
/// password file, and optionally TLS only, with a server certificate from a test CA
/// made here with `openssl`. What it carries is read back with Debian's
/// `mosquitto_sub`, an MQTT client independent of the code under test.
/// Missing programs fail the test with the command that installs them.
final class MosquittoBroker {
    struct Received: Equatable, CustomStringConvertible {
        var retained: Bool
        var topic: String
        var payload: [UInt8]
        var text: String { String(decoding: payload, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(payload) }
        var description: String { "\(retained ? "retained " : "")\(topic) (\(payload.count) bytes)" }
    }

    let folder: URL
    let port: Int
    let user = "watcher"
    /// Characters that need escaping in a URL, to prove they need none in WATCHER_MQTT_PASSWORD.
    let password = "s3cret p@ss:/w0rd"
    let tls: Bool
    /// The test CA's certificate (TLS only).
    var caFile: String { folder.appendingPathComponent("ca.pem").path }
    private var process: Process?

    /// `tls`: the listener speaks TLS only; its certificate names `certificateHosts`.
    init(tls: Bool = false, certificateHosts: [String] = ["DNS:localhost", "IP:127.0.0.1"]) throws {
        try Self.requirePrograms()
        folder = try WatcherProcess.temporaryFolder().appendingPathComponent("broker")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        self.tls = tls
        try Self.run("/usr/bin/mosquitto_passwd", ["-b", "-c", path("passwords"), user, password])
        var config = """
            per_listener_settings false
            allow_anonymous false
            password_file \(path("passwords"))
            log_dest stderr
            log_type error
            log_type warning
            listener \(port) 127.0.0.1

            """
        if tls {
            try makeCertificates(hosts: certificateHosts)
            config += "cafile \(caFile)\ncertfile \(path("server.pem"))\nkeyfile \(path("server.key"))\n"
        }
        try config.write(toFile: path("mosquitto.conf"), atomically: true, encoding: .utf8)
        // A broker run as root reads its files as the `mosquitto` user.
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path(name))
        }
        try start()
    }

    deinit { stop() }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `mqtt://watcher@127.0.0.1:PORT` (or `mqtts://watcher@localhost:PORT`), plus `suffix`.
    func url(_ suffix: String = "") -> String {
        (tls ? "mqtts://\(user)@localhost:\(port)" : "mqtt://\(user)@127.0.0.1:\(port)") + suffix
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", path("mosquitto.conf")]
        let log = folder.appendingPathComponent("broker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
        // Ready when it accepts a TCP connection.
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port) {
            guard process.isRunning, Date() < deadline else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw BrokerError("mosquitto did not start on port \(port): \(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Stops the broker (retained messages are lost with it: no persistence).
    func stop() {
        guard let process else { return }
        Self.kill(process)
        self.process = nil
    }

    /// SIGKILL: the test runner's threads block SIGTERM, and children inherit that.
    static func kill(_ process: Process) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    // MARK: Reading back

    private func subscriberArguments(_ topics: [String]) -> [String] {
        var arguments = ["-h", tls ? "localhost" : "127.0.0.1", "-p", String(port), "-u", user, "-P", password,
                         "-V", "5", "-q", "1", "-F", "%r %t %x"]
        if tls { arguments += ["--cafile", caFile] }
        for topic in topics { arguments += ["-t", topic] }
        return arguments
    }

    /// What a subscriber that arrives now receives: the retained messages, with their
    /// flag. `mosquitto_sub --retained-only` stops at the first live message: a marker
    /// published after its subscription, so after every retained message.
    func retained(_ topics: [String]) throws -> [Received] {
        let marker = "watcher-test/end-\(UUID().uuidString)"
        let subscriber = try Subscriber(["--retained-only"] + subscriberArguments(topics + [marker]), folder: folder)
        let deadline = Date().addingTimeInterval(10)
        while subscriber.process.isRunning {
            guard Date() < deadline else { throw BrokerError("mosquitto_sub --retained-only did not end on port \(port)") }
            try publish(marker, "end")
            Thread.sleep(forTimeInterval: 0.1)
        }
        return subscriber.received().filter { $0.topic != marker }
    }

    /// A subscriber that stays connected and records everything (`received()`), until `stop()`.
    final class Subscriber {
        let process: Process
        let output: URL

        init(_ arguments: [String], folder: URL) throws {
            output = folder.appendingPathComponent("subscriber-\(UUID().uuidString).txt")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        deinit { stop() }

        func received() -> [Received] {
            MosquittoBroker.parse((try? String(contentsOf: output, encoding: .utf8)) ?? "")
        }

        /// Waits (up to 10 s) until `condition` holds for what has arrived.
        @discardableResult
        func wait(until condition: ([Received]) -> Bool) -> [Received] {
            let deadline = Date().addingTimeInterval(10)
            var messages = received()
            while !condition(messages), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                messages = received()
            }
            return messages
        }

        func stop() { MosquittoBroker.kill(process) }
    }

    /// Starts a subscriber and waits until the broker has its subscription (a
    /// message it publishes to itself comes back).
    func subscribe(_ topics: [String]) throws -> Subscriber {
        let marker = "watcher-test/ready-\(UUID().uuidString)"
        let subscriber = try Subscriber(subscriberArguments(topics + [marker]), folder: folder)
        let deadline = Date().addingTimeInterval(10)
        while !subscriber.received().contains(where: { $0.topic == marker }) {
            guard Date() < deadline else { throw BrokerError("mosquitto_sub did not subscribe on port \(port)") }
            try publish(marker, "ready")
            Thread.sleep(forTimeInterval: 0.1)
        }
        return subscriber
    }

    /// Publishes like another client (Home Assistant announcing itself, clearing a config).
    func publish(_ topic: String, _ text: String, retain: Bool = false) throws {
        var arguments = ["-h", tls ? "localhost" : "127.0.0.1", "-p", String(port), "-u", user, "-P", password,
                         "-q", "1", "-t", topic]
        arguments += text.isEmpty ? ["-n"] : ["-m", text]
        if retain { arguments.append("-r") }
        if tls { arguments += ["--cafile", caFile] }
        try Self.run("/usr/bin/mosquitto_pub", arguments)
    }

    /// `mosquitto_sub -F '%r %t %x'` lines: retained flag, topic, payload in hex.
    static func parse(_ output: String) -> [Received] {
        output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0] == "0" || parts[0] == "1" else { return nil }
            let hex = parts.count == 3 ? Array(parts[2].utf8) : []
            var payload: [UInt8] = []
            var index = 0
            while index + 1 < hex.count {
                guard let byte = UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
                payload.append(byte)
                index += 2
            }
            return Received(retained: parts[0] == "1", topic: String(parts[1]), payload: payload)
        }
    }

    // MARK: Setting up

    private func makeCertificates(hosts: [String]) throws {
        let openssl = "/usr/bin/openssl"
        try Self.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=watcher test CA",
                               "-keyout", path("ca.key"), "-out", caFile])
        try Self.run(openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=watcher test broker",
                               "-keyout", path("server.key"), "-out", path("server.csr")])
        try "subjectAltName=\(hosts.joined(separator: ","))\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try Self.run(openssl, ["x509", "-req", "-in", path("server.csr"), "-CA", caFile, "-CAkey", path("ca.key"),
                               "-CAcreateserial", "-days", "2", "-extfile", path("server.ext"), "-out", path("server.pem")])
    }

    static func requirePrograms() throws {
        for program in ["/usr/sbin/mosquitto", "/usr/bin/mosquitto_sub", "/usr/bin/mosquitto_pub", "/usr/bin/mosquitto_passwd",
                        "/usr/bin/openssl"] where !FileManager.default.isExecutableFile(atPath: program) {
            throw BrokerError("\(program) is missing: run scripts/install-system-packages.sh "
                + "(apt-get install mosquitto mosquitto-clients openssl)")
        }
    }

    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrokerError("\(program) \(arguments.first ?? "") failed (\(process.terminationStatus)): \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A port nothing listens on now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrokerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BrokerError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct BrokerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
