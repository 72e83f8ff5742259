import ArgumentParser
import Watcher

struct LambdaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda",
        abstract: "Serve AWS Lambda invocations as a custom runtime (provided.al2023): one check per event.",
        discussion: """
            The bundle's `bootstrap` starts this (so does `watcher` with no arguments when \
            AWS_LAMBDA_RUNTIME_API is set). Options come from the function's environment, as for \
            `watcher once` (WATCHER_DEVICE_ID, WATCHER_CROP, WATCHER_STATE_DIR=s3://…); an event may \
            override some: {"watcher": {"debounce": 1}}. The process serves event after event, so a \
            warm start reuses the model and the SORACOM token. The response is the check's JSON with \
            "ok" (false when the check could not see the lock, which is recorded, not a function error) \
            and the process's memory; a configuration error is a function error. See docs/serverless.md.
            """)

    func run() throws {
        guard let api = Environment.value("AWS_LAMBDA_RUNTIME_API") else {
            throw ValidationError("AWS_LAMBDA_RUNTIME_API is not set: `watcher lambda` runs inside AWS Lambda (or its emulator)")
        }
        Interruption.install()
        let transport = try reportingFailures { try CurlTransport(userAgent: "watcher/" + WatcherVersion.text) }
        let runtime = LambdaRuntimeClient(api: api, transport: transport)
        let checks = HostedChecks()
        if let problem = checks.prepare() {
            printError("watcher: error: " + problem)
            try? runtime.failInit(type: "Watcher.Configuration", message: problem)
            throw ExitCode(64)
        }
        var failuresInARow = 0
        while !Interruption.isRequested {
            let invocation: LambdaRuntimeClient.Invocation
            do {
                invocation = try runtime.next()
                failuresInARow = 0
            } catch {
                if error.kind == .interrupted { break }
                failuresInARow += 1
                printError("watcher: error: " + error.message)
                // The API is gone when the instance is shutting down: stop, Lambda starts another.
                if failuresInARow >= 5 { throw ExitCode.failure }
                Interruption.sleep(seconds: 0.2)
                continue
            }
            switch checks.run(event: invocation.event) {
            case .answer(let json, let logs):
                for line in logs { printError("watcher: " + line) }
                do { try runtime.respond(invocation.requestID, json) } catch { printError("watcher: error: " + error.message) }
            case .refused(let type, let message):
                printError("watcher: error: " + message)
                do { try runtime.fail(invocation.requestID, type: type, message: message) } catch {
                    printError("watcher: error: " + error.message)
                }
            }
        }
    }
}
