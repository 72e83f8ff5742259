/// `watcher review`: a local web page to sort the archive's crops, see each
/// camera's recent history, retrain the model's last layer and install the result.
///
/// What it trusts: nothing in a request. On loopback only this machine can connect,
/// and the Host header must name the loopback address (so a web page elsewhere cannot
/// reach it through DNS rebinding); on any other address a password is required
/// (HTTP Basic). GET requests change nothing. Every request that changes something is
/// a POST with a JSON body of at most `bodyLimit` bytes, the page's token in
/// `X-Watcher-Token` (a random value made at start, which a page from another origin
/// cannot read), and no foreign `Origin`. Folder and file names in a request are used
/// only if the archive lists them: they never become paths by themselves.
public final class ReviewServer {
    public struct Configuration: Sendable {
        public var training: HeadTraining.Settings
        /// Where "Use this model" installs: the model file and its labels (nil: it cannot).
        public var modelPath: String?
        public var labelsPath: String?
        public var stateFolder: String?
        public var alertLabel: String
        public var threshold: Double
        public var clearBelow: Double
        /// Required unless the listener is on loopback.
        public var password: String?
        public var bodyLimit: Int
        public var cropsPerPage: Int

        public init(training: HeadTraining.Settings, modelPath: String?, labelsPath: String?, stateFolder: String?,
                    alertLabel: String = "open", threshold: Double = 0.7, clearBelow: Double = 0.3, password: String? = nil,
                    bodyLimit: Int = 4096, cropsPerPage: Int = 240) {
            self.training = training
            self.modelPath = modelPath
            self.labelsPath = labelsPath
            self.stateFolder = stateFolder
            self.alertLabel = alertLabel
            self.threshold = threshold
            self.clearBelow = clearBelow
            self.password = password
            self.bodyLimit = bodyLimit
            self.cropsPerPage = cropsPerPage
        }
    }

    public private(set) var configuration: Configuration
    public let listener: HTTPListener
    /// Proves that a changing request comes from the page this server served.
    public let token: String
    /// Lets the page's own inline script and style run, and nothing else (CSP).
    let nonce: String
    /// The last Learn's result, until it is installed or replaced.
    var candidate: LearnOutcome?
    var archive: ArchiveFolder { ArchiveFolder(path: configuration.training.archive) }
    /// One line per request that changed something, and per refused request.
    public var log: (String) -> Void = { _ in }

    public init(configuration: Configuration, listener: HTTPListener) throws(WatcherError) {
        guard listener.isLoopback || !(configuration.password ?? "").isEmpty else {
            throw WatcherError(.usage, "--listen \(listener.host) is reachable from other machines: set a password in "
                + "WATCHER_REVIEW_PASSWORD (or listen on 127.0.0.1)")
        }
        self.configuration = configuration
        self.listener = listener
        token = Self.randomHex()
        nonce = Self.randomHex()
    }

    /// Answers requests one at a time until `shouldStop` says so (checked at least every second).
    public func serve(until shouldStop: () -> Bool) {
        while !shouldStop() {
            guard let connection = listener.accept(waiting: 1000) else { continue }
            let response: ServerResponse
            switch ServerRequest.read(from: connection, bodyLimit: configuration.bodyLimit) {
            case .failure(let refusal):
                log("refused a request: \(refusal.status) \(ServerResponse.reason(refusal.status))")
                response = refusal
            case .success(let request):
                response = handle(request)
            }
            connection.write(response.serialized())
            connection.finish()
        }
    }

    // MARK: Checks, then routes

    func handle(_ request: ServerRequest) -> ServerResponse {
        if let refusal = refusal(request) {
            log("refused \(request.method) /\(request.segments.joined(separator: "/")): \(refusal.status)")
            return refusal
        }
        switch (request.method, request.segments.first ?? "") {
        case ("GET", ""): return request.segments.isEmpty ? page() : .status(404)
        case ("GET", "api"): return getAPI(request)
        case ("GET", "crops"): return cropImage(request)
        case ("GET", "favicon.ico"): return ServerResponse(status: 204, contentType: "image/x-icon", body: [])
        case ("POST", "api"):
            switch request.segments.dropFirst().first {
            case "move"?: return move(request)
            case "learn"?: return learn()
            case "install"?: return install()
            default: return .status(404)
            }
        case ("GET", _), ("POST", _): return .status(404)
        default: return .status(405)
        }
    }

    /// Host, password, and for changes: token, media type and origin.
    func refusal(_ request: ServerRequest) -> ServerResponse? {
        guard let host = request.header("host") else { return .status(400, "no Host header") }
        if listener.isLoopback {
            let port = ":\(listener.port)"
            let allowed = ["127.0.0.1" + port, "localhost" + port, "[::1]" + port, listener.host + port]
            guard allowed.contains(host.lowercased()) else { return .status(403, "this page answers only to \(allowed[0])") }
        }
        if let password = configuration.password, !password.isEmpty {
            guard let given = BasicAuthorization.password(request.header("authorization")),
                  Self.constantTimeEqual(given, password) else {
                var response = ServerResponse.status(401, "password required")
                response.extraHeaders = [("WWW-Authenticate", "Basic realm=\"watcher review\", charset=\"UTF-8\"")]
                return response
            }
        }
        guard request.method == "POST" else { return nil }
        guard let given = request.header("x-watcher-token"), Self.constantTimeEqual(given, token) else {
            return .status(403, "missing or wrong token: reload the page")
        }
        guard (request.header("content-type") ?? "").lowercased().hasPrefix("application/json") else {
            return .status(415, "send JSON")
        }
        if let origin = request.header("origin"), origin != "http://" + host {
            return .status(403, "request from another origin")
        }
        return nil
    }

    // MARK: Reading

    func page() -> ServerResponse {
        var response = ServerResponse(status: 200, contentType: "text/html; charset=utf-8",
                                      body: Array(ReviewPage.html(token: token, nonce: nonce).utf8))
        response.extraHeaders = [("Content-Security-Policy",
                                  "default-src 'none'; img-src 'self'; connect-src 'self'; script-src 'nonce-\(nonce)'; "
                                  + "style-src 'nonce-\(nonce)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")]
        return response
    }

    func getAPI(_ request: ServerRequest) -> ServerResponse {
        switch request.segments.dropFirst().first {
        case "overview"?: return .json(overview(now: WallTime.nowMillis()))
        case "crops"?:
            guard let folder = request.query["folder"], folderNames().contains(folder) else { return .status(404, "no such folder") }
            let offset = Int(request.query["offset"] ?? "0") ?? 0
            return .json(cropPage(folder, offset: max(0, offset)))
        default: return .status(404)
        }
    }

    /// Every folder the page shows: `unsure` (if present) and the label folders.
    func folderNames() -> [String] {
        let labels = archive.labelFolders()
        return FileSystem.isDirectory(FileSystem.join(archive.path, ArchiveFolder.unsure)) ? [ArchiveFolder.unsure] + labels : labels
    }

    /// Where a crop may go: the model's labels and the archive's label folders.
    func targetLabels() -> [String] {
        var labels = configuration.training.labels
        for folder in archive.labelFolders() where !labels.contains(folder) { labels.append(folder) }
        return labels
    }

    func overview(now: Int) -> JSONValue {
        .object([
            JSONMember("archive", .string(archive.path)),
            JSONMember("model", .string(configuration.training.model.name)),
            JSONMember("modelLabels", .array(configuration.training.labels.map { .string($0) })),
            JSONMember("targets", .array(targetLabels().map { .string($0) })),
            JSONMember("alertLabel", .string(configuration.alertLabel)),
            JSONMember("threshold", .number(configuration.threshold)),
            JSONMember("clearBelow", .number(configuration.clearBelow)),
            JSONMember("canInstall", .bool(configuration.modelPath != nil)),
            JSONMember("now", .number(Double(now))),
            JSONMember("timeline", CameraOverview.json(stateFolder: configuration.stateFolder, archive: archive,
                                                      labels: configuration.training.labels, alertLabel: configuration.alertLabel,
                                                      now: now, days: 7)),
            JSONMember("folders", .array(folderNames().map { cropPage($0, offset: 0) })),
            JSONMember("candidate", candidate.map { $0.json } ?? .null),
        ])
    }

    func cropPage(_ folder: String, offset: Int) -> JSONValue {
        let crops = archive.crops(in: folder)
        let page = crops.dropFirst(offset).prefix(configuration.cropsPerPage)
        return .object([
            JSONMember("name", .string(folder)),
            JSONMember("total", .number(Double(crops.count))),
            JSONMember("offset", .number(Double(offset))),
            JSONMember("crops", .array(page.map { crop in
                .object([
                    JSONMember("name", .string(crop.name)),
                    JSONMember("time", .number(Double(crop.time))),
                    JSONMember("camera", crop.camera.map { .string($0) } ?? .null),
                    JSONMember("probability", crop.probability.map { .number($0) } ?? .null),
                ])
            })),
        ])
    }

    /// `/crops/<folder>/<name>`: only a crop the archive lists.
    func cropImage(_ request: ServerRequest) -> ServerResponse {
        guard request.segments.count == 3, let crop = listedCrop(folder: request.segments[1], name: request.segments[2]) else {
            return .status(404, "no such crop")
        }
        guard let bytes = try? FileSystem.read(archive.filePath(crop), limit: 16 << 20) else { return .status(404, "no such crop") }
        return ServerResponse(status: 200, contentType: "image/jpeg", body: bytes)
    }

    func listedCrop(folder: String, name: String) -> ArchiveFolder.Crop? {
        guard folderNames().contains(folder), ArchiveFolder.isCropName(name) else { return nil }
        return archive.crops(in: folder).first { $0.name == name }
    }

    // MARK: Changing

    func move(_ request: ServerRequest) -> ServerResponse {
        guard let body = try? JSONValue.parse(request.body), let folder = body["folder"]?.stringValue,
              let name = body["name"]?.stringValue, let target = body["to"]?.stringValue else {
            return .status(400, "expected {\"folder\", \"name\", \"to\"}")
        }
        guard let crop = listedCrop(folder: folder, name: name) else { return .status(404, "no such crop") }
        guard targetLabels().contains(target), target != folder else { return .status(422, "'\(target)' is not a label to move to") }
        do { try archive.move(crop, to: target) } catch {
            return .status(error.kind == .usage ? 409 : 500, error.message)
        }
        log("moved \(crop.relativePath) to \(target)/")
        return .json(.object([JSONMember("moved", .string(crop.relativePath)), JSONMember("to", .string(target + "/" + crop.name))]))
    }

    func learn() -> ServerResponse {
        let outcome: LearnOutcome
        do { outcome = try HeadTraining.run(configuration.training) } catch {
            return .status(422, error.message)
        }
        candidate = outcome
        log("learned: current head \(LearnOutcome.percent(outcome.old.accuracy)), new head \(LearnOutcome.percent(outcome.new.accuracy))"
            + " on \(outcome.new.total) held-out crops")
        return .json(outcome.json)
    }

    func install() -> ServerResponse {
        guard let modelPath = configuration.modelPath, let labelsPath = configuration.labelsPath else {
            return .status(409, "this server has no model file to replace (give --model)")
        }
        guard let outcome = candidate else { return .status(409, "nothing to install: press Learn first") }
        if let refusal = outcome.refusal { return .status(409, "not installed: \(refusal)") }
        let installed: ModelInstaller.Installed
        do { installed = try ModelInstaller.install(outcome, modelPath: modelPath, labelsPath: labelsPath, now: WallTime.nowMillis()) } catch {
            return .status(500, error.message)
        }
        candidate = nil
        configuration.training.labels = outcome.labels
        log("installed the new model at \(modelPath) (previous kept as \(installed.modelBackup ?? "nothing"))")
        return .json(.object([
            JSONMember("model", .string(installed.model)), JSONMember("labels", .string(installed.labels)),
            JSONMember("modelBackup", installed.modelBackup.map { .string($0) } ?? .null),
            JSONMember("labelsBackup", installed.labelsBackup.map { .string($0) } ?? .null),
        ]))
    }

    // MARK: Helpers

    static func randomHex() -> String {
        (RandomID.uuid() + RandomID.uuid()).filter { $0 != "-" }
    }

    /// Compares without stopping at the first difference, so timing says nothing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

/// `Authorization: Basic base64(user:password)` → the password.
enum BasicAuthorization {
    static func password(_ header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("basic ") else { return nil }
        guard let decoded = decode(String(header.dropFirst(6))), let colon = decoded.firstIndex(of: ":") else { return nil }
        return String(decoded[decoded.index(after: colon)...])
    }

    static func decode(_ text: String) -> String? {
        var bits: UInt32 = 0, count = 0
        var bytes: [UInt8] = []
        for character in text.utf8 where character != UInt8(ascii: "=") {
            let value: UInt32
            switch character {
            case 65...90: value = UInt32(character - 65)
            case 97...122: value = UInt32(character - 71)
            case 48...57: value = UInt32(character + 4)
            case 43: value = 62
            case 47: value = 63
            default: return nil
            }
            bits = bits << 6 | value
            count += 6
            if count >= 8 {
                count -= 8
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        return Array(decoded.utf8) == bytes ? decoded : nil
    }
}
