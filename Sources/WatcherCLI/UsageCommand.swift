import ArgumentParser
import Watcher

struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show a camera's export budget for this month.",
        discussion: "Every still spends the monthly export budget; one still every 5 minutes is about 8,900 a month.")

    @Option(help: ArgumentHelp("SoraCam device id. (env WATCHER_DEVICE_ID)", valueName: "id"))
    var deviceId: String?

    @OptionGroup(title: "SORACOM") var soracom: SoracomOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let device = EnvironmentFallback.string(deviceId, "WATCHER_DEVICE_ID") else {
            throw ValidationError("--device-id is required (see `watcher devices`)")
        }
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let client = try soracom.makeClient(transport: transport)
        let usage = try reportingFailures { try client.exportUsage(deviceId: device) }
        if json {
            printLine(JSONValue.object([
                JSONMember("deviceId", .string(usage.deviceId)),
                JSONMember("month", .string(usage.meteredYearMonth)),
                JSONMember("stills", ["limit": .number(Double(usage.image.limit)), "used": .number(Double(usage.image.used)),
                                      "remaining": .number(Double(usage.image.remaining))]),
                JSONMember("videoSeconds", ["limit": .number(Double(usage.video.limit)), "used": .number(Double(usage.video.used)),
                                            "remaining": .number(Double(usage.video.remaining))]),
            ]).rendered)
            return
        }
        printLine("\(usage.deviceId), month \(usage.meteredYearMonth):")
        printLine("  stills: \(usage.image.used) used of \(usage.image.limit), \(usage.image.remaining) left")
        printLine("  video:  \(usage.video.used) s used of \(usage.video.limit) s, \(usage.video.remaining) s left")
        let checksPerDay = 288  // every 5 minutes
        if usage.image.remaining >= 0 {
            printLine("  at one still every 5 minutes: \(usage.image.remaining / checksPerDay) days of checks left")
        }
    }
}
