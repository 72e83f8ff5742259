import CArgumentsShim
import Watcher

/// A serverless host starts the bundle's program without arguments: inside AWS
/// Lambda (AWS_LAMBDA_RUNTIME_API set) that means `watcher lambda`, under the
/// Azure Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) `watcher functions`.
enum HostDetection {
    static func arguments() -> [String] {
        let given = Array(processArguments().dropFirst())
        guard given.isEmpty else { return given }
        if Environment.value("AWS_LAMBDA_RUNTIME_API") != nil { return ["lambda"] }
        if Environment.value("FUNCTIONS_CUSTOMHANDLER_PORT") != nil { return ["functions"] }
        return given
    }

    /// The command line: Swift reads /proc/self/cmdline, which an empty root
    /// (the bundle alone in a chroot) does not have; glibc's argv is always there.
    static func processArguments() -> [String] {
        if !CommandLine.arguments.isEmpty { return CommandLine.arguments }
        return (0..<arguments_count()).compactMap { arguments_value($0).map { String(cString: $0) } }
    }
}
