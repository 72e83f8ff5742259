import Watcher

/// A serverless host starts the bundle's program without arguments: inside AWS
/// Lambda (AWS_LAMBDA_RUNTIME_API set) that means `watcher lambda`, under the
/// Azure Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) `watcher functions`.
enum HostDetection {
    static func arguments() -> [String] {
        let given = Array(CommandLine.arguments.dropFirst())
        guard given.isEmpty else { return given }
        if Environment.value("AWS_LAMBDA_RUNTIME_API") != nil { return ["lambda"] }
        if Environment.value("FUNCTIONS_CUSTOMHANDLER_PORT") != nil { return ["functions"] }
        return given
    }
}
