/// Block blobs in an Azure Storage container under a prefix. Authorised by, in
/// this order: a SAS token (`AZURE_STORAGE_SAS_TOKEN`), an account key
/// (`AZURE_STORAGE_KEY`, Shared Key signing), or a connection string
/// (`AZURE_STORAGE_CONNECTION_STRING`, else the Functions app's own
/// `AzureWebJobsStorage`) with `AccountKey=` or `SharedAccessSignature=`. A
/// connection string's `BlobEndpoint=` (or `EndpointSuffix=`) picks the endpoint,
/// otherwise `https://ACCOUNT.blob.core.windows.net`.
public struct AzureBlobObjectStore: ObjectStore, @unchecked Sendable {
    public let account: String
    public let container: String
    public let prefix: String
    let authorization: Authorization
    let endpoint: Endpoint
    var requests: ObjectRequests
    static let apiVersion = "2021-08-06"

    enum Authorization {
        case sharedKey(AzureSharedKey)
        /// The token's query parameters, decoded, in order.
        case sas([(String, String)])
    }

    public var description: String { "azblob://\(account)/\(container)/\(prefix)" }

    public init(account: String, container: String, prefix: String, transport: HTTPTransport,
                environment: (String) -> String?) throws(WatcherError) {
        self.account = account
        self.container = container
        self.prefix = prefix
        let location = "azblob://\(account)/\(container)/\(prefix)"
        let connection = try (environment("AZURE_STORAGE_CONNECTION_STRING") ?? environment("AzureWebJobsStorage"))
            .map { text throws(WatcherError) in try ConnectionString(parsing: text, account: account) }
        if let sas = environment("AZURE_STORAGE_SAS_TOKEN") ?? connection?.sas {
            authorization = .sas(Self.queryParameters(sas))
        } else if let key = environment("AZURE_STORAGE_KEY") ?? connection?.accountKey {
            guard let decoded = Base64.decode(key), !decoded.isEmpty else {
                throw WatcherError(.usage, "the Azure Storage account key is not base64 (AZURE_STORAGE_KEY or AccountKey=)")
            }
            authorization = .sharedKey(AzureSharedKey(account: account, key: decoded))
        } else {
            throw WatcherError(.usage, "\(location) needs Azure Storage credentials: AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_KEY, "
                + "AZURE_STORAGE_CONNECTION_STRING, or the Functions app's AzureWebJobsStorage connection string")
        }
        let endpointText = connection?.blobEndpoint
            ?? "https://\(account).blob.\(connection?.endpointSuffix ?? "core.windows.net")"
        guard let endpoint = Endpoint(endpointText) else {
            throw WatcherError(.usage, "the connection string's BlobEndpoint '\(redactedURL(endpointText))' is not an http(s) URL")
        }
        self.endpoint = endpoint
        requests = ObjectRequests(
            transport: transport, location: location,
            accessAdvice: "check the account key or SAS token (a SAS needs read, write, delete and list permissions on the "
                + "container, and must not have expired)")
    }

    public func get(_ name: String) throws(WatcherError) -> StoredObject? {
        let path = blobPath(name)
        let response = try requests.send("GET", idempotent: true) { now in request("GET", path: path, now: now) }
        if response.status == 404, ObjectRequests.errorCode(response) != "ContainerNotFound" { return nil }
        guard response.isSuccess, let etag = response.header("ETag") else { throw requests.failure("GET \(name) from", response) }
        return StoredObject(bytes: response.body, etag: etag)
    }

    public func put(_ name: String, _ bytes: [UInt8], contentType: String, condition: WriteCondition) throws(WatcherError) -> String {
        let path = blobPath(name)
        var headers = [HTTPHeader("Content-Type", contentType), HTTPHeader("x-ms-blob-type", "BlockBlob")]
        switch condition {
        case .always: break
        case .absent: headers.append(HTTPHeader("If-None-Match", "*"))
        case .matches(let etag): headers.append(HTTPHeader("If-Match", etag))
        }
        let response = try requests.send("PUT", idempotent: condition == .always) { now in
            request("PUT", path: path, headers: headers, body: bytes, now: now)
        }
        // 412 ConditionNotMet (If-Match); 409 BlobAlreadyExists (If-None-Match: * on an existing blob).
        if response.status == 412 || (response.status == 409 && ObjectRequests.errorCode(response) == "BlobAlreadyExists") {
            throw .conflict("\(description)\(name) was changed by another check since it was read")
        }
        guard response.isSuccess else { throw requests.failure("PUT \(name) to", response) }
        return response.header("ETag") ?? ""
    }

    public func delete(_ name: String) throws(WatcherError) {
        let path = blobPath(name)
        let response = try requests.send("DELETE", idempotent: true) { now in request("DELETE", path: path, now: now) }
        guard response.isSuccess || response.status == 404 && ObjectRequests.errorCode(response) != "ContainerNotFound" else {
            throw requests.failure("DELETE \(name) from", response)
        }
    }

    public func list(prefix namePrefix: String) throws(WatcherError) -> [ObjectListing] {
        var listings: [ObjectListing] = []
        var marker: String?
        for _ in 0..<1000 {
            var query = [("restype", "container"), ("comp", "list"), ("prefix", prefix + namePrefix)]
            if let marker { query.append(("marker", marker)) }
            let path = endpoint.path + "/" + container
            let response = try requests.send("LIST", idempotent: true) { now in request("GET", path: path, query: query, now: now) }
            guard response.isSuccess else { throw requests.failure("LIST", response) }
            let text = Substring(String(decoding: response.body, as: UTF8.self))
            for blob in XMLScan.elements("Blob", in: text) {
                guard let name = XMLScan.values("Name", in: blob).first, name.hasPrefix(prefix) else { continue }
                listings.append(ObjectListing(name: String(name.dropFirst(prefix.count)),
                                              lastModified: XMLScan.values("Last-Modified", in: blob).first.flatMap(UTCFormat.parse)))
            }
            marker = XMLScan.values("NextMarker", in: text).first
            guard let next = marker, !next.isEmpty else { break }
        }
        return listings.sorted { $0.name < $1.name }
    }

    func blobPath(_ name: String) -> String {
        endpoint.path + "/" + container + "/" + AWSSignatureV4.encode(prefix + name, keepSlash: true)
    }

    func request(_ method: String, path: String, query: [(String, String)] = [], headers: [HTTPHeader] = [],
                 body: [UInt8] = [], now: Int) -> HTTPRequest {
        var parameters = query
        if case .sas(let token) = authorization { parameters = token + query }
        let queryText = parameters.map { AWSSignatureV4.encode($0.0) + "=" + AWSSignatureV4.encode($0.1) }.joined(separator: "&")
        var request = HTTPRequest(method: method, url: endpoint.origin + path + (queryText.isEmpty ? "" : "?" + queryText),
                                  headers: headers + [HTTPHeader("x-ms-version", Self.apiVersion)], body: body, timeout: 30,
                                  maxResponseBytes: 64 << 20)
        switch authorization {
        case .sharedKey(let key): key.sign(&request, path: path, query: query, now: now)
        case .sas: request.headers.append(HTTPHeader("x-ms-date", UTCFormat.format(now, "%a, %d %b %Y %H:%M:%S GMT")))
        }
        return request
    }

    /// `sv=2022-11-02&ss=b&sig=abc%3D` (with or without a leading `?`) → decoded pairs.
    static func queryParameters(_ text: String) -> [(String, String)] {
        let trimmed = text.hasPrefix("?") ? String(text.dropFirst()) : text
        return trimmed.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
    }

    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(after: low)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An Azure Storage connection string: `DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…`,
/// or with `BlobEndpoint=` and `SharedAccessSignature=`. Never printed: it holds the key.
struct ConnectionString {
    var accountKey: String?
    var sas: String?
    var blobEndpoint: String?
    var endpointSuffix: String?

    init(parsing text: String, account: String) throws(WatcherError) {
        var fields: [String: String] = [:]
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            fields[String(pair[0]).trimmingSpaces.lowercased()] = String(pair[1]).trimmingSpaces
        }
        if fields["usedevelopmentstorage"]?.lowercased() == "true" {
            throw WatcherError(.usage, "the storage connection string says UseDevelopmentStorage=true; give the emulator's "
                + "full connection string (AccountName, AccountKey, BlobEndpoint) instead")
        }
        if let name = fields["accountname"], name != account {
            throw WatcherError(.usage, "the storage connection string is for account '\(name)', but the location names '\(account)'")
        }
        accountKey = fields["accountkey"]
        sas = fields["sharedaccesssignature"]
        blobEndpoint = fields["blobendpoint"]
        endpointSuffix = fields["endpointsuffix"]
        if accountKey == nil, sas == nil {
            throw WatcherError(.usage, "the storage connection string has neither AccountKey nor SharedAccessSignature")
        }
    }
}
