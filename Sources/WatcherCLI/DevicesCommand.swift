import ArgumentParser
import Watcher

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List the SoraCam cameras these credentials can see (to find --device-id).")

    @OptionGroup(title: "SORACOM") var soracom: SoracomOptions
    @Flag(help: "Print one JSON array. (env WATCHER_JSON)") var json = false

    func run() throws {
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let client = try soracom.makeClient(transport: transport)
        Interruption.install()
        let devices = try reportingFailures { try client.devices() }
        if json {
            printLine(JSONValue.array(devices.map { device in
                [
                    "deviceId": .string(device.deviceId), "name": .string(device.name),
                    "product": device.productDisplayName.map { .string($0) } ?? .null,
                    "connected": device.connected.map { .bool($0) } ?? .null,
                    "powerState": device.powerState.map { .string($0) } ?? .null,
                    "firmwareVersion": device.firmwareVersion.map { .string($0) } ?? .null,
                ]
            }).rendered)
            return
        }
        guard !devices.isEmpty else {
            printLine("no SoraCam devices (is the auth key's user allowed to read SoraCam devices?)")
            return
        }
        for device in devices {
            let status = device.connected.map { $0 ? "online" : "offline" } ?? "unknown"
            printLine("\(device.deviceId)  \(device.name.isEmpty ? "(no name)" : device.name)  \(status)"
                + (device.productDisplayName.map { "  \($0)" } ?? ""))
        }
    }
}
