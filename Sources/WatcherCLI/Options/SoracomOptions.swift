import ArgumentParser
import Watcher

/// SORACOM credentials and endpoint, with soracom-cli's option and variable names.
struct SoracomOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SORACOM auth key id (keyId-…). (env WATCHER_AUTH_KEY_ID or SORACOM_AUTH_KEY_ID)", valueName: "id"))
    var authKeyId: String?

    @Option(help: ArgumentHelp("SORACOM auth key (secret-…). Prefer the environment: a command line is visible to other users. (env WATCHER_AUTH_KEY or SORACOM_AUTH_KEY)", valueName: "secret"))
    var authKey: String?

    @Option(help: ArgumentHelp("SAM user login instead of an auth key: operator id. (env WATCHER_OPERATOR_ID or SORACOM_OPERATOR_ID)", valueName: "id"))
    var operatorId: String?

    @Option(help: ArgumentHelp("SAM user name. (env WATCHER_USER_NAME or SORACOM_USER_NAME; the password comes from SORACOM_PASSWORD only)", valueName: "name"))
    var userName: String?

    @Option(help: ArgumentHelp("jp (api.soracom.io) or g (g.api.soracom.io). (env WATCHER_COVERAGE_TYPE or SORACOM_COVERAGE_TYPE; default: jp)", valueName: "jp|g"))
    var coverageType: String?

    func credentials() throws -> SoraCamCredentials {
        if let id = EnvironmentFallback.string(authKeyId, "WATCHER_AUTH_KEY_ID", "SORACOM_AUTH_KEY_ID") {
            guard let key = EnvironmentFallback.string(authKey, "WATCHER_AUTH_KEY", "SORACOM_AUTH_KEY") else {
                throw ValidationError("the auth key id needs its auth key: set SORACOM_AUTH_KEY")
            }
            return .authKey(id: id, secret: key)
        }
        if let operatorId = EnvironmentFallback.string(operatorId, "WATCHER_OPERATOR_ID", "SORACOM_OPERATOR_ID") {
            guard let user = EnvironmentFallback.string(userName, "WATCHER_USER_NAME", "SORACOM_USER_NAME"),
                let password = Environment.value("SORACOM_PASSWORD")
            else { throw ValidationError("a SAM user login needs SORACOM_USER_NAME and SORACOM_PASSWORD too") }
            return .samUser(operatorId: operatorId, userName: user, password: password)
        }
        throw ValidationError("SORACOM credentials are missing: set SORACOM_AUTH_KEY_ID and SORACOM_AUTH_KEY (an auth key of a SAM user allowed to use SoraCam)")
    }

    /// SORACOM_ENDPOINT (scheme and host) wins over the coverage type, as in soracom-cli.
    func endpoint() throws -> String {
        if let endpoint = Environment.value("SORACOM_ENDPOINT") { return endpoint }
        let coverage = EnvironmentFallback.string(coverageType, "WATCHER_COVERAGE_TYPE", "SORACOM_COVERAGE_TYPE") ?? "jp"
        guard let endpoint = SoraCamClient.endpoint(coverage: coverage) else {
            throw ValidationError("--coverage-type must be jp or g, not '\(coverage)'")
        }
        return endpoint
    }

    /// The token is cached (mode 0600) beside the decision state, so one-shot runs
    /// under cron log in once a day instead of every check.
    func makeClient(transport: HTTPTransport, tokenFolder: String? = nil, tokenStore: SoraCamTokenStore? = nil) throws -> SoraCamClient {
        let credentials = try credentials()
        let endpoint = try endpoint()
        let store = tokenStore ?? tokenFolder.map { FileTokenStore(path: FileSystem.join($0, "soracom-token.json")) }
        do {
            if let tokenFolder { try FileSystem.createDirectory(tokenFolder, mode: 0o700) }
            return try SoraCamClient(endpoint: endpoint, credentials: credentials, transport: transport, tokenStore: store)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
