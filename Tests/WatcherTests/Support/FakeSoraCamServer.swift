import Foundation
import Watcher

/// The SORACOM API paths the watcher uses, as `../shared/soracom/soracam-openapi-excerpt.yaml`
/// defines them, on a `FakeHTTPServer`, plus the presigned download host:
///
/// - `POST /v1/auth` checks the auth key (or SAM user) and issues `apiKey` + `token`
///   (valid `tokenTimeoutSeconds`, default 86400).
/// - Every other `/v1` call needs `X-Soracom-API-Key` + `X-Soracom-Token` of a live
///   token; 401 `{"code","message"}` otherwise.
/// - `POST …/devices/{id}/images/exports` answers `initializing`; each
///   `GET …/images/exports/{exportId}` steps through `statusSequence`
///   (default `processing`, `processing`, `completed`); `completed` carries a `url`
///   to `/downloads/<exportId>.jpg?X-Amz-Signature=…` on this server and an
///   `expiryTime` (10 minutes). A camera whose budget is spent ends in `limitExceeded`.
/// - `GET /downloads/…` serves `jpeg` (no SORACOM headers needed).
/// - `GET /v1/sora_cam/devices` and `GET …/devices/{id}/exports/usage`.
///
/// Faults are queued per operation with `inject(_:into:times:)`.
final class FakeSoraCamServer: @unchecked Sendable {
    enum Operation: Sendable, Hashable, CaseIterable {
        case auth, exportStart, exportStatus, download, devices, usage
    }

    enum Fault: Sendable {
        /// 401 `{"code","message"}` (on `.auth`: the credentials are wrong).
        case unauthorized
        /// 429 with `Retry-After` (seconds) when given.
        case tooManyRequests(retryAfter: Int?)
        /// 500 `{"code","message"}`.
        case serverError
        /// The normal answer, `seconds` late.
        case slow(seconds: Double)
        /// Download only: the headers announce the whole JPEG, then `bytes` of it
        /// arrive and the connection closes.
        case truncated(bytes: Int)
        /// Download only: the presigned URL has expired: 403 (as S3 answers), and
        /// the export's status becomes `expired`, or a fresh `url` when
        /// `freshURLAfterExpiry` is set.
        case urlExpired
    }

    static let deviceId = "7CDDDEADBEEF"
    static let otherDeviceId = "7CDDFEEDF00D"
    static let operatorId = "OP0012345678"

    let server: FakeHTTPServer
    /// Scheme and host for `SoraCamClient(endpoint:)`.
    var endpoint: String { server.baseURL }
    let authKeyId: String
    let authKey: String
    let samUser = (operatorId: FakeSoraCamServer.operatorId, userName: "watcher", password: "p@ss word")

    private let lock = NSLock()
    private var state = State()

    private struct State {
        var jpeg: [UInt8] = []
        var statusSequence = ["processing", "processing", "completed"]
        var freshURLAfterExpiry = false
        var redirectDownloads = false
        var limitFrames = 259_200
        var usedFrames = 69
        var faults: [Operation: [Fault]] = [:]
        var tokens: [String: (token: String, expires: Date)] = [:]
        var exports: [String: Export] = [:]
        var nextId = 1
    }

    private struct Export {
        var id: String
        var time: Int
        var requestedTime: Int
        var polls = 0
        var status = "initializing"
        var signature: String?
        var expiryTime: Int?
        var finalStatus: String?
    }

    init(jpeg: [UInt8], authKeyId: String = "keyId-test0123456789", authKey: String = "secret-abcdefghij0123456789") throws {
        self.authKeyId = authKeyId
        self.authKey = authKey
        let box = RouteBox()
        server = try FakeHTTPServer { request in box.handler?(request) ?? FakeResponse(status: 503) }
        state.jpeg = jpeg
        box.handler = { [weak self] request in self?.handle(request) ?? FakeResponse(status: 503) }
    }

    func stop() { server.stop() }

    // MARK: Switches

    /// Queues `fault` for the next `times` requests of `operation`.
    func inject(_ fault: Fault, into operation: Operation, times: Int = 1) {
        lock.withLock { state.faults[operation, default: []] += Array(repeating: fault, count: times) }
    }

    /// The statuses successive polls of a new export answer; the last one repeats.
    var statusSequence: [String] {
        get { lock.withLock { state.statusSequence } }
        set { lock.withLock { state.statusSequence = newValue } }
    }

    /// After a `urlExpired` fault, polls answer `completed` with a new working URL.
    var freshURLAfterExpiry: Bool {
        get { lock.withLock { state.freshURLAfterExpiry } }
        set { lock.withLock { state.freshURLAfterExpiry = newValue } }
    }

    /// The export URL answers 302 to the real file (the client must follow it).
    var redirectDownloads: Bool {
        get { lock.withLock { state.redirectDownloads } }
        set { lock.withLock { state.redirectDownloads = newValue } }
    }

    /// The still every later download serves (a test plays a scene by changing it).
    var jpeg: [UInt8] {
        get { lock.withLock { state.jpeg } }
        set { lock.withLock { state.jpeg = newValue } }
    }

    /// The monthly budget in frames; an export started with none left ends in `limitExceeded`.
    func setBudget(limitFrames: Int, usedFrames: Int) {
        lock.withLock {
            state.limitFrames = limitFrames
            state.usedFrames = usedFrames
        }
    }

    /// Every issued token stops working (as after `/auth/logout` or a server-side expiry).
    func revokeTokens() {
        lock.withLock { state.tokens.removeAll() }
    }

    // MARK: Inspection

    var requests: [RecordedRequest] { server.requests }

    func requests(_ operation: Operation) -> [RecordedRequest] {
        server.requests.filter { Self.operation(of: $0) == operation }
    }

    func count(_ operation: Operation) -> Int { requests(operation).count }

    /// Every presigned-URL signature handed out, for checks that no message leaks one.
    var issuedSignatures: [String] {
        lock.withLock { state.exports.values.compactMap(\.signature) }
    }

    static func operation(of request: RecordedRequest) -> Operation? {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.count) {
        case ("POST", 2) where parts == ["v1", "auth"]: return .auth
        case ("GET", 3) where parts == ["v1", "sora_cam", "devices"]: return .devices
        case ("GET", 2) where parts[0] == "downloads" || parts[0] == "files": return .download
        case ("POST", 6) where parts[5] == "exports" && parts[4] == "images": return .exportStart
        case ("GET", 7) where parts[4] == "images" && parts[5] == "exports": return .exportStatus
        case ("GET", 6) where parts[4] == "exports" && parts[5] == "usage": return .usage
        default: return nil
        }
    }

    // MARK: Handling

    private func handle(_ request: RecordedRequest) -> FakeResponse {
        guard let operation = Self.operation(of: request) else {
            return error(404, "NOT_FOUND", "No such path")
        }
        var response: FakeResponse
        switch nextFault(operation) {
        case .unauthorized?:
            return operation == .auth
                ? error(401, "AUTH_FAILED", "Invalid credentials") : error(401, "UNAUTHORIZED", "Invalid API key or token")
        case .tooManyRequests(let retryAfter)?:
            response = error(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")
            if let retryAfter { response.headers.append(HTTPHeader("Retry-After", String(retryAfter))) }
            return response
        case .serverError?:
            return error(500, "INTERNAL_ERROR", "Something went wrong")
        case .slow(let seconds)?:
            response = answer(request, operation)
            response.delay = seconds
        case .truncated(let bytes)?:
            response = answer(request, operation)
            if response.status == 200 { response.truncateBodyAfter = bytes }
        case .urlExpired?:
            response = expireDownload(request)
        case nil:
            response = answer(request, operation)
        }
        return response
    }

    private func nextFault(_ operation: Operation) -> Fault? {
        lock.withLock {
            guard var queue = state.faults[operation], !queue.isEmpty else { return nil }
            let fault = queue.removeFirst()
            state.faults[operation] = queue
            return fault
        }
    }

    private func answer(_ request: RecordedRequest, _ operation: Operation) -> FakeResponse {
        if operation == .auth { return logIn(request) }
        if operation == .download { return download(request) }
        guard isAuthorized(request) else { return error(401, "UNAUTHORIZED", "Invalid API key or token") }
        let parts = request.path.split(separator: "/").map(String.init)
        if operation == .devices { return .json(Self.devicesJSON) }
        let deviceId = parts[3]
        guard deviceId == Self.deviceId || deviceId == Self.otherDeviceId else {
            return error(404, "DEVICE_NOT_FOUND", "The specified SoraCam device could not be found")
        }
        switch operation {
        case .exportStart: return startExport(request, deviceId: deviceId)
        case .exportStatus: return pollExport(parts[6], deviceId: deviceId)
        case .usage: return usage(deviceId)
        default: return error(404, "NOT_FOUND", "No such path")
        }
    }

    private func logIn(_ request: RecordedRequest) -> FakeResponse {
        guard let body = request.json else { return error(400, "BAD_REQUEST", "Body is not JSON") }
        let byKey = body["authKeyId"]?.stringValue == authKeyId && body["authKey"]?.stringValue == authKey
        let bySAM = body["operatorId"]?.stringValue == samUser.operatorId && body["userName"]?.stringValue == samUser.userName
            && body["password"]?.stringValue == samUser.password
        guard byKey || bySAM else { return error(401, "AUTH_FAILED", "Invalid credentials") }
        var lifetime = 86_400
        if let requested = body["tokenTimeoutSeconds"] {
            guard let seconds = requested.intValue, (1...172_800).contains(seconds) else {
                return error(400, "BAD_REQUEST", "tokenTimeoutSeconds is out of range")
            }
            lifetime = seconds
        }
        let apiKey = "api-" + UUID().uuidString.lowercased()
        let token = "token-" + UUID().uuidString.lowercased()
        lock.withLock { state.tokens[apiKey] = (token, Date().addingTimeInterval(Double(lifetime))) }
        var answer: JSONValue = ["apiKey": .string(apiKey), "operatorId": .string(Self.operatorId), "token": .string(token)]
        if bySAM, case .object(var members) = answer {
            members.append(JSONMember("userName", .string(samUser.userName)))
            answer = .object(members)
        }
        return .json(answer)
    }

    private func isAuthorized(_ request: RecordedRequest) -> Bool {
        guard let apiKey = request.header("X-Soracom-API-Key"), let token = request.header("X-Soracom-Token") else {
            return false
        }
        return lock.withLock {
            guard let issued = state.tokens[apiKey] else { return false }
            return issued.token == token && issued.expires > Date()
        }
    }

    /// 2001-09-09 in milliseconds: every real recording is later, every time in seconds earlier.
    static let earliestRecordingTime = 1_000_000_000_000

    private func startExport(_ request: RecordedRequest, deviceId: String) -> FakeResponse {
        // Unix time in milliseconds (the OpenAPI text). A time in seconds reads as
        // January 1970, when nothing was recorded: the real API refuses it too.
        guard let time = request.json?["time"]?.intValue, time >= Self.earliestRecordingTime else {
            return error(400, "INVALID_TIME", "The value specified for `time` is invalid")
        }
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let export: Export = lock.withLock {
            var export = Export(id: "export-\(state.nextId)", time: time, requestedTime: now)
            state.nextId += 1
            if state.usedFrames >= state.limitFrames { export.finalStatus = "limitExceeded" }
            state.exports[export.id] = export
            return export
        }
        return .json(exportJSON(export, deviceId: deviceId))
    }

    private func pollExport(_ exportId: String, deviceId: String) -> FakeResponse {
        let export: Export? = lock.withLock {
            guard var export = state.exports[exportId] else { return nil }
            export.polls += 1
            if let final = export.finalStatus {
                export.status = final
            } else if export.status != "completed" && export.status != "expired" {
                export.status = state.statusSequence[min(export.polls, state.statusSequence.count) - 1]
                if export.status == "completed" {
                    // The budget is spent when the URL is handed out.
                    state.usedFrames += 1
                    export.signature = "sig\(UUID().uuidString.prefix(8))SECRET"
                    export.expiryTime = Int(Date().timeIntervalSince1970 * 1000) + 600_000
                }
            }
            state.exports[exportId] = export
            return export
        }
        guard let export else { return error(404, "EXPORT_NOT_FOUND", "The specified export could not be found") }
        return .json(exportJSON(export, deviceId: deviceId))
    }

    private func exportJSON(_ export: Export, deviceId: String) -> JSONValue {
        var members = [
            JSONMember("deviceId", .string(deviceId)), JSONMember("exportId", .string(export.id)),
            JSONMember("operatorId", .string(Self.operatorId)),
            JSONMember("requestedTime", .number(Double(export.requestedTime))),
            JSONMember("status", .string(export.status)),
        ]
        if export.status == "completed", let signature = export.signature, let expiry = export.expiryTime {
            members.append(JSONMember("expiryTime", .number(Double(expiry))))
            members.append(JSONMember("url", .string(downloadURL(export.id, signature: signature))))
        }
        return .object(members)
    }

    private func downloadURL(_ exportId: String, signature: String) -> String {
        "\(server.baseURL)/downloads/\(exportId).jpg?X-Amz-Expires=600&X-Amz-Signature=\(signature)"
    }

    /// Serves the JPEG to a request carrying the export's current signature.
    private func download(_ request: RecordedRequest) -> FakeResponse {
        let exportId = String(request.path.split(separator: "/")[1].dropLast(4))
        let signature = request.query?.split(separator: "&").first { $0.hasPrefix("X-Amz-Signature=") }
            .map { String($0.dropFirst("X-Amz-Signature=".count)) }
        let (export, jpeg, redirect) = lock.withLock { (state.exports[exportId], state.jpeg, state.redirectDownloads) }
        guard let export, export.status == "completed", let signature, signature == export.signature else {
            return Self.accessDenied
        }
        if redirect, request.path.hasPrefix("/downloads/") {
            return FakeResponse(status: 302, headers: [HTTPHeader("Location", "/files/\(exportId).jpg?\(request.query ?? "")")])
        }
        return FakeResponse(status: 200, headers: [HTTPHeader("Content-Type", "image/jpeg")], body: jpeg)
    }

    private func expireDownload(_ request: RecordedRequest) -> FakeResponse {
        let exportId = String(request.path.split(separator: "/").last?.dropLast(4) ?? "")
        lock.withLock {
            guard var export = state.exports[exportId] else { return }
            if state.freshURLAfterExpiry {
                export.signature = "sig\(UUID().uuidString.prefix(8))SECRET"
            } else {
                export.status = "expired"
                export.finalStatus = "expired"
            }
            state.exports[exportId] = export
        }
        return Self.accessDenied
    }

    private func usage(_ deviceId: String) -> FakeResponse {
        let (limit, used) = lock.withLock { (state.limitFrames, state.usedFrames) }
        let remaining = max(0, limit - used)
        return .json([
            "deviceId": .string(deviceId),
            "image": ["billedFrames": 0, "limitFrames": .number(Double(limit)), "remainingFrames": .number(Double(remaining)),
                      "usedFrames": .number(Double(used))],
            "meteredYearMonth": "202611",
            "video": ["billedSeconds": 0, "limitSeconds": .number(Double(limit)), "remainingSeconds": .number(Double(remaining)),
                      "usedSeconds": .number(Double(used))],
        ])
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(["code": .string(code), "message": .string(message)], status: status)
    }

    /// What S3 answers for an expired presigned URL.
    private static let accessDenied = FakeResponse(
        status: 403, headers: [HTTPHeader("Content-Type", "application/xml")],
        body: Array("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>".utf8))

    static let devicesJSON: JSONValue = [
        [
            "configuration": ["audioAlarmEnabled": false, "motionDetectionEnabled": true, "smokeAlarmEnabled": false],
            "connected": true, "deviceCategory": "Camera", "deviceId": .string(deviceId), "firmwareVersion": "4.58.0.97",
            "isShared": false, "lastConnectedTime": 1_664_512_183_393, "name": "Front door", "powerState": "on",
            "productDisplayName": "ATOM Cam 2",
        ],
        [
            "connected": false, "deviceCategory": "Camera", "deviceId": .string(otherDeviceId), "firmwareVersion": "4.37.1.55",
            "isShared": true, "name": "Garage", "powerState": "sleep", "productDisplayName": "ATOM Cam Swing",
        ],
    ]
}

/// Lets the route reach the server object created after it.
private final class RouteBox: @unchecked Sendable {
    var handler: (@Sendable (RecordedRequest) -> FakeResponse)?
}
