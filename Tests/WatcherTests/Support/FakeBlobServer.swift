import Foundation
@testable import Watcher

/// Azure Blob Storage's REST operations the watcher uses, written from the
/// service's documentation (its emulator is not available here), on a
/// `FakeHTTPServer`: Put Blob (BlockBlob; `If-Match` → 412 ConditionNotMet,
/// `If-None-Match: *` on an existing blob → 409 BlobAlreadyExists; 201 with a new
/// ETag), Get Blob (ETag; 404 BlobNotFound), Delete Blob (202), List Blobs
/// (`restype=container&comp=list&prefix=`), 404 ContainerNotFound for any other
/// container. Every request must carry `x-ms-version`, `x-ms-date` and a Shared
/// Key signature that this fake recomputes from the request as received (its own
/// canonicalisation, from the documentation), else 403 AuthenticationFailed.
final class FakeBlobServer: @unchecked Sendable {
    static let account = "watchertest"
    static let container = "watcher"
    static let key = Array("fake-account-key-for-tests-only!".utf8)

    let server: FakeHTTPServer
    private let contents: Contents

    /// The blobs, shared by the server's connection threads.
    private final class Contents: @unchecked Sendable {
        let lock = NSLock()
        var blobs: [String: (bytes: [UInt8], etag: String)] = [:]
        var counter = 0
    }

    /// The connection string a Functions app would have in AzureWebJobsStorage.
    var connectionString: String {
        "DefaultEndpointsProtocol=http;AccountName=\(Self.account);AccountKey=\(Base64.encode(Self.key));BlobEndpoint=\(server.baseURL)"
    }

    init() throws {
        let contents = Contents()
        self.contents = contents
        server = try FakeHTTPServer { request in Self.handle(request, contents) }
    }

    func stop() { server.stop() }

    var names: [String] { contents.lock.withLock { contents.blobs.keys.sorted() } }

    func blob(_ name: String) -> [UInt8]? { contents.lock.withLock { contents.blobs[name]?.bytes } }

    private static func handle(_ request: RecordedRequest, _ contents: Contents) -> FakeResponse {
        let query = Self.parameters(request.query)
        guard request.header("x-ms-version") != nil, request.header("x-ms-date") != nil,
            request.header("Authorization") == expectedAuthorization(request, query: query)
        else { return error(403, "AuthenticationFailed") }
        let parts = request.path.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.first == Self.container else { return error(404, "ContainerNotFound") }
        if parts.count == 1 {
            guard request.method == "GET", query["restype"] == "container", query["comp"] == "list" else {
                return error(400, "UnsupportedQueryParameter")
            }
            return list(prefix: query["prefix"] ?? "", contents)
        }
        let name = AzureBlobObjectStore.percentDecode(Substring(parts[1]))
        return contents.lock.withLock { () -> FakeResponse in
            switch request.method {
            case "GET":
                guard let blob = contents.blobs[name] else { return error(404, "BlobNotFound") }
                return FakeResponse(status: 200, headers: [HTTPHeader("ETag", blob.etag)], body: blob.bytes)
            case "DELETE":
                return contents.blobs.removeValue(forKey: name) == nil ? error(404, "BlobNotFound") : FakeResponse(status: 202)
            case "PUT":
                guard request.header("x-ms-blob-type") == "BlockBlob" else { return error(400, "MissingRequiredHeader") }
                let existing = contents.blobs[name]
                if request.header("If-None-Match") == "*", existing != nil { return error(409, "BlobAlreadyExists") }
                if let wanted = request.header("If-Match"), wanted != existing?.etag { return error(412, "ConditionNotMet") }
                contents.counter += 1
                let etag = "\"0x8DC\(String(contents.counter, radix: 16, uppercase: true))\""
                contents.blobs[name] = (request.body, etag)
                return FakeResponse(status: 201, headers: [HTTPHeader("ETag", etag)])
            default:
                return error(405, "UnsupportedHttpVerb")
            }
        }
    }

    private static func list(prefix: String, _ contents: Contents) -> FakeResponse {
        let matching = contents.lock.withLock { contents.blobs.keys.filter { $0.hasPrefix(prefix) }.sorted() }
        let stamp = "Thu, 03 Dec 2026 10:00:00 GMT"
        let items = matching.map { "<Blob><Name>\($0)</Name><Properties><Last-Modified>\(stamp)</Last-Modified></Properties></Blob>" }
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ContainerName=\"\(Self.container)\">"
            + "<Prefix>\(prefix)</Prefix><Blobs>\(items.joined())</Blobs><NextMarker /></EnumerationResults>"
        return FakeResponse(status: 200, headers: [HTTPHeader("Content-Type", "application/xml")], body: Array(xml.utf8))
    }

    private static func error(_ status: Int, _ code: String) -> FakeResponse {
        FakeResponse(status: status, headers: [HTTPHeader("x-ms-error-code", code)],
                     body: Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(code)</Code><Message>\(code)</Message></Error>".utf8))
    }

    /// "Authorize with Shared Key": verb, the standard headers, x-ms- headers, resource.
    private static func expectedAuthorization(_ request: RecordedRequest, query: [String: String]) -> String {
        let standard = ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
                        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"]
        var lines = [request.method]
        for name in standard {
            let value = request.header(name) ?? ""
            lines.append(name == "Content-Length" && value == "0" ? "" : value)
        }
        lines += request.headers.filter { $0.name.lowercased().hasPrefix("x-ms-") }
            .map { "\($0.name.lowercased()):\($0.value)" }.sorted()
        var resource = "/\(Self.account)\(request.path)"
        for name in query.keys.sorted() { resource += "\n\(name.lowercased()):\(query[name]!)" }
        lines.append(resource)
        let signature = Base64.encode(SHA256.hmac(key: Self.key, lines.joined(separator: "\n")))
        return "SharedKey \(Self.account):\(signature)"
    }

    private static func parameters(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[AzureBlobObjectStore.percentDecode(parts[0])] = parts.count > 1 ? AzureBlobObjectStore.percentDecode(parts[1]) : ""
        }
        return result
    }
}
