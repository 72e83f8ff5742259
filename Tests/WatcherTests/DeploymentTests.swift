import Foundation
import Testing

/// The systemd template README documents, checked by systemd itself, and the
/// contract that every option of every subcommand names its WATCHER_* variable.
@Suite struct DeploymentTests {
    let root = WatcherProcess.repositoryRoot

    func unit() throws -> String {
        try String(contentsOfFile: root + "/deploy/systemd/watcher@.service", encoding: .utf8)
    }

    /// `key=value` lines of one section.
    func section(_ name: String, of text: String) -> [(String, String)] {
        var current = ""
        var pairs: [(String, String)] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("[") { current = line; continue }
            guard current == "[\(name)]", !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            pairs.append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        return pairs
    }

    @Test func theTemplateSaysWhatTheIssueAsks() throws {
        let text = try unit()
        let unitSection = section("Unit", of: text), service = section("Service", of: text)
        func values(_ pairs: [(String, String)], _ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }
        #expect(values(unitSection, "After").contains("network-online.target"))
        #expect(values(unitSection, "Wants").contains("network-online.target"))
        #expect(values(service, "EnvironmentFile") == ["/etc/watcher/%i.env"])
        #expect(values(service, "DynamicUser") == ["yes"] && values(service, "StateDirectory") == ["watcher"])
        #expect(values(service, "ExecStart") == ["/usr/local/bin/watcher run"])
        #expect(values(service, "StandardOutput") == ["journal"] && values(service, "StandardError") == ["journal"])
        #expect(values(service, "RestartPreventExitStatus") == ["64"])
        #expect(text.contains("WATCHER_ARCHIVE_DIR") && text.contains("/var/lib/watcher/archive/"))
    }

    /// `systemd-analyze verify` on an instance, with the binary this build made:
    /// no error and no warning (an unknown key or a bad value is only a warning).
    @Test func systemdAcceptsTheTemplate() throws {
        let folder = try WatcherProcess.temporaryFolder()
        let instance = folder.appendingPathComponent("watcher@front-door.service")
        let text = try unit()
            .replacingOccurrences(of: "ExecStart=/usr/local/bin/watcher", with: "ExecStart=" + WatcherProcess.executable.path)
            .replacingOccurrences(of: "EnvironmentFile=/etc/watcher/%i.env",
                                  with: "EnvironmentFile=" + root + "/deploy/systemd/camera.env.example")
        try text.write(to: instance, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", instance.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && said.isEmpty, "\(said)")
    }

    /// The example environment file sets only variables `watcher run` reads.
    @Test func theExampleEnvironmentFileNamesRealOptions() throws {
        let help = try WatcherProcess.run(["help", "run"], folder: try WatcherProcess.temporaryFolder()).stdout
        let text = try String(contentsOfFile: root + "/deploy/systemd/camera.env.example", encoding: .utf8)
        let names = text.split(separator: "\n").map { $0.drop { $0 == "#" || $0 == " " } }
            .filter { $0.hasPrefix("WATCHER_") || $0.hasPrefix("SORACOM_") }.map { String($0.prefix { $0 != "=" }) }
        #expect(names.count >= 10)
        for name in names where name != "WATCHER_LINE_CHANNEL_TOKEN" {
            #expect(help.contains(name), "\(name) is not in `watcher help run`")
        }
    }

    static let subcommands = ["once", "run", "check", "still", "status", "history", "demo", "test-notify", "devices", "usage"]

    /// Every option in every subcommand's help names the variable it also reads.
    @Test(arguments: subcommands)
    func everyOptionNamesItsEnvironmentVariable(subcommand: String) throws {
        let help = try WatcherProcess.run(["help", subcommand], folder: try WatcherProcess.temporaryFolder())
        #expect(help.status == 0, "\(help.stderr)")
        var options: [String: String] = [:]
        var current: String?
        for line in help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("  -") || line.hasPrefix("  --") {
                let long = trimmed.split(separator: " ").first { $0.hasPrefix("--") }.map { String($0.prefix { $0 != "," && $0 != " " }) }
                current = long
                if let long { options[long] = trimmed }
            } else if let name = current, line.hasPrefix("   ") {
                options[name, default: ""] += " " + trimmed
            } else {
                current = nil
            }
        }
        options["--help"] = nil
        options["--version"] = nil
        #expect(!options.isEmpty, "no options found in `watcher help \(subcommand)`")
        for (option, text) in options {
            let variable = "WATCHER_" + option.dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
            #expect(text.contains("env \(variable)") || text.contains("env " + variable.replacingOccurrences(of: "WATCHER_", with: "")),
                    "\(subcommand) \(option): \(text)")
        }
    }
}
