import ArgumentParser
import Watcher

struct FunctionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functions",
        abstract: "Serve Azure Functions as a custom handler: one check per timer request.",
        discussion: """
            The Functions host starts this (host.json's customHandler; so does `watcher` with no \
            arguments when FUNCTIONS_CUSTOMHANDLER_PORT is set). It listens on 127.0.0.1 at that port \
            and answers each POST /<function name> with {"Outputs": {}, "Logs": […], "ReturnValue": \
            <the check's JSON>}; a configuration error answers 500. Options come from the app \
            settings, as for `watcher once` (WATCHER_STATE_DIR=azblob://…). See docs/serverless.md.
            """)

    @Option(help: ArgumentHelp("Port on 127.0.0.1. (env FUNCTIONS_CUSTOMHANDLER_PORT)", valueName: "port"))
    var port: Int?

    func run() throws {
        guard let port = try EnvironmentFallback.int(port, "FUNCTIONS_CUSTOMHANDLER_PORT"), (1...65535).contains(port) else {
            throw ValidationError("FUNCTIONS_CUSTOMHANDLER_PORT is not set: `watcher functions` runs under the Azure Functions host")
        }
        Interruption.install()
        let server = try reportingFailures { try LocalHTTPServer(port: port) }
        let checks = HostedChecks()
        if let problem = checks.prepare() { printError("watcher: error: " + problem) }
        printError("watcher: serving Azure Functions on 127.0.0.1:\(port)")
        server.serve { request in
            guard request.method == "POST", request.path.count > 1 else {
                return (404, Array(#"{"error":"POST /<function name>"}"#.utf8))
            }
            switch checks.run(event: request.body) {
            case .answer(let json, let logs):
                for line in logs { printError("watcher: " + line) }
                return (200, Array(Self.response(logs: logs, value: json).rendered.utf8))
            case .refused(_, let message):
                printError("watcher: error: " + message)
                return (500, Array(Self.response(logs: ["error: " + message], value: .null).rendered.utf8))
            }
        }
    }

    /// The custom handler's documented response.
    static func response(logs: [String], value: JSONValue) -> JSONValue {
        .object([JSONMember("Outputs", .object([])), JSONMember("Logs", .array(logs.map { .string($0) })),
                 JSONMember("ReturnValue", value)])
    }
}
