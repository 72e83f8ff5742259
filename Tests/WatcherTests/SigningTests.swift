import Testing
@testable import Watcher

/// The hashes and signatures object storage requests carry, against published
/// vectors (NIST, RFC 4231, AWS's own S3 example) and, for Azure's Shared Key,
/// against Python's hmac/hashlib on the string the documentation defines.
@Suite struct SigningTests {
    @Test func sha256MatchesNISTVectors() {
        #expect(Hex.lowercase(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.lowercase(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.lowercase(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Two blocks of padding and a length past 2^16 bits.
        #expect(Hex.lowercase(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hmacMatchesRFC4231() {
        // Test case 2: a short key; test case 6: a key longer than the block (hashed first).
        #expect(Hex.lowercase(SHA256.hmac(key: Array("Jefe".utf8), "what do ya want for nothing?"))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Hex.lowercase(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131),
                                          "Test Using Larger Than Block-Size Key - Hash Key First"))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// AWS's "Example: GET Object" in the Signature Version 4 documentation for S3.
    @Test func awsSignatureV4MatchesAWSsGetObjectExample() {
        let signer = AWSSignatureV4(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: nil,
                                    region: "us-east-1")
        var request = HTTPRequest(method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
                                  headers: [HTTPHeader("Range", "bytes=0-9")])
        signer.sign(&request, host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [], now: 1_369_353_600_000)
        #expect(request.headers.first { $0.name == "Authorization" }?.value
            == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(request.headers.contains(HTTPHeader("x-amz-date", "20130524T000000Z")))
        #expect(!request.headers.contains { $0.name == "x-amz-security-token" })
    }

    @Test func sessionTokenIsSentAndSigned() {
        let signer = AWSSignatureV4(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token/+=", region: "eu-west-1")
        var request = HTTPRequest(method: "PUT", url: "http://127.0.0.1:9000/bucket/key", body: Array("{}".utf8))
        signer.sign(&request, host: "127.0.0.1:9000", path: "/bucket/key", query: [], now: 1_369_353_600_000)
        #expect(request.headers.contains(HTTPHeader("x-amz-security-token", "token/+=")))
        let authorization = request.headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(authorization.contains("/20130524/eu-west-1/s3/aws4_request"))
    }

    /// The string to sign as "Authorize with Shared Key" lays it out; the
    /// signatures were computed with Python's hmac and hashlib over that string.
    @Test func azureSharedKeySignsTheDocumentedString() {
        let key = AzureSharedKey(account: "myaccount", key: Base64.decode("c2VjcmV0LWtleS1mb3ItdGVzdHM=")!)
        let now = 1_796_292_000_000  // Thu, 03 Dec 2026 10:00:00 GMT
        var put = HTTPRequest(method: "PUT", url: "https://myaccount.blob.core.windows.net/mycontainer/state/camera.json",
                              headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("x-ms-blob-type", "BlockBlob"),
                                        HTTPHeader("If-Match", "\"0x8D\""), HTTPHeader("x-ms-version", "2021-08-06")],
                              body: Array("{}\n".utf8))
        key.sign(&put, path: "/mycontainer/state/camera.json", query: [], now: now)
        #expect(key.stringToSign(put, path: "/mycontainer/state/camera.json", query: [])
            == "PUT\n\n\n3\n\napplication/json\n\n\n\"0x8D\"\n\n\n\nx-ms-blob-type:BlockBlob\n"
            + "x-ms-date:Thu, 03 Dec 2026 10:00:00 GMT\nx-ms-version:2021-08-06\n/myaccount/mycontainer/state/camera.json")
        #expect(put.headers.first { $0.name == "Authorization" }?.value
            == "SharedKey myaccount:0DhUUAWkupiotRQIoS2dxfPjNZXenJabVZ8D9S4yHXc=")

        var list = HTTPRequest(method: "GET", url: "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list&prefix=state/",
                               headers: [HTTPHeader("x-ms-version", "2021-08-06")])
        key.sign(&list, path: "/mycontainer", query: [("restype", "container"), ("comp", "list"), ("prefix", "state/")], now: now)
        #expect(list.headers.first { $0.name == "Authorization" }?.value
            == "SharedKey myaccount:qGCWtvWGxbCuDefI5IuBzQxsxqYBaBB5IjqZYXxNWU8=")
    }

    @Test func locationsParseAndBadOnesAreUsageErrors() throws {
        #expect(try StorageLocation(parsing: "/var/lib/watcher") == .folder("/var/lib/watcher"))
        #expect(try StorageLocation(parsing: "s3://my-bucket/front/door") == .s3(bucket: "my-bucket", prefix: "front/door/"))
        #expect(try StorageLocation(parsing: "s3://my-bucket") == .s3(bucket: "my-bucket", prefix: ""))
        #expect(try StorageLocation(parsing: "azblob://acct1/watcher/front")
            == .azureBlob(account: "acct1", container: "watcher", prefix: "front/"))
        for bad in ["s3://", "s3://UPPER/x", "azblob://acct1", "azblob://Bad_Account/c/x", "gs://bucket/x"] {
            #expect(throws: WatcherError.self) { try StorageLocation(parsing: bad) }
        }
        #expect(UTCFormat.parse("2026-12-03T10:00:00.000Z") == 1_796_292_000_000)
        #expect(UTCFormat.parse("Thu, 03 Dec 2026 10:00:00 GMT") == 1_796_292_000_000)
    }

    @Test func caStoreIsTheHostsThenTheBundles() {
        let none: (String) -> String? = { _ in nil }
        #expect(CABundle.choose(environment: none, exists: { $0 == "/etc/ssl/certs/ca-certificates.crt" }) == nil)
        #expect(CABundle.choose(environment: none, exists: { $0 == "/etc/pki/tls/certs/ca-bundle.crt" })
            == "/etc/pki/tls/certs/ca-bundle.crt")
        let bundle: (String) -> String? = { $0 == "WATCHER_BUNDLE_DIR" ? "/var/task" : nil }
        #expect(CABundle.choose(environment: bundle, exists: { $0 == "/var/task/certs/ca-certificates.crt" })
            == "/var/task/certs/ca-certificates.crt")
        #expect(CABundle.choose(environment: { $0 == "WATCHER_CA_BUNDLE" ? "/mine.pem" : nil }, exists: { _ in true }) == "/mine.pem")
    }
}
