#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 for S3 (the header form), as AWS documents it:
/// canonical request → string to sign → key derived from the secret, date,
/// region and service. Signed here rather than by libcurl's CURLOPT_AWS_SIGV4 so
/// that the signature is checked offline against AWS's own published example
/// (`SigningTests`) and works over any `HTTPTransport`.
public struct AWSSignatureV4: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Temporary credentials (Lambda's role) come with a token, sent as `x-amz-security-token`.
    public var sessionToken: String?
    public var region: String
    public var service = "s3"

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String?, region: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
    }

    /// Adds `host`, `x-amz-date`, `x-amz-content-sha256`, the session token and
    /// `Authorization` to `request`; every header already on it is signed too.
    /// `path` is the URI path exactly as sent (already percent-encoded), `query`
    /// the decoded query parameters.
    public func sign(_ request: inout HTTPRequest, host: String, path: String, query: [(String, String)], now: Int) {
        let stamp = Self.timestamp(now)
        let date = String(stamp.prefix(8))
        request.headers.append(HTTPHeader("x-amz-date", stamp))
        request.headers.append(HTTPHeader("x-amz-content-sha256", Hex.lowercase(SHA256.hash(request.body))))
        if let sessionToken { request.headers.append(HTTPHeader("x-amz-security-token", sessionToken)) }
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let (canonical, signedHeaders) = canonicalRequest(request, host: host, path: path, query: query)
        let toSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n" + Hex.lowercase(SHA256.hash(canonical))
        var key = SHA256.hmac(key: Array(("AWS4" + secretAccessKey).utf8), date)
        for part in [region, service, "aws4_request"] { key = SHA256.hmac(key: key, part) }
        let signature = Hex.lowercase(SHA256.hmac(key: key, toSign))
        request.headers.append(HTTPHeader(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
    }

    /// The canonical request and the signed header names (`host;range;x-amz-date`).
    func canonicalRequest(_ request: HTTPRequest, host: String, path: String, query: [(String, String)]) -> (String, String) {
        var headers = [(String, String)]([("host", host)])
        for header in request.headers where header.name.lowercased() != "user-agent" {
            headers.append((header.name.lowercased(), header.value.trimmingSpaces))
        }
        headers.sort { $0.0 < $1.0 }
        var encodedQuery: [(String, String)] = query.map { (AWSSignatureV4.encode($0.0), AWSSignatureV4.encode($0.1)) }
        encodedQuery.sort { (left: (String, String), right: (String, String)) -> Bool in
            left.0 == right.0 ? left.1 < right.1 : left.0 < right.0
        }
        let canonicalQuery = encodedQuery.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        let signedHeaders = headers.map(\.0).joined(separator: ";")
        let headerLines = headers.map { "\($0.0):\($0.1)\n" }.joined()
        let payloadHash = Hex.lowercase(SHA256.hash(request.body))
        let canonical: String = [request.method.uppercased(), path, canonicalQuery, headerLines, signedHeaders, payloadHash]
            .joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// `20130524T000000Z`.
    static func timestamp(_ millis: Int) -> String { UTCFormat.format(millis, "%Y%m%dT%H%M%SZ") }

    /// RFC 3986 percent-encoding of everything but the unreserved characters;
    /// `/` too unless `keepSlash` (object names in a path).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                result += "/"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}

/// Azure Storage's Shared Key authorization for the Blob service (version
/// 2015-02-21 and later), as the "Authorize with Shared Key" page defines the
/// string to sign: the verb, eleven standard headers (an empty line for each
/// one not sent; Content-Length empty when zero), the `x-ms-` headers in order,
/// and the resource (`/account/path` and the query parameters in order).
public struct AzureSharedKey: Sendable {
    public var account: String
    /// The account key, base64-decoded.
    public var key: [UInt8]

    public init(account: String, key: [UInt8]) {
        self.account = account
        self.key = key
    }

    /// Adds `x-ms-date` and `Authorization` (the caller has set `x-ms-version`).
    public func sign(_ request: inout HTTPRequest, path: String, query: [(String, String)], now: Int) {
        request.headers.append(HTTPHeader("x-ms-date", UTCFormat.format(now, "%a, %d %b %Y %H:%M:%S GMT")))
        let signature = Base64.encode(SHA256.hmac(key: key, stringToSign(request, path: path, query: query)))
        request.headers.append(HTTPHeader("Authorization", "SharedKey \(account):\(signature)"))
    }

    func stringToSign(_ request: HTTPRequest, path: String, query: [(String, String)]) -> String {
        func header(_ name: String) -> String {
            request.headers.first { $0.name.lowercased() == name.lowercased() }?.value ?? ""
        }
        let length = request.body.isEmpty ? "" : String(request.body.count)
        var lines = [request.method.uppercased(), header("Content-Encoding"), header("Content-Language"), length,
                     header("Content-MD5"), header("Content-Type"), header("Date"), header("If-Modified-Since"),
                     header("If-Match"), header("If-None-Match"), header("If-Unmodified-Since"), header("Range")]
        let msHeaders = request.headers.filter { $0.name.lowercased().hasPrefix("x-ms-") }
            .map { ($0.name.lowercased(), $0.value.trimmingSpaces) }.sorted { $0.0 < $1.0 }
        lines += msHeaders.map { "\($0.0):\($0.1)" }
        var resource = "/" + account + path
        let parameters = Dictionary(grouping: query, by: { $0.0.lowercased() })
        for name in parameters.keys.sorted() {
            resource += "\n" + name + ":" + parameters[name]!.map(\.1).sorted().joined(separator: ",")
        }
        lines.append(resource)
        return lines.joined(separator: "\n")
    }
}

/// UTC time stamps for request signing, in the formats the services want.
enum UTCFormat {
    static func format(_ millis: Int, _ pattern: String) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // strftime's %a and %b follow LC_TIME, which this program never sets: the C locale's English names.
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Unix milliseconds of `2026-12-03T10:10:26.000Z` (S3) or `Thu, 03 Dec 2026 10:10:29 GMT` (Azure).
    static func parse(_ text: String) -> Int? {
        var parts = tm()
        let fields = text.split(whereSeparator: { " -T:.,Z".contains($0) }).map(String.init)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        if fields.count >= 6, let year = Int32(fields[0]), let month = Int32(fields[1]), let day = Int32(fields[2]),
            let hour = Int32(fields[3]), let minute = Int32(fields[4]), let second = Int32(fields[5])
        {
            (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, month - 1, day)
            (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        } else if fields.count >= 7, let day = Int32(fields[1]), let month = months.firstIndex(of: fields[2]),
            let year = Int32(fields[3]), let hour = Int32(fields[4]), let minute = Int32(fields[5]), let second = Int32(fields[6])
        {
            (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, Int32(month), day)
            (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        } else {
            return nil
        }
        return Int(timegm(&parts)) * 1000
    }
}
