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

    func makeSource(transport: HTTPTransport, stateFolder: String) throws -> ImageSource {
        let device = EnvironmentFallback.string(deviceId, "WATCHER_DEVICE_ID")
        let url = EnvironmentFallback.string(snapshotURL, "WATCHER_SNAPSHOT_URL")
        let file = EnvironmentFallback.string(imagePath, "WATCHER_IMAGE")
        let given = [device, url, file].compactMap { $0 }
        guard given.count == 1 else {
            throw ValidationError(given.isEmpty
                ? "say where stills come from: --device-id ID (SoraCam), --snapshot-url URL or --image FILE"
                : "give only one of --device-id, --snapshot-url and --image")
        }
        if let file { return FileImageSource(path: file) }
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ValidationError("--snapshot-url needs an http(s) URL")
            }
            return SnapshotURLSource(url: url, transport: transport, sleep: { SystemSoraCamClock().sleep(seconds: $0) })
        }
        let deadline = try EnvironmentFallback.seconds(timeout, "WATCHER_TIMEOUT", default: "90s")
        return SoraCamImageSource(client: try soracom.makeClient(transport: transport, tokenFolder: stateFolder), deviceID: device!,
                                  timeoutSeconds: Double(deadline))
    }
}
