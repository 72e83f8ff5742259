/// Every failure the watcher reports: one kind a program can branch on, and one
/// line a person can act on. Messages never contain secrets (auth keys, tokens,
/// webhook URLs' paths).
public struct WatcherError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A bad option or configuration value.
        case usage
        /// DNS, connect, TLS or a broken transfer.
        case network
        /// A connect, transfer or overall deadline passed.
        case timeout
        /// An HTTP status the caller cannot use (after any retries).
        case http
        /// The SoraCam API refused or failed (401, `limitExceeded`, `failed`, `expired`…).
        case soracam
        /// The image is not a usable JPEG (truncated, not a JPEG, crop outside it).
        case image
        /// The model cannot be loaded or run, or its labels do not fit.
        case model
        /// The state directory cannot be read or written.
        case state
        /// A notifier could not deliver its message.
        case notify
        /// Any other file-system failure.
        case io
    }

    public var kind: Kind
    public var message: String
    /// The HTTP status, for `.http` and `.soracam` failures that had one.
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
