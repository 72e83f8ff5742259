/// Objects in an S3 bucket (or an S3-compatible service) under a prefix, signed
/// with Signature Version 4. Credentials and region come from the variables AWS
/// documents and Lambda sets: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_REGION` (or `AWS_DEFAULT_REGION`); another endpoint
/// (MinIO, moto, a test) from `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, used
/// path-style.
public struct S3ObjectStore: ObjectStore, @unchecked Sendable {
    public let bucket: String
    public let prefix: String
    let signer: AWSSignatureV4
    /// `https://host[:port]`, and the path in front of the bucket (path-style) or nil (virtual-hosted).
    let origin: String
    let host: String
    let bucketPath: String
    var requests: ObjectRequests

    public var description: String { "s3://\(bucket)/\(prefix)" }

    public init(bucket: String, prefix: String, transport: HTTPTransport,
                environment: (String) -> String?) throws(WatcherError) {
        guard let keyID = environment("AWS_ACCESS_KEY_ID"), let secret = environment("AWS_SECRET_ACCESS_KEY") else {
            throw WatcherError(.usage, "s3://\(bucket)/\(prefix) needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "(Lambda sets them from the function's role)")
        }
        let region = environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? "us-east-1"
        self.bucket = bucket
        self.prefix = prefix
        signer = AWSSignatureV4(accessKeyID: keyID, secretAccessKey: secret, sessionToken: environment("AWS_SESSION_TOKEN"),
                                region: region)
        if let endpoint = environment("AWS_ENDPOINT_URL_S3") ?? environment("AWS_ENDPOINT_URL") {
            guard let parsed = Endpoint(endpoint) else {
                throw WatcherError(.usage, "AWS_ENDPOINT_URL '\(redactedURL(endpoint))' is not an http(s) URL")
            }
            origin = parsed.origin
            host = parsed.host
            bucketPath = parsed.path + "/" + bucket
        } else if bucket.contains(".") {
            // A dotted bucket name does not match the wildcard certificate as a host name.
            host = "s3.\(region).amazonaws.com"
            origin = "https://" + host
            bucketPath = "/" + bucket
        } else {
            host = "\(bucket).s3.\(region).amazonaws.com"
            origin = "https://" + host
            bucketPath = ""
        }
        requests = ObjectRequests(
            transport: transport, location: "s3://\(bucket)/\(prefix)",
            accessAdvice: "the credentials (the function's role) need s3:GetObject, s3:PutObject, s3:DeleteObject and "
                + "s3:ListBucket on this bucket and prefix")
    }

    public func get(_ name: String) throws(WatcherError) -> StoredObject? {
        let path = objectPath(name)
        let response = try requests.send("GET", idempotent: true) { now in request("GET", path: path, now: now) }
        if response.status == 404, ObjectRequests.errorCode(response) != "NoSuchBucket" { return nil }
        guard response.isSuccess, let etag = response.header("ETag") else { throw requests.failure("GET \(name) from", response) }
        return StoredObject(bytes: response.body, etag: etag)
    }

    public func put(_ name: String, _ bytes: [UInt8], contentType: String, condition: WriteCondition) throws(WatcherError) -> String {
        let path = objectPath(name)
        var headers = [HTTPHeader("Content-Type", contentType)]
        switch condition {
        case .always: break
        case .absent: headers.append(HTTPHeader("If-None-Match", "*"))
        case .matches(let etag): headers.append(HTTPHeader("If-Match", etag))
        }
        let response = try requests.send("PUT", idempotent: condition == .always) { now in
            request("PUT", path: path, headers: headers, body: bytes, now: now)
        }
        // 409 ConditionalRequestConflict: another conditional write to this key was in flight.
        if response.status == 412 || response.status == 409 {
            throw .conflict("\(description)\(name) was changed by another check since it was read")
        }
        guard response.isSuccess else { throw requests.failure("PUT \(name) to", response) }
        return response.header("ETag") ?? ""
    }

    public func delete(_ name: String) throws(WatcherError) {
        let path = objectPath(name)
        let response = try requests.send("DELETE", idempotent: true) { now in request("DELETE", path: path, now: now) }
        guard response.isSuccess || response.status == 404 && ObjectRequests.errorCode(response) != "NoSuchBucket" else {
            throw requests.failure("DELETE \(name) from", response)
        }
    }

    public func list(prefix namePrefix: String) throws(WatcherError) -> [ObjectListing] {
        var listings: [ObjectListing] = []
        var token: String?
        for _ in 0..<1000 {  // 1,000 keys a page: a million objects at most
            var query = [("list-type", "2"), ("prefix", prefix + namePrefix)]
            if let token { query.append(("continuation-token", token)) }
            let path = bucketPath.isEmpty ? "/" : bucketPath
            let response = try requests.send("LIST", idempotent: true) { now in request("GET", path: path, query: query, now: now) }
            guard response.isSuccess else { throw requests.failure("LIST", response) }
            let text = Substring(String(decoding: response.body, as: UTF8.self))
            for entry in XMLScan.elements("Contents", in: text) {
                guard let key = XMLScan.values("Key", in: entry).first, key.hasPrefix(prefix) else { continue }
                listings.append(ObjectListing(name: String(key.dropFirst(prefix.count)),
                                              lastModified: XMLScan.values("LastModified", in: entry).first.flatMap(UTCFormat.parse)))
            }
            token = XMLScan.values("NextContinuationToken", in: text).first
            guard XMLScan.values("IsTruncated", in: text).first == "true", token != nil else { break }
        }
        return listings.sorted { $0.name < $1.name }
    }

    func objectPath(_ name: String) -> String {
        bucketPath + "/" + AWSSignatureV4.encode(prefix + name, keepSlash: true)
    }

    func request(_ method: String, path: String, query: [(String, String)] = [], headers: [HTTPHeader] = [],
                 body: [UInt8] = [], now: Int) -> HTTPRequest {
        let queryText = query.map { AWSSignatureV4.encode($0.0) + "=" + AWSSignatureV4.encode($0.1) }.joined(separator: "&")
        var request = HTTPRequest(method: method, url: origin + path + (queryText.isEmpty ? "" : "?" + queryText),
                                  headers: headers, body: body, timeout: 30, maxResponseBytes: 64 << 20)
        signer.sign(&request, host: host, path: path, query: query, now: now)
        return request
    }
}

/// `http://127.0.0.1:9000/path` as origin (`http://127.0.0.1:9000`), the Host
/// header curl sends (`127.0.0.1:9000`; no port when it is the scheme's
/// default) and the path without a trailing slash.
struct Endpoint {
    var origin: String
    var host: String
    var path: String

    init?(_ text: String) {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let separator = text.firstRange(of: "://") else { return nil }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var path = String(rest.dropFirst(authority.count).prefix { $0 != "?" })
        while path.hasSuffix("/") { path.removeLast() }
        let scheme = lower.hasPrefix("https") ? "https" : "http"
        origin = scheme + "://" + authority
        let defaultPort = scheme == "https" ? ":443" : ":80"
        host = authority.hasSuffix(defaultPort) ? String(authority.dropLast(defaultPort.count)) : String(authority)
        self.path = path
    }
}
