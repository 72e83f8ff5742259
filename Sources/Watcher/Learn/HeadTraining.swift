#if canImport(Glibc)
import Glibc
#endif
import TinyGraph

/// What `watcher learn` and the review page's Learn button do: embed every labeled
/// crop of the archive with the current model, train a new head on the embeddings
/// (logistic regression, balanced classes), measure old and new head on crops each
/// has not seen (k-fold cross-validation for the new one; the old one never saw any),
/// and produce a copy of the model file with the new head.
public enum HeadTraining {
    public struct Settings: Sendable {
        public var archive: String
        public var model: ModelSource
        /// The model's labels, in output order.
        public var labels: [String]
        public var preset: PixelPreset
        public var l2: Double
        public var folds: Int

        public init(archive: String, model: ModelSource, labels: [String], preset: PixelPreset = .customVision,
                    l2: Double = 0.1, folds: Int = 5) {
            self.archive = archive
            self.model = model
            self.labels = labels
            self.preset = preset
            self.l2 = l2
            self.folds = folds
        }
    }

    public enum Progress: Sendable {
        case embedding(done: Int, total: Int)
        /// Training run `run` of `runs` (the folds, then the final head on every crop).
        case training(run: Int, runs: Int, iteration: Int)
    }

    /// Crops of at least this many per label: one to hold out in each of two folds.
    public static let minimumCropsPerLabel = 2

    public static func run(_ settings: Settings, progress: (Progress) -> Void = { _ in }) throws(WatcherError) -> LearnOutcome {
        guard settings.l2 > 0, settings.l2.isFinite else { throw WatcherError(.usage, "--l2 must be a positive number") }
        guard settings.folds >= 2 else { throw WatcherError(.usage, "--folds must be at least 2") }
        let (labels, crops) = try labeledCrops(settings)
        let started = Monotonic.seconds()
        let embedded = try embedAll(crops, settings, progress: progress)
        let (head, samples, embeddings, skipped) = (embedded.head, embedded.samples, embedded.embeddings, embedded.skipped)
        let embeddingSeconds = Monotonic.seconds() - started
        var counts = [Int](repeating: 0, count: labels.count)
        for sample in samples { counts[sample.label] += 1 }
        for (label, count) in zip(labels, counts) where count < minimumCropsPerLabel {
            throw WatcherError(.usage, "only \(count) readable crop(s) of '\(label)' in \(FileSystem.join(settings.archive, label)); "
                + "each label needs at least \(minimumCropsPerLabel) (a few dozen make a good head)")
        }

        // k-fold cross-validation, stratified and stable: a crop keeps its fold when others are added.
        let folds = min(settings.folds, counts.min() ?? 0)
        let fold = foldAssignment(samples, labelCount: labels.count, folds: folds)
        let loss: LogisticRegression.Loss = head.activation == .softmax ? .softmax : .sigmoid
        let regression = LogisticRegression.Settings(l2: settings.l2)
        let trainingStarted = Monotonic.seconds()
        var newPredictions = [Int](repeating: 0, count: samples.count)
        for held in 0..<folds {
            let training = samples.indices.filter { fold[$0] != held }
            let result = train(training, samples, embeddings, head.embeddingSize, labels.count, loss, regression) { iteration in
                progress(.training(run: held + 1, runs: folds + 1, iteration: iteration))
            }
            for index in samples.indices where fold[index] == held {
                newPredictions[index] = argmax(ClassifierHead.logits(row(embeddings, index, head.embeddingSize),
                                                                     weights: result.weights, bias: result.bias))
            }
        }
        let final = train(Array(samples.indices), samples, embeddings, head.embeddingSize, labels.count, loss, regression) { iteration in
            progress(.training(run: folds + 1, runs: folds + 1, iteration: iteration))
        }
        let trainingSeconds = Monotonic.seconds() - trainingStarted

        let written: [UInt8]
        do { written = try head.writing(weights: final.weights, bias: final.bias, into: try settings.model.readBytes()) } catch {
            throw WatcherError(.model, "cannot write the new head into \(settings.model.name): \(error)")
        }
        try selfCheck(written, head: head, final: final, samples: samples, embeddings: embeddings, input: embedded.input)

        return LearnOutcome(
            modelName: settings.model.name, head: head, oldLabels: settings.labels, labels: labels, cropCounts: counts,
            skipped: skipped, folds: folds, l2: settings.l2,
            old: Evaluation(rows: labels, columns: settings.labels, pairs: samples.map { ($0.label, $0.oldPrediction) }),
            new: Evaluation(rows: labels, columns: labels, pairs: zip(samples, newPredictions).map { ($0.label, $1) }),
            modelBytes: written, modelFileName: head.format == .tflite ? "model.tflite" : "model.pb",
            embeddingSeconds: embeddingSeconds, trainingSeconds: trainingSeconds, iterations: final.iterations)
    }

    struct Embedded {
        var head: ClassifierHead
        var input: CropInputFormat
        var samples: [Sample]
        var embeddings: [Float]
        var skipped: [String]
    }

    /// Every crop through the model cut at its head, one at a time. The model is
    /// released when this returns, before the new model is written and checked, so the
    /// two are never in memory together.
    static func embedAll(_ crops: [LabeledCrop], _ settings: Settings, progress: (Progress) -> Void) throws(WatcherError) -> Embedded {
        let embedder = try CropEmbedder(model: settings.model, labels: settings.labels, preset: settings.preset)
        var embeddings: [Float] = []
        embeddings.reserveCapacity(crops.count * embedder.head.embeddingSize)
        var samples: [Sample] = []
        var skipped: [String] = []
        for (index, crop) in crops.enumerated() {
            progress(.embedding(done: index, total: crops.count))
            do {
                let jpeg = try FileSystem.read(crop.path, limit: 16 << 20)
                let (embedding, probabilities) = try embedder.embed(jpeg: jpeg)
                embeddings += embedding
                samples.append(Sample(crop: crop, label: crop.labelIndex, oldPrediction: argmax(probabilities)))
            } catch {
                skipped.append(crop.relativePath + ": " + error.message)
            }
        }
        progress(.embedding(done: crops.count, total: crops.count))
        return Embedded(head: embedder.head, input: embedder.inputFormat, samples: samples, embeddings: embeddings, skipped: skipped)
    }

    struct LabeledCrop {
        var relativePath: String
        var path: String
        var labelIndex: Int
        var name: String
    }

    struct Sample {
        var crop: LabeledCrop
        var label: Int
        var oldPrediction: Int
    }

    /// The labels of the new head and every crop under them: the model's own labels
    /// first, in their order, then new folders, sorted. A label of the model without
    /// crops is an error (the new head would never learn it), unless the archive has
    /// none of the model's labels: then it is a new task (say, your two classes on an
    /// ImageNet network) and the folders are the labels.
    static func labeledCrops(_ settings: Settings) throws(WatcherError) -> ([String], [LabeledCrop]) {
        let archive = ArchiveFolder(path: settings.archive)
        guard FileSystem.isDirectory(settings.archive) else {
            throw WatcherError(.usage, "--archive-dir \(settings.archive) is not a folder")
        }
        let folders = archive.labelFolders().filter { !archive.crops(in: $0).isEmpty }
        let kept = settings.labels.contains { folders.contains($0) } ? settings.labels : []
        for label in kept where !folders.contains(label) {
            throw WatcherError(.usage, "no crops of '\(label)' in \(FileSystem.join(settings.archive, label)); "
                + "the new head needs examples of every label the model has (\(settings.labels.joined(separator: ", ")))")
        }
        let labels = kept + folders.filter { !kept.contains($0) }
        guard labels.count >= 2 else {
            throw WatcherError(.usage, "\(settings.archive) has crops of \(labels.count) label(s); a classifier needs at least 2 folders of crops")
        }
        var crops: [LabeledCrop] = []
        for (index, label) in labels.enumerated() {
            for crop in archive.crops(in: label).sorted(by: { $0.name < $1.name }) {
                crops.append(LabeledCrop(relativePath: crop.relativePath, path: archive.filePath(crop), labelIndex: index, name: crop.name))
            }
        }
        return (labels, crops)
    }

    /// Fold of each sample: per label, ordered by a hash of the file name, dealt round-robin.
    static func foldAssignment(_ samples: [Sample], labelCount: Int, folds: Int) -> [Int] {
        var fold = [Int](repeating: 0, count: samples.count)
        for label in 0..<labelCount {
            let members = samples.indices.filter { samples[$0].label == label }
                .sorted { (fnv1a(samples[$0].crop.name), samples[$0].crop.name) < (fnv1a(samples[$1].crop.name), samples[$1].crop.name) }
            for (rank, index) in members.enumerated() { fold[index] = rank % folds }
        }
        return fold
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func train(_ indices: [Int], _ samples: [Sample], _ embeddings: [Float], _ size: Int, _ classes: Int,
                              _ loss: LogisticRegression.Loss, _ settings: LogisticRegression.Settings,
                              progress: (Int) -> Void) -> LogisticRegression.Result {
        var features: [Float] = []
        features.reserveCapacity(indices.count * size)
        for index in indices { features += embeddings[index * size..<(index + 1) * size] }
        return LogisticRegression.train(features: features, featureCount: size, labels: indices.map { samples[$0].label },
                                        classCount: classes, loss: loss, settings: settings, progress: progress)
    }

    /// The written file, loaded again, must compute the new head: run it on one crop
    /// of each label and compare with the head applied to that crop's embedding.
    private static func selfCheck(_ written: [UInt8], head: ClassifierHead, final: LogisticRegression.Result,
                                  samples: [Sample], embeddings: [Float], input: CropInputFormat) throws(WatcherError) {
        let model: Model
        do { model = try Model(bytes: written, options: LoadOptions(outputNames: [head.outputName])) } catch {
            throw WatcherError(.model, "the written model does not load: \(error)")
        }
        var checked = Set<Int>()
        for (index, sample) in samples.enumerated() where !checked.contains(sample.label) {
            checked.insert(sample.label)
            let image = try input.image(jpeg: try FileSystem.read(sample.crop.path, limit: 16 << 20))
            let convention = input.convention
            let got: [Float]
            do { got = try model.run(fillingInput: { image.writeTensor(convention, into: $0) })[0].values } catch {
                throw WatcherError(.model, "the written model does not run: \(error)")
            }
            let want = ClassifierHead.activate(ClassifierHead.logits(row(embeddings, index, head.embeddingSize),
                                                                     weights: final.weights, bias: final.bias), head.activation)
            guard got.count == want.count, zip(got, want).allSatisfy({ ($0 - $1).magnitude <= 1e-4 }) else {
                throw WatcherError(.model, "the written model disagrees with the trained head on \(sample.crop.relativePath) "
                    + "(\(got) vs \(want)); nothing was written")
            }
        }
    }

    static func row(_ embeddings: [Float], _ index: Int, _ size: Int) -> [Float] {
        Array(embeddings[index * size..<(index + 1) * size])
    }

    static func argmax<T: Comparable>(_ values: [T]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return best
    }
}

/// Predictions against the truth: rows are the crops' folders, columns what a head said.
public struct Evaluation: Sendable, Equatable {
    public var rows: [String]
    public var columns: [String]
    /// `matrix[row][column]`: crops of folder `row` the head called `column`.
    public var matrix: [[Int]]

    init(rows: [String], columns: [String], pairs: [(Int, Int)]) {
        self.rows = rows
        self.columns = columns
        matrix = [[Int]](repeating: [Int](repeating: 0, count: columns.count), count: rows.count)
        for (truth, prediction) in pairs { matrix[truth][prediction] += 1 }
    }

    public var total: Int { matrix.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Crops whose folder's name is the label the head gave.
    public var correct: Int {
        var sum = 0
        for (row, label) in rows.enumerated() {
            if let column = columns.firstIndex(of: label) { sum += matrix[row][column] }
        }
        return sum
    }

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
}

/// Seconds on a clock that never jumps, for the report's timings.
enum Monotonic {
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
