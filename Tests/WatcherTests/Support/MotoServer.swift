import Foundation
@testable import Watcher

/// moto's S3 server (`python3 -m moto.server`, from PyPI's `moto[server]`: a real
/// S3 implementation with conditional writes) on a free loopback port, started
/// once for the test process and stopped when it ends (a small shell watches the
/// test process). Missing moto is a failure that says how to install it.
final class MotoServer: @unchecked Sendable {
    let endpoint: String

    static let shared: Result<MotoServer, MotoError> = {
        do throws(MotoError) { return .success(try MotoServer()) } catch { return .failure(error) }
    }()

    struct MotoError: Error, CustomStringConvertible {
        var description: String
    }

    private init() throws(MotoError) {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import moto.server, flask"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { throw MotoError(description: "python3 is missing") }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            throw MotoError(description: "moto's S3 server is missing: pip install 'moto[server]==5.2.1' "
                + "(scripts/install-system-packages.sh installs it)")
        }
        let port = FakeHTTPServer.unusedPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The watcher shell must not hold swift-test's output pipes (swift-test waits for
        // their end before it reaps the test process), and it stops at the test process's
        // exit, zombie included (`kill -0` succeeds on a zombie). SIGKILL: the server
        // inherits the test process's signal mask, in which SIGTERM may be blocked.
        server.arguments = ["-c", """
            python3 -m moto.server -p "$1" </dev/null >/dev/null 2>&1 & server=$!
            trap 'kill -KILL $server 2>/dev/null' EXIT
            trap 'exit 143' TERM INT
            alive() { state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$state" ] && [ "$state" != Z ]; }
            while alive "$2" && kill -0 $server 2>/dev/null; do sleep 1; done
            """, "sh", String(port), String(getpid())]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        do { try server.run() } catch { throw MotoError(description: "cannot start moto: \(error)") }
        endpoint = "http://127.0.0.1:\(port)"
        let transport = try! CurlTransport()
        for _ in 0..<150 {
            if let response = try? transport.send(HTTPRequest(method: "GET", url: endpoint + "/", timeout: 2)), response.status > 0 {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw MotoError(description: "moto's server did not answer on \(endpoint) within 15 s")
    }

    static func start() throws -> MotoServer {
        try shared.get()
    }

    /// What `watcher` and `S3ObjectStore` read: fake credentials, this endpoint.
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret-test", "AWS_REGION": "us-east-1",
         "AWS_ENDPOINT_URL": endpoint]
    }

    /// A new empty bucket (a test's own, so tests do not see each other's objects).
    func makeBucket() throws -> String {
        let bucket = "test-" + UUID().uuidString.lowercased().prefix(18)
        let signer = AWSSignatureV4(accessKeyID: "AKIDTEST", secretAccessKey: "secret-test", sessionToken: nil, region: "us-east-1")
        var request = HTTPRequest(method: "PUT", url: "\(endpoint)/\(bucket)")
        signer.sign(&request, host: String(endpoint.dropFirst("http://".count)), path: "/\(bucket)", query: [],
                    now: WallTime.nowMillis())
        let response = try CurlTransport().send(request)
        guard response.isSuccess else { throw MotoError(description: "create bucket: \(response.status)") }
        return bucket
    }

    func store(bucket: String, prefix: String = "cams/") throws -> S3ObjectStore {
        try S3ObjectStore(bucket: bucket, prefix: prefix, transport: try CurlTransport(),
                          environment: { [environment] in environment[$0] })
    }
}
