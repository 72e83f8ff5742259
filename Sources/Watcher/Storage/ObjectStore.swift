/// A bucket (S3) or container (Azure Blob) under a prefix, seen as named
/// objects: what the state, history and archive need from object storage.
/// Names are relative to the prefix. Writes can be conditional, which is what
/// replaces the local lock: a write based on an old read fails with a conflict.
public protocol ObjectStore: Sendable {
    /// `s3://bucket/prefix/` or `azblob://account/container/prefix/`, for messages.
    var description: String { get }
    /// The object and its ETag, or nil when there is none.
    func get(_ name: String) throws(WatcherError) -> StoredObject?
    /// Writes the object if `condition` holds and returns its new ETag; a
    /// condition that does not hold throws `WatcherError.conflict`.
    func put(_ name: String, _ bytes: [UInt8], contentType: String, condition: WriteCondition) throws(WatcherError) -> String
    /// Removes the object (no error when it is already gone).
    func delete(_ name: String) throws(WatcherError)
    /// The objects whose names start with `prefix`, in name order.
    func list(prefix: String) throws(WatcherError) -> [ObjectListing]
}

public struct StoredObject: Sendable {
    public var bytes: [UInt8]
    public var etag: String
}

/// When a write may happen: always, only if nothing is there (`If-None-Match: *`),
/// or only if what is there is still the version read (`If-Match: <etag>`).
public enum WriteCondition: Sendable, Equatable {
    case always
    case absent
    case matches(String)
}

public struct ObjectListing: Sendable, Equatable {
    public var name: String
    /// Unix ms, from the listing's Last-Modified.
    public var lastModified: Int?
}

extension WatcherError {
    /// A conditional write found the object changed since it was read (HTTP 412):
    /// read it again and decide again.
    public static func conflict(_ message: String) -> WatcherError { WatcherError(.state, message, status: 412) }

    public var isConflict: Bool { kind == .state && status == 412 }
}

/// Where `--state-dir` or `--archive-dir` points: a folder, or object storage.
public enum StorageLocation: Sendable, Equatable {
    case folder(String)
    /// `s3://bucket/prefix`.
    case s3(bucket: String, prefix: String)
    /// `azblob://account/container/prefix`.
    case azureBlob(account: String, container: String, prefix: String)

    /// Reads a folder path or an `s3://` or `azblob://` URL; `.usage` for a URL
    /// that names no bucket or container, or another scheme.
    public init(parsing text: String) throws(WatcherError) {
        guard let separator = text.firstRange(of: "://") else {
            self = .folder(text)
            return
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        let parts = text[separator.upperBound...].split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func prefix(after count: Int) -> String {
            let rest = parts.dropFirst(count).joined(separator: "/")
            return rest.isEmpty ? "" : rest + "/"
        }
        switch scheme {
        case "s3":
            guard let bucket = parts.first, Self.isBucketName(bucket) else {
                throw WatcherError(.usage, "'\(text)': give s3://BUCKET/PREFIX with a bucket name (3-63 lower-case letters, digits, '-', '.')")
            }
            self = .s3(bucket: bucket, prefix: prefix(after: 1))
        case "azblob":
            guard parts.count >= 2, parts[0].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }),
                (3...24).contains(parts[0].count), Self.isBucketName(parts[1])
            else {
                throw WatcherError(.usage, "'\(text)': give azblob://ACCOUNT/CONTAINER/PREFIX (an account of 3-24 lower-case letters and digits, "
                    + "a container of 3-63 lower-case letters, digits and '-')")
            }
            self = .azureBlob(account: parts[0], container: parts[1], prefix: prefix(after: 2))
        default:
            throw WatcherError(.usage, "'\(text)': a state or archive location is a folder, s3://BUCKET/PREFIX or azblob://ACCOUNT/CONTAINER/PREFIX")
        }
    }

    static func isBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    /// The object store for a URL location, with credentials and endpoint from
    /// the environment (nil for a folder); `.usage` when credentials are missing.
    public func objectStore(transport: HTTPTransport) throws(WatcherError) -> ObjectStore? {
        switch self {
        case .folder: return nil
        case .s3(let bucket, let prefix):
            return try S3ObjectStore(bucket: bucket, prefix: prefix, transport: transport, environment: Environment.value)
        case .azureBlob(let account, let container, let prefix):
            return try AzureBlobObjectStore(account: account, container: container, prefix: prefix, transport: transport,
                                            environment: Environment.value)
        }
    }
}
