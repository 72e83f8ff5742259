/// How the client logs in with `POST /auth` (OpenAPI `AuthRequest`).
public enum SoraCamCredentials: Sendable {
    /// An AuthKey: `authKeyId` + `authKey` (the recommended way for programs).
    case authKey(id: String, secret: String)
    /// A SAM user: `operatorId` + `userName` + `password`.
    case samUser(operatorId: String, userName: String, password: String)

    /// Names the account without its secret: keys a stored token to the
    /// credentials it came from, and appears in messages.
    public var identity: String {
        switch self {
        case .authKey(let id, _): return "authKeyId \(id)"
        case .samUser(let operatorId, let userName, _): return "SAM user \(operatorId)/\(userName)"
        }
    }

    /// What kind of credentials these are, for messages (no identifiers, no secrets).
    var kindDescription: String {
        switch self {
        case .authKey: return "auth key"
        case .samUser: return "SAM user's credentials"
        }
    }

    /// The `/auth` request body.
    func authRequest(tokenTimeoutSeconds: Int) -> JSONValue {
        switch self {
        case .authKey(let id, let secret):
            return ["authKeyId": .string(id), "authKey": .string(secret), "tokenTimeoutSeconds": .number(Double(tokenTimeoutSeconds))]
        case .samUser(let operatorId, let userName, let password):
            return [
                "operatorId": .string(operatorId), "userName": .string(userName), "password": .string(password),
                "tokenTimeoutSeconds": .number(Double(tokenTimeoutSeconds)),
            ]
        }
    }
}

/// An API key and token from `/auth`, with when the client stops using it.
/// The `/auth` answer carries no expiry, so it is the login time plus the
/// `tokenTimeoutSeconds` the client asked for.
public struct SoraCamToken: Sendable, Equatable {
    public var apiKey: String
    public var token: String
    /// Unix seconds.
    public var expiresAt: Double
    /// The API endpoint (`https://api.soracom.io`) and `SoraCamCredentials.identity`
    /// it was issued for: a stored token is reused only for the same pair.
    public var endpoint: String
    public var identity: String

    public init(apiKey: String, token: String, expiresAt: Double, endpoint: String, identity: String) {
        self.apiKey = apiKey
        self.token = token
        self.expiresAt = expiresAt
        self.endpoint = endpoint
        self.identity = identity
    }

    var json: JSONValue {
        [
            "endpoint": .string(endpoint), "identity": .string(identity), "apiKey": .string(apiKey),
            "token": .string(token), "expiresAt": .number(expiresAt.rounded(.down)),
        ]
    }

    init?(json: JSONValue) {
        guard let apiKey = json["apiKey"]?.stringValue, let token = json["token"]?.stringValue,
            let expiresAt = json["expiresAt"]?.doubleValue, let endpoint = json["endpoint"]?.stringValue,
            let identity = json["identity"]?.stringValue
        else { return nil }
        self.init(apiKey: apiKey, token: token, expiresAt: expiresAt, endpoint: endpoint, identity: identity)
    }
}
