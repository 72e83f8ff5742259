#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket for the review page: plain POSIX sockets, one connection
/// at a time (a person's browser on a local page), every read and write under a
/// timeout so a stalled client cannot hold the server.
public final class HTTPListener {
    public let host: String
    /// The bound port (the kernel's choice when 0 was asked).
    public private(set) var port: Int = 0
    /// Bound to 127.0.0.0/8 or ::1: only this machine can connect.
    public let isLoopback: Bool
    private let descriptor: Int32

    /// `HOST:PORT`, `[IPv6]:PORT` or `localhost:PORT`; PORT 0 picks a free one.
    public init(listen address: String) throws(WatcherError) {
        let (host, port) = try Self.parse(address)
        self.host = host
        var storage = sockaddr_storage()
        var length: socklen_t
        var family: Int32
        if host.contains(":") {
            family = AF_INET6
            var address6 = sockaddr_in6()
            address6.sin6_family = sa_family_t(AF_INET6)
            address6.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address6.sin6_addr) == 1 else {
                throw WatcherError(.usage, "--listen \(address): '\(host)' is not an IP address")
            }
            isLoopback = host == "::1"
            withUnsafeBytes(of: &address6) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            family = AF_INET
            var address4 = sockaddr_in()
            address4.sin_family = sa_family_t(AF_INET)
            address4.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address4.sin_addr) == 1 else {
                throw WatcherError(.usage, "--listen \(address): '\(host)' is not an IPv4 address (or [IPv6], or localhost)")
            }
            isLoopback = host.hasPrefix("127.")
            withUnsafeBytes(of: &address4) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw WatcherError(.io, "cannot open a socket: \(FileSystem.lastError())") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = FileSystem.lastError()
            close(descriptor)
            throw WatcherError(.io, "cannot listen on \(address): \(reason)")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.port = withUnsafeBytes(of: &actual) { raw in
            // sin_port and sin6_port both sit at byte 2.
            Int(UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    deinit { close(descriptor) }

    /// The URL a browser on this machine (or, when not loopback, the network) opens.
    public var url: String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://" + (shown.contains(":") ? "[\(shown)]" : shown) + ":\(port)/"
    }

    static func parse(_ address: String) throws(WatcherError) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw WatcherError(.usage, "--listen '\(address)': expected HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host.isEmpty { host = "127.0.0.1" }
        return (host, port)
    }

    /// Waits up to `milliseconds` for a connection; nil if none came (or on EINTR).
    func accept(waiting milliseconds: Int32) -> HTTPConnection? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        let client = Glibc.accept(descriptor, nil, nil)
        guard client >= 0 else { return nil }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return HTTPConnection(descriptor: client)
    }
}

/// One accepted connection. Reads and writes time out after `timeoutSeconds`.
final class HTTPConnection {
    let descriptor: Int32
    static let timeoutSeconds = 5

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes; empty at the end of the stream, nil on a timeout or error.
    func read(upTo count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, count, 0) }
            if received < 0, errno == EINTR { continue }
            guard received >= 0 else { return nil }
            return Array(buffer.prefix(received))
        }
    }

    /// Writes everything (no SIGPIPE if the client went away); false if it could not.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    func finish() {
        shutdown(descriptor, Int32(SHUT_WR))
    }
}
