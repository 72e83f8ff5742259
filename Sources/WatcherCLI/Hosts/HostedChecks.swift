import ArgumentParser
import Watcher

/// One check per host event (a Lambda invocation, a Functions timer request),
/// with the options of `watcher once` from the environment (`WATCHER_*`). An
/// event may override options: a `"watcher"` member whose members are option
/// names, `{"watcher": {"debounce": 1, "camera-name": "Back door"}}`. The
/// watcher built for a set of options is kept between events, so a warm start
/// reuses the loaded model, the libcurl connections and the SORACOM token.
final class HostedChecks {
    enum Outcome {
        /// The check ran (it may have failed to see the lock: that is recorded, not an error).
        case answer(JSONValue, logs: [String])
        /// A configuration error: the event cannot be served as configured.
        case refused(type: String, message: String)
    }

    private var watchers: [[String]: CameraWatcher] = [:]
    private(set) var invocations = 0

    /// Builds the watcher for the environment alone; the message of what is wrong, if anything.
    func prepare() -> String? {
        do {
            _ = try watcher(for: [])
            return nil
        } catch {
            return Self.describe(error)
        }
    }

    func run(event: [UInt8]) -> Outcome {
        invocations += 1
        let arguments: [String]
        do { arguments = try Self.overrides(in: event) } catch { return .refused(type: "Watcher.Usage", message: error.message) }
        let watcher: CameraWatcher
        do { watcher = try self.watcher(for: arguments) } catch {
            return .refused(type: "Watcher.Configuration", message: Self.describe(error))
        }
        let outcome: CheckOutcome
        do { outcome = try watcher.check() } catch {
            return .refused(type: "Watcher." + error.kind.rawValue.capitalized, message: error.message)
        }
        var logs: [String] = []
        var members: [JSONMember]
        switch outcome {
        case .completed(let result):
            logs = result.warnings.map { "warning: " + $0 } + result.delivery.failures.map { "warning: " + $0 } + [result.summaryLine]
            guard case .object(let fields) = result.json else { fatalError("CheckResult.json is an object") }
            members = [JSONMember("ok", .bool(true))] + fields
        case .failed(let failed):
            logs = failed.warnings.map { "warning: " + $0 } + failed.delivery.failures.map { "warning: " + $0 }
                + ["error: " + failed.error.message, failed.summaryLine]
            members = [
                JSONMember("ok", .bool(false)), JSONMember("camera", .string(failed.camera)),
                JSONMember("time", .string(WallTime.iso8601(failed.failure.time))),
                JSONMember("error", .string(failed.error.message)), JSONMember("cause", .string(failed.failure.cause.rawValue)),
                JSONMember("failureStreak", .number(Double(failed.state.failureStreak))),
                JSONMember("notifications", .array(failed.messages.map { .string($0.kind.rawValue) })),
            ]
        }
        members.append(JSONMember("invocation", .number(Double(invocations))))
        if let memory = ProcessMemory.residentKiB() {
            members.append(JSONMember("memory", ["rssKiB": .number(Double(memory.current)), "peakRSSKiB": .number(Double(memory.peak))]))
            logs.append("memory: \(memory.current) KiB resident, peak \(memory.peak) KiB (invocation \(invocations))")
        }
        return .answer(.object(members), logs: logs)
    }

    private func watcher(for arguments: [String]) throws -> CameraWatcher {
        if let known = watchers[arguments] { return known }
        let options = try OnceCommand.parse(arguments)
        let watcher = try WatcherAssembly(source: options.source, model: options.model, decision: options.decision,
                                          state: options.state, notify: options.notify, json: true).make()
        if watchers.count >= 8 { watchers.removeAll() }  // events with ever-new overrides must not pile up models
        watchers[arguments] = watcher
        return watcher
    }

    /// `{"watcher": {"debounce": 1, "whole-image": true, "notify": ["stdout", "ntfy:x"]}}` → command-line arguments.
    static func overrides(in event: [UInt8]) throws(WatcherError) -> [String] {
        guard !event.isEmpty, let json = try? JSONValue.parse(event), let overrides = json["watcher"] else { return [] }
        guard case .object(let members) = overrides else {
            throw WatcherError(.usage, "the event's \"watcher\" member must be an object of option names and values")
        }
        var arguments: [String] = []
        for member in members {
            guard let first = member.key.first, first.isLowercase,
                member.key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
            else { throw WatcherError(.usage, "'\(member.key)' in the event is not an option name (like \"camera-name\")") }
            let option = "--" + member.key
            switch member.value {
            case .string(let text): arguments += [option, text]
            case .number(let number):
                arguments += [option, number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)]
            case .bool(true): arguments.append(option)
            case .bool(false), .null: break
            case .array(let items):
                for item in items {
                    guard let text = item.stringValue else { throw WatcherError(.usage, "'\(member.key)' takes strings") }
                    arguments += [option, text]
                }
            case .object: throw WatcherError(.usage, "'\(member.key)' in the event cannot be an object")
            }
        }
        return arguments
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? WatcherError { return error.message }
        if error is ExitCode { return "the configuration was refused (see the log)" }
        let message = OnceCommand.message(for: error)
        return message.split(separator: "\n").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
