import ArgumentParser
import Watcher

struct TestNotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-notify",
        abstract: "Send a test message through each --notify target, and say which worked.",
        discussion: "Use it after setting up a webhook or token, instead of waiting for the door to be left open.")

    @Option(name: .customLong("notify"), help: ArgumentHelp("KIND:TARGET, as for `watcher once`. (env WATCHER_NOTIFY)", valueName: "kind:target"))
    var notify: [String] = []

    @Option(help: ArgumentHelp("Name used in the message. (env WATCHER_CAMERA_NAME; default: watcher)", valueName: "name"))
    var cameraName: String?

    func run() throws {
        let texts = EnvironmentFallback.list(notify, "WATCHER_NOTIFY")
        guard !texts.isEmpty else { throw ValidationError("give at least one --notify KIND:TARGET (or WATCHER_NOTIFY)") }
        let specs: [NotifierSpec]
        do { specs = try texts.map { text throws(WatcherError) in try NotifierSpec(parsing: text) } } catch {
            throw ValidationError(error.message)
        }
        let name = EnvironmentFallback.string(cameraName, "WATCHER_CAMERA_NAME") ?? "watcher"
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        // A missing token is a configuration error: found before anything is sent.
        let notifiers = try reportingFailures {
            let secrets = NotifierSecrets.fromEnvironment()
            return try specs.map { spec throws(WatcherError) in
                try Notifiers.make(spec, secrets: secrets, transport: transport, print: { printLine($0) })
            }
        }
        Interruption.install()
        let message = AlertMessage(kind: .test, camera: name, label: "test", probability: 1,
                                   time: WallTime.nowMillis(), openSince: nil, id: RandomID.uuid())
        var failures = 0
        for notifier in notifiers {
            do throws(WatcherError) {
                try notifier.deliver(message, image: nil)
                printLine("\(notifier.spec.id): ok")
            } catch {
                failures += 1
                printError("watcher: error: \(error.message)")
            }
            (notifier as? StatePublisher)?.finishCheck()  // an MQTT connection closes
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
