import TinyGraph

/// A trained head: how the old and the new one did on crops they had not seen, and
/// the model file with the new head, ready to write.
public struct LearnOutcome: Sendable {
    public var modelName: String
    /// The head as it was (its format, embedding and activation).
    public var head: ClassifierHead
    public var oldLabels: [String]
    /// The new model's labels: the old ones in their order, then new folders.
    public var labels: [String]
    /// Crops used per label (of `labels`).
    public var cropCounts: [Int]
    /// Crops that could not be read, with the reason.
    public var skipped: [String]
    public var folds: Int
    public var l2: Double
    /// The old head on every crop (it saw none of them).
    public var old: Evaluation
    /// The new head on every crop, each predicted by the fold's head that did not see it.
    public var new: Evaluation
    /// The model file with the new head.
    public var modelBytes: [UInt8]
    /// `model.pb` or `model.tflite`.
    public var modelFileName: String
    public var embeddingSeconds: Double
    public var trainingSeconds: Double
    /// L-BFGS iterations of the final head.
    public var iterations: Int

    /// Why the new head must not replace the old one, if it must not.
    public var refusal: String? {
        guard new.correct < old.correct else { return nil }
        return "the new head is worse than the current one on the held-out crops: \(new.correct)/\(new.total) "
            + "(\(Self.percent(new.accuracy))) against \(old.correct)/\(old.total) (\(Self.percent(old.accuracy)))"
    }

    static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// The report people read: crops, both heads' held-out accuracy, and their
    /// confusion matrices side by side.
    public var text: String {
        var lines: [String] = []
        lines.append("model \(modelName): \(head.layerOp) head on '\(head.embeddingName)' (\(head.embeddingSize) values), \(head.activation.rawValue)")
        let added = labels.filter { !oldLabels.contains($0) }
        lines.append("crops: " + zip(labels, cropCounts).map { "\($0) \($1)" }.joined(separator: ", ")
            + (added.isEmpty ? "" : " (new: \(added.joined(separator: ", ")))"))
        if !oldLabels.contains(where: { labels.contains($0) }) {
            lines.append("none of the model's \(oldLabels.count) labels has crops: the new head classifies these labels instead")
        }
        for line in skipped.prefix(5) { lines.append("skipped \(line)") }
        if skipped.count > 5 { lines.append("skipped \(skipped.count - 5) more") }
        lines.append("held-out accuracy (\(folds)-fold cross-validation over \(new.total) crops; the current head saw none of them):")
        lines.append("  current head \(Self.percent(old.accuracy)) (\(old.correct)/\(old.total))   new head \(Self.percent(new.accuracy)) (\(new.correct)/\(new.total))")
        lines.append("confusion (rows: the crop's folder; columns: what the head said)")
        let width = max(7, (labels + oldLabels).map(\.count).max() ?? 0) + 2
        let rowWidth = (labels.map(\.count).max() ?? 0) + 4
        func right(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func left(_ text: String, _ size: Int) -> String { text + String(repeating: " ", count: max(0, size - text.count)) }
        let gap = "    "
        // A head with many labels (an ImageNet network) is shown by its new matrix alone.
        let showOld = old.columns.count <= 8
        let oldBlock = showOld ? width * old.columns.count : 0
        lines.append(left("", rowWidth) + (showOld ? left("current head", oldBlock) + gap : "") + "new head")
        lines.append(left("", rowWidth) + (showOld ? old.columns.map(right).joined() + gap : "") + new.columns.map(right).joined())
        for (index, label) in labels.enumerated() {
            lines.append(left("  " + label, rowWidth) + (showOld ? old.matrix[index].map { right(String($0)) }.joined() + gap : "")
                + new.matrix[index].map { right(String($0)) }.joined())
        }
        lines.append("training: L2 \(l2), balanced class weights; embedding \(Self.seconds(embeddingSeconds)), training \(Self.seconds(trainingSeconds))")
        return lines.joined(separator: "\n")
    }

    public var json: JSONValue {
        func evaluation(_ value: Evaluation) -> JSONValue {
            .object([
                JSONMember("accuracy", .number(value.accuracy)),
                JSONMember("correct", .number(Double(value.correct))),
                JSONMember("total", .number(Double(value.total))),
                JSONMember("columns", .array(value.columns.map { .string($0) })),
                JSONMember("confusion", .array(value.matrix.map { .array($0.map { .number(Double($0)) }) })),
            ])
        }
        return .object([
            JSONMember("model", .string(modelName)),
            JSONMember("embedding", .string(head.embeddingName)),
            JSONMember("embeddingSize", .number(Double(head.embeddingSize))),
            JSONMember("activation", .string(head.activation.rawValue)),
            JSONMember("labels", .array(labels.map { .string($0) })),
            JSONMember("previousLabels", .array(oldLabels.map { .string($0) })),
            JSONMember("crops", .object(zip(labels, cropCounts).map { JSONMember($0, .number(Double($1))) })),
            JSONMember("skipped", .array(skipped.map { .string($0) })),
            JSONMember("folds", .number(Double(folds))),
            JSONMember("l2", .number(l2)),
            JSONMember("current", evaluation(old)),
            JSONMember("new", evaluation(new)),
            JSONMember("better", .bool(refusal == nil)),
            JSONMember("refusal", refusal.map { .string($0) } ?? .null),
            JSONMember("embeddingSeconds", .number(embeddingSeconds)),
            JSONMember("trainingSeconds", .number(trainingSeconds)),
            JSONMember("iterations", .number(Double(iterations))),
        ])
    }

    static func seconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
    }

    /// Writes the model, `labels.txt`, `report.txt` and `report.json` into `folder`,
    /// each atomically, the model last. Returns the model's path.
    @discardableResult
    public func write(to folder: String) throws(WatcherError) -> String {
        try FileSystem.createDirectory(folder)
        try FileSystem.writeAtomically(Array((json.rendered + "\n").utf8), to: FileSystem.join(folder, "report.json"))
        try FileSystem.writeAtomically(Array((text + "\n").utf8), to: FileSystem.join(folder, "report.txt"))
        try FileSystem.writeAtomically(Array((labels.joined(separator: "\n") + "\n").utf8), to: FileSystem.join(folder, "labels.txt"))
        let path = FileSystem.join(folder, modelFileName)
        try FileSystem.writeAtomically(modelBytes, to: path)
        return path
    }
}
