import ArgumentParser
import Watcher

struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show a camera's export budget for this month, and whether it lasts until the month ends.",
        discussion: """
            Every still spends the monthly export budget, which resets when the month ends (counted \
            here in UTC); one still every 5 minutes is about 8,900 a month.
            """)

    @Option(help: ArgumentHelp("SoraCam device id. (env WATCHER_DEVICE_ID)", valueName: "id"))
    var deviceId: String?

    @Option(help: ArgumentHelp("The interval you check at, to say whether the budget lasts. (env WATCHER_EVERY; default: 5m)", valueName: "duration"))
    var every: String?

    @OptionGroup(title: "SORACOM") var soracom: SoracomOptions
    @Flag(help: "Print one JSON object. (env WATCHER_JSON)") var json = false

    func run() throws {
        guard let device = EnvironmentFallback.string(deviceId, "WATCHER_DEVICE_ID") else {
            throw ValidationError("--device-id is required (see `watcher devices`)")
        }
        let json = try EnvironmentFallback.flag(self.json, "WATCHER_JSON")
        let interval = try EnvironmentFallback.seconds(every, "WATCHER_EVERY", default: "5m")
        guard interval >= 1 else { throw ValidationError("--every must be at least 1s") }
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let client = try soracom.makeClient(transport: transport)
        Interruption.install()
        let usage = try reportingFailures { try client.exportUsage(deviceId: device) }
        let outlook = BudgetOutlook(remainingStills: usage.image.remaining, intervalSeconds: interval, now: WallTime.nowMillis())
        if json {
            printJSON(.object([
                JSONMember("deviceId", .string(usage.deviceId)),
                JSONMember("month", .string(usage.meteredYearMonth)),
                JSONMember("stills", ["limit": .number(Double(usage.image.limit)), "used": .number(Double(usage.image.used)),
                                      "remaining": .number(Double(usage.image.remaining))]),
                JSONMember("videoSeconds", ["limit": .number(Double(usage.video.limit)), "used": .number(Double(usage.video.used)),
                                            "remaining": .number(Double(usage.video.remaining))]),
                JSONMember("monthEnds", .string(WallTime.iso8601(outlook.monthEnds))),
                JSONMember("daysLeftInMonth", .number(outlook.daysLeft)),
                JSONMember("intervalSeconds", .number(Double(interval))),
                JSONMember("stillsNeeded", .number(Double(outlook.stillsNeeded))),
                JSONMember("lastsTheMonth", .bool(outlook.lastsTheMonth)),
                JSONMember("daysItLasts", .number(outlook.daysItLasts)),
            ]))
            return
        }
        let every = WallTime.durationText(seconds: interval)
        printLine("\(usage.deviceId), month \(usage.meteredYearMonth):")
        printLine("  stills: \(usage.image.used) used of \(usage.image.limit), \(usage.image.remaining) left")
        printLine("  video:  \(usage.video.used) s used of \(usage.video.limit) s, \(usage.video.remaining) s left")
        let days = BudgetOutlook.text(outlook.daysLeft)
        if usage.image.remaining <= 0 {
            printLine("  \(days) days left in the month (UTC): no stills left; checks fail (budget exhausted) until it resets")
        } else if outlook.lastsTheMonth {
            printLine("  \(days) days left in the month (UTC): one still every \(every) needs \(outlook.stillsNeeded); the budget lasts")
        } else {
            printLine("  \(days) days left in the month (UTC): one still every \(every) needs \(outlook.stillsNeeded), but "
                + "\(usage.image.remaining) are left: they last \(WallTime.durationText(seconds: usage.image.remaining * interval)); "
                + "one still every \(WallTime.durationText(seconds: outlook.intervalThatLasts)) would last the month")
        }
    }
}

/// Whether what is left of the budget lasts until the month ends at one still per interval.
struct BudgetOutlook {
    let monthEnds: Int
    let daysLeft: Double
    let stillsNeeded: Int
    let lastsTheMonth: Bool
    let daysItLasts: Double
    /// The shortest interval (whole minutes) at which the remaining stills last the month.
    let intervalThatLasts: Int

    init(remainingStills: Int, intervalSeconds: Int, now: Int) {
        monthEnds = WallTime.startOfNextMonthUTC(now)
        let secondsLeft = Double(monthEnds - now) / 1000
        daysLeft = secondsLeft / 86_400
        stillsNeeded = Int((secondsLeft / Double(intervalSeconds)).rounded(.up))
        let remaining = max(0, remainingStills)
        lastsTheMonth = remaining >= stillsNeeded
        daysItLasts = Double(remaining) * Double(intervalSeconds) / 86_400
        let minutes = remaining > 0 ? (secondsLeft / Double(remaining) / 60).rounded(.up) : secondsLeft / 60
        intervalThatLasts = Int(minutes) * 60
    }

    /// `6.3`: days with one decimal.
    static func text(_ days: Double) -> String {
        let tenths = Int((days * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
