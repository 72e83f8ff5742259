import ArgumentParser
import Watcher

/// Where the still comes from: exactly one of a SoraCam device, a snapshot URL or a file.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SoraCam device id (see `watcher devices`). (env WATCHER_DEVICE_ID)", valueName: "id"))
    var deviceId: String?

    @Option(help: ArgumentHelp("Fetch the still from this HTTP(S) URL instead (an IP camera's snapshot). (env WATCHER_SNAPSHOT_URL)", valueName: "url"))
    var snapshotURL: String?

    @Option(name: .customLong("image"), help: ArgumentHelp("Use this JPEG file as the camera instead. (env WATCHER_IMAGE)", valueName: "path"))
    var imagePath: String?

    @Option(help: ArgumentHelp("Give up on a still after this long (export, polling, download). (env WATCHER_TIMEOUT; default: 90s)", valueName: "duration"))
    var timeout: String?

    @OptionGroup(title: "SORACOM") var soracom: SoracomOptions

    /// Checks every option (and the SORACOM credentials) before anything is sent.
    /// `tokenFolder` (or `tokenStore`) caches the SORACOM token between runs.
    func makeSource(transport: HTTPTransport, tokenFolder: String?, tokenStore: SoraCamTokenStore? = nil,
                    allowFile: Bool = true) throws -> ImageSource {
        let device = EnvironmentFallback.string(deviceId, "WATCHER_DEVICE_ID")
        let url = EnvironmentFallback.string(snapshotURL, "WATCHER_SNAPSHOT_URL")
        let file = allowFile ? EnvironmentFallback.string(imagePath, "WATCHER_IMAGE") : nil
        let given = [device, url, file].compactMap { $0 }
        let choices = allowFile ? "--device-id ID (SoraCam), --snapshot-url URL or --image FILE" : "--device-id ID (SoraCam) or --snapshot-url URL"
        guard given.count == 1 else {
            throw ValidationError(given.isEmpty ? "say where stills come from: \(choices)" : "give only one of \(choices)")
        }
        let deadline = try EnvironmentFallback.seconds(timeout, "WATCHER_TIMEOUT", default: "90s")
        guard deadline >= 1 else { throw ValidationError("--timeout must be at least 1s") }
        if let file { return FileImageSource(path: file) }
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ValidationError("--snapshot-url needs an http(s) URL")
            }
            if let problem = URLSyntax.problem(url) { throw ValidationError("--snapshot-url: \(problem)") }
            return SnapshotURLSource(url: url, transport: transport, sleep: { SystemSoraCamClock().sleep(seconds: $0) })
        }
        return SoraCamImageSource(client: try soracom.makeClient(transport: transport, tokenFolder: tokenFolder, tokenStore: tokenStore),
                                  deviceID: device!, timeoutSeconds: Double(deadline))
    }
}
