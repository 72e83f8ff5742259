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
        /// SIGINT or SIGTERM stopped it (see `Interruption`).
        case interrupted
        /// Another process held the camera's lock for longer than the lock timeout.
        case locked
    }

    public var kind: Kind
    public var message: String
    /// The HTTP status, for `.http` and `.soracam` failures that had one.
    public var status: Int?
    /// What a person would call the problem, where the code that failed knows it
    /// better than `kind` says (a rejected key, a spent budget); see `FailureCause`.
    public var cause: FailureCause?

    public init(_ kind: Kind, _ message: String, status: Int? = nil, cause: FailureCause? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.cause = cause
    }

    public var description: String { message }
}
