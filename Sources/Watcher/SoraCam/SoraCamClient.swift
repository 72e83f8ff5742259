/// The SORACOM API for SoraCam cameras: log in, export a still, list cameras,
/// read the export budget. Not thread-safe: one client per thread.
///
/// Login: `POST /auth`; the API key and token go with every later call and are
/// reused until 5 minutes before they expire (also across runs through a
/// `SoraCamTokenStore`). A 401 on a token that was not fresh from this call's
/// own login triggers one new login and one repeat.
///
/// Retries: 429 (after `Retry-After`), 5xx and network failures, at most
/// `maxAttempts` tries within the caller's deadline; the export POST is the
/// exception and retries only a 429 (see `exportStill`).
public final class SoraCamClient {
    /// Scheme and host, without `/v1`: `https://api.soracom.io`.
    public let endpoint: String
    public let options: SoraCamClientOptions
    let credentials: SoraCamCredentials
    let transport: any HTTPTransport
    let clock: any SoraCamClock
    let tokenStore: (any SoraCamTokenStore)?
    private var token: SoraCamToken?
    private var storeLoaded = false
    /// Set when the token store could not be written: the client works on, but
    /// the next run will log in again. For the caller to report.
    public private(set) var tokenStoreWarning: WatcherError?

    /// - Parameters:
    ///   - endpoint: `https://api.soracom.io` (Japan coverage), `https://g.api.soracom.io`
    ///     (global) or a test server; a trailing `/v1` is accepted and dropped.
    public init(
        endpoint: String, credentials: SoraCamCredentials, transport: any HTTPTransport,
        clock: any SoraCamClock = SystemSoraCamClock(), tokenStore: (any SoraCamTokenStore)? = nil,
        options: SoraCamClientOptions = SoraCamClientOptions()
    ) throws(WatcherError) {
        self.endpoint = try Self.normalized(endpoint: endpoint)
        guard (1...172_800).contains(options.tokenTimeoutSeconds) else {
            throw WatcherError(.usage, "tokenTimeoutSeconds must be 1...172800, not \(options.tokenTimeoutSeconds)")
        }
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.tokenStore = tokenStore
        self.options = options
    }

    /// The API endpoint of a coverage type: `jp` (Japan) or `g` (global).
    public static func endpoint(coverage: String) -> String? {
        switch coverage {
        case "jp": return "https://api.soracom.io"
        case "g": return "https://g.api.soracom.io"
        default: return nil
        }
    }

    static func normalized(endpoint: String) throws(WatcherError) -> String {
        var text = endpoint
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        // Only scheme, host and port: anything else would be a path or a secret.
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), redactedURL(text) == text,
            !text.hasSuffix("://")
        else { throw WatcherError(.usage, "the SORACOM endpoint must be scheme and host, like https://api.soracom.io") }
        return text
    }

    // MARK: Calls

    enum RetryPolicy {
        /// 429, 5xx, network failures and timeouts: safe to repeat.
        case idempotent
        /// Only a 429, which the server refused before doing anything.
        case onlyRefused
    }

    /// An authenticated API call: logs in if needed, retries per `policy`, logs in
    /// again once on a 401 with an older token. Answers the parsed JSON body.
    func call(
        _ method: String, _ path: String, body: JSONValue? = nil, operation: String, deadline: Double,
        policy: RetryPolicy = .idempotent
    ) throws(WatcherError) -> JSONValue {
        var loggedInAgain = false
        while true {
            let (session, fresh) = try currentToken(deadline: deadline)
            var headers = [HTTPHeader("X-Soracom-API-Key", session.apiKey), HTTPHeader("X-Soracom-Token", session.token)]
            if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
            let request = HTTPRequest(
                method: method, url: endpoint + "/v1" + path, headers: headers,
                body: body.map { Array($0.rendered.utf8) } ?? [])
            let response = try send(request, operation: operation, deadline: deadline, policy: policy)
            if response.status == 401, !fresh, !loggedInAgain {
                // Revoked, or expired early: the request was refused, so repeating it is safe.
                forgetToken()
                loggedInAgain = true
                continue
            }
            guard response.isSuccess else { throw SoraCamAPIError.error(response, operation: operation) }
            if response.body.isEmpty { return .null }
            do {
                return try JSONValue.parse(response.body)
            } catch {
                throw WatcherError(.soracam, "\(operation): SORACOM API answered text that is not JSON (\(error.message))")
            }
        }
    }

    /// Sends `request` with the timeouts cut to the deadline, and retries per
    /// `policy`. Answers the last response, whatever its status.
    func send(_ request: HTTPRequest, operation: String, deadline: Double, policy: RetryPolicy) throws(WatcherError)
        -> HTTPResponse
    {
        var attempt = 1
        var delay = options.retryDelay
        while true {
            let remaining = deadline - clock.now()
            guard remaining > 0.01 else { throw WatcherError(.timeout, "\(operation): the deadline passed") }
            var timed = request
            timed.timeout = min(options.requestTimeout, remaining)
            timed.connectTimeout = min(options.connectTimeout, timed.timeout)
            let outcome: Result<HTTPResponse, WatcherError>
            do { outcome = .success(try transport.send(timed)) } catch { outcome = .failure(error) }

            var wait: Double?
            switch outcome {
            case .success(let response) where response.status == 429:
                wait = Self.retryAfter(response) ?? delay
                if wait! > options.maxRetryAfter { wait = nil }
            case .success(let response) where response.status >= 500 && policy == .idempotent:
                wait = delay
            case .failure(let error) where (error.kind == .network || error.kind == .timeout) && policy == .idempotent:
                wait = delay
            default:
                wait = nil
            }
            guard let wait, attempt < options.maxAttempts, clock.now() + wait < deadline else {
                switch outcome {
                case .success(let response): return response
                case .failure(let error):
                    throw WatcherError(error.kind, "\(operation): \(error.message)", status: error.status, cause: error.cause)
                }
            }
            clock.sleep(seconds: wait)
            attempt += 1
            delay *= 2
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is not used by the API).
    static func retryAfter(_ response: HTTPResponse) -> Double? {
        guard let text = response.header("Retry-After"), let seconds = Double(text), seconds >= 0 else { return nil }
        return seconds
    }

    // MARK: Token

    /// A usable token, and whether it comes from a login made just now.
    private func currentToken(deadline: Double) throws(WatcherError) -> (SoraCamToken, fresh: Bool) {
        if !storeLoaded {
            storeLoaded = true
            if token == nil, let stored = tokenStore?.load(), stored.endpoint == endpoint,
                stored.identity == credentials.identity
            {
                token = stored
            }
        }
        if let token, token.expiresAt - options.renewBeforeExpirySeconds > clock.now() { return (token, false) }
        return (try logIn(deadline: deadline), true)
    }

    private func forgetToken() {
        token = nil
        tokenStore?.remove()
    }

    /// `POST /auth`. A 401/403 is final: the credentials are wrong or disabled.
    private func logIn(deadline: Double) throws(WatcherError) -> SoraCamToken {
        let operation = "SORACOM login"
        let body = credentials.authRequest(tokenTimeoutSeconds: options.tokenTimeoutSeconds)
        let request = HTTPRequest(
            method: "POST", url: endpoint + "/v1/auth", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(body.rendered.utf8))
        let loginTime = clock.now()
        let response = try send(request, operation: operation, deadline: deadline, policy: .idempotent)
        if response.status == 401 || response.status == 403 {
            var text = "SORACOM rejected the \(credentials.kindDescription) (HTTP \(response.status)"
            if let details = SoraCamAPIError.details(response.body) { text += ", \(details)" }
            throw WatcherError(.soracam, text + "): check them, and that they are still enabled",
                               status: response.status, cause: .keyRejected)
        }
        guard response.isSuccess else { throw SoraCamAPIError.error(response, operation: operation) }
        guard let json = try? JSONValue.parse(response.body), let apiKey = json["apiKey"]?.stringValue,
            let tokenText = json["token"]?.stringValue
        else { throw WatcherError(.soracam, "\(operation): the answer has no apiKey and token") }
        let token = SoraCamToken(
            apiKey: apiKey, token: tokenText, expiresAt: loginTime + Double(options.tokenTimeoutSeconds),
            endpoint: endpoint, identity: credentials.identity)
        self.token = token
        do {
            try tokenStore?.save(token)
            tokenStoreWarning = nil
        } catch {
            tokenStoreWarning = error
        }
        return token
    }
}
