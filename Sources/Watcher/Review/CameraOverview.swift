/// Each camera's last state and the alert probability over the last days, for the
/// review page, read from the state folder without changing anything in it.
///
/// State files are `camera-*.json` (read as plain JSON: `lastCheck`, `openSince`,
/// `outbox`; unknown fields are ignored, missing ones left out). The timeline comes
/// from history files, any `*.jsonl` in the folder: one JSON object per check with
/// `unixMillis` (or a numeric `time`), `camera`, `alertProbability`, `verdict` and
/// `error`; lines that do not parse are skipped. Without history, the archive's own
/// crop names (time and top probability) give the points.
enum CameraOverview {
    struct Point {
        var time: Int
        /// nil for a failed check.
        var alertProbability: Double?
        var verdict: String
    }

    static func json(stateFolder: String?, archive: ArchiveFolder, labels: [String], alertLabel: String,
                     now: Int, days: Int) -> JSONValue {
        let since = now - days * 86_400_000
        var cameras: [String: (state: JSONValue?, points: [Point])] = [:]
        var order: [String] = []
        func entry(_ name: String) {
            if cameras[name] == nil {
                cameras[name] = (nil, [])
                order.append(name)
            }
        }
        var source = "none"
        if let stateFolder {
            for file in FileSystem.list(stateFolder) where file.hasPrefix("camera-") && file.hasSuffix(".json") {
                guard let bytes = try? FileSystem.read(FileSystem.join(stateFolder, file), limit: 1 << 20),
                      let state = try? JSONValue.parse(bytes) else { continue }
                let name = state["camera"]?.stringValue ?? String(file.dropFirst(7).dropLast(5))
                entry(name)
                cameras[name]?.state = state
            }
            for file in FileSystem.list(stateFolder) where file.hasSuffix(".jsonl") {
                guard let bytes = try? FileSystem.read(FileSystem.join(stateFolder, file), limit: 64 << 20) else { continue }
                for line in bytes.split(separator: 10) {
                    guard let record = try? JSONValue.parse(Array(line)),
                          let time = record["unixMillis"]?.intValue ?? record["time"]?.intValue, time >= since else { continue }
                    let name = record["camera"]?.stringValue ?? String(file.prefix { $0 != "." })
                    entry(name)
                    let failed = record["error"]?.stringValue != nil
                    cameras[name]?.points.append(Point(
                        time: time, alertProbability: failed ? nil : record["alertProbability"]?.doubleValue,
                        verdict: failed ? "error" : record["verdict"]?.stringValue ?? ""))
                    source = "history"
                }
            }
        }
        if source == "none" {
            // No history: the archive's names say when each crop was taken and how sure the model was.
            for folder in archive.labelFolders() where labels.contains(folder) {
                for crop in archive.crops(in: folder) where crop.time >= since {
                    guard let probability = crop.probability, let camera = crop.camera else { continue }
                    let alert: Double? = folder == alertLabel ? probability : (labels.count == 2 ? 1 - probability : nil)
                    guard let alert else { continue }
                    entry(camera)
                    cameras[camera]?.points.append(Point(time: crop.time, alertProbability: alert, verdict: ""))
                    source = "archive"
                }
            }
        }
        return .object([
            JSONMember("source", .string(source)),
            JSONMember("cameras", .array(order.map { name in
                let camera = cameras[name]!
                let points = camera.points.sorted { $0.time < $1.time }
                return .object([
                    JSONMember("name", .string(name)),
                    JSONMember("state", summary(camera.state)),
                    JSONMember("points", .array(points.map { point in
                        .array([.number(Double(point.time)), point.alertProbability.map { .number($0) } ?? .null, .string(point.verdict)])
                    })),
                ])
            })),
        ])
    }

    /// The few state fields the page shows.
    private static func summary(_ state: JSONValue?) -> JSONValue {
        guard let state else { return .null }
        var members: [JSONMember] = []
        if let check = state["lastCheck"] {
            members.append(JSONMember("lastCheck", .object([
                JSONMember("time", check["time"] ?? .null), JSONMember("label", check["label"] ?? .null),
                JSONMember("probability", check["probability"] ?? .null),
                JSONMember("alertProbability", check["alertProbability"] ?? .null), JSONMember("verdict", check["verdict"] ?? .null),
            ])))
        }
        members.append(JSONMember("openSince", state["openSince"] ?? .null))
        members.append(JSONMember("announced", state["announced"] ?? .null))
        members.append(JSONMember("pendingMessages", .number(Double(state["outbox"]?.arrayValue?.count ?? 0))))
        return .object(members)
    }
}
