import Foundation
import Testing

/// The `tinygraph` command-line contract that scripts depend on.
@Suite struct TinyGraphCLITests {
    let model = Fixtures.realExport + "/model.pb"
    let input = Fixtures.realExport + "/input.f32"

    /// Failures are one line on stderr and a non-zero exit.
    private func expectOneLineFailure(_ result: CommandRunner.Result, mentioning text: String) {
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("tinygraph: error: "))
        #expect(result.stderr.contains(text), "stderr: \(result.stderr)")
    }

    @Test func runWritesTheOutputAndPrintsLabelledTopValues() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.f32").path
        let result = try CommandRunner.tinygraph(["run", model, "--input", input, "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("output loss [1, 4] float32"))
        // Banana is the golden output's largest value (0.2258).
        #expect(result.stdout.split(separator: "\n").dropFirst().first?.contains("Banana") == true)
        let written = try Fixtures.floats(output)
        let golden = try Fixtures.floats(Fixtures.realExport + "/output_0.f32")
        #expect(written.count == 4)
        for (a, b) in zip(written, golden) { #expect(abs(a - b) <= 1e-5) }
        // No temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.f32"])
    }

    @Test func inspectJSONReportsTheModel() throws {
        let result = try CommandRunner.tinygraph(["inspect", model, "--json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        #expect(inputs.first?["name"] as? String == "Placeholder")
        #expect(inputs.first?["shape"] as? [Int] == [1, 227, 227, 3])
        #expect(json["multiply_adds"] as? Int == 287_397_568)
        // Convolutions with their biases and the classifier; data_bn's 6 values are folded into conv1.
        #expect(json["parameters"] as? Int == 724_548)
        #expect((json["arena_bytes"] as? Int ?? 0) > 0)
        #expect((json["file_op_counts"] as? [String: Int])?["Conv2D"] == 25)
    }

    @Test func inspectTextAndInputShapeOption() throws {
        let result = try CommandRunner.tinygraph(["inspect", model, "--input-shape", "2,227,227,3"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("input  Placeholder [2, 227, 227, 3] float32"))
        #expect(result.stdout.contains("output loss [2, 4] float32"))
    }

    @Test func benchJSONReportsLatencyMemoryAndSteps() throws {
        let result = try CommandRunner.tinygraph(["bench", model, "--runs", "2", "--warmup", "0", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let median = try #require(json["median_ms"] as? Double)
        let minimum = try #require(json["min_ms"] as? Double)
        #expect(median > 0 && minimum > 0 && minimum <= median)
        #expect(json["multiply_adds"] as? Int == 287_397_568)
        #expect((json["peak_rss_bytes"] as? Int ?? 0) > 1 << 20)
        let steps = try #require(json["steps"] as? [[String: Any]])
        let ops = try #require(json["ops"] as? [[String: Any]])
        #expect(steps.count == ops.reduce(0) { $0 + ($1["count"] as? Int ?? 0) })
        #expect(steps.filter { $0["op"] as? String == "Conv2D" }.count == 8)
        #expect(steps.filter { $0["op"] as? String == "Conv2D+ConcatV2" }.count == 8)
        #expect(steps.filter { $0["op"] as? String == "Conv2D+MaxPool" }.count == 1)
    }

    /// bench --threads 2: the thread count, and a one-thread median from the same process.
    @Test func benchWithThreadsReportsTheSpeedUpAgainstOneThread() throws {
        let json = try CommandRunner.tinygraph(["bench", model, "--runs", "2", "--warmup", "0", "--threads", "2", "--json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["threads"] as? Int == 2)
        let median = try #require(report["median_ms"] as? Double)
        let oneThread = try #require(report["one_thread_median_ms"] as? Double)
        let speedup = try #require(report["speedup"] as? Double)
        #expect(median > 0 && oneThread > 0)
        #expect(abs(speedup - oneThread / median) <= 1e-9 * speedup)

        let text = try CommandRunner.tinygraph(["bench", model, "--runs", "2", "--warmup", "0", "--threads", "2"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("threads   2"))
        #expect(text.stdout.contains("1 thread  median") && text.stdout.contains("speed-up"))

        // One thread: no comparison.
        let single = try CommandRunner.tinygraph(["bench", model, "--runs", "2", "--warmup", "0", "--json"])
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
        #expect(plain["threads"] as? Int == 1)
        #expect(plain["speedup"] is NSNull && plain["one_thread_median_ms"] is NSNull)
    }

    /// run --threads N writes the same bytes as one thread.
    @Test func runWithThreadsWritesTheSameBytes() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var outputs: [Data] = []
        for threads in ["1", "3", "0"] {
            let path = directory.appendingPathComponent("out-\(threads).f32").path
            let result = try CommandRunner.tinygraph(["run", model, "--input", input, "--output", path, "--threads", threads])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(outputs[0].count == 16 && outputs.allSatisfy { $0 == outputs[0] })
    }

    @Test(arguments: [("-1", "--threads must be an integer of at least 0"), ("two", "--threads must be an integer of at least 0"),
                      ("257", "--threads must be at most 256")])
    func badThreadCountsAreUsageErrors(_ value: String, _ message: String) throws {
        let result = try CommandRunner.tinygraph(["bench", model, "--runs", "1", "--threads", value])
        expectOneLineFailure(result, mentioning: message)
        #expect(result.status == 64)
    }

    @Test func benchRejectsZeroRuns() throws {
        let result = try CommandRunner.tinygraph(["bench", model, "--runs", "0"])
        expectOneLineFailure(result, mentioning: "--runs must be an integer of at least 1")
        #expect(result.status == 64)
    }

    @Test func usageErrorsAreOneLineWithStatus64() throws {
        let unknown = try CommandRunner.tinygraph(["inspect", model, "--frobnicate"])
        expectOneLineFailure(unknown, mentioning: "unknown option '--frobnicate'")
        #expect(unknown.status == 64)
        let missingValue = try CommandRunner.tinygraph(["run", model, "--input"])
        expectOneLineFailure(missingValue, mentioning: "'--input' needs a value")
        let missingModel = try CommandRunner.tinygraph(["inspect"])
        expectOneLineFailure(missingModel, mentioning: "missing MODEL")
        let missingOutput = try CommandRunner.tinygraph(["run", model, "--input", input])
        expectOneLineFailure(missingOutput, mentioning: "missing '--output'")
        let subcommand = try CommandRunner.tinygraph(["frobnicate"])
        expectOneLineFailure(subcommand, mentioning: "unknown subcommand 'frobnicate'")
        #expect(subcommand.status == 64)
    }

    @Test func helpDescribesEveryOption() throws {
        let overview = try CommandRunner.tinygraph(["--help"])
        #expect(overview.status == 0)
        for subcommand in ["inspect", "run", "bench"] { #expect(overview.stdout.contains("  \(subcommand) ")) }
        let help = try CommandRunner.tinygraph(["run", "--help"])
        #expect(help.status == 0)
        for option in ["--input <file>", "--output <file>", "--input-shape <dims>", "--output-node <name>", "--top <n>"] {
            #expect(help.stdout.contains(option), "run --help lacks \(option)")
        }
    }

    @Test func optionValuesMayFollowAnEqualsSign() throws {
        let result = try CommandRunner.tinygraph(["inspect", model, "--input-shape=2,227,227,3"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("input  Placeholder [2, 227, 227, 3] float32"))
    }

    @Test func missingModelIsOneLineError() throws {
        expectOneLineFailure(try CommandRunner.tinygraph(["inspect", "/nonexistent/model.pb"]), mentioning: "cannot open")
    }

    @Test func corruptModelIsOneLineErrorAndNoOutputIsWritten() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let truncated = directory.appendingPathComponent("truncated.pb")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        try bytes.prefix(12_345).write(to: truncated)
        let output = directory.appendingPathComponent("out.f32").path
        let result = try CommandRunner.tinygraph(["run", truncated.path, "--input", input, "--output", output])
        expectOneLineFailure(result, mentioning: "malformed model file")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func wrongInputSizeIsOneLineError() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let small = directory.appendingPathComponent("small.f32")
        try Data(count: 400).write(to: small)
        let output = directory.appendingPathComponent("out.f32").path
        let result = try CommandRunner.tinygraph(["run", model, "--input", small.path, "--output", output])
        expectOneLineFailure(result, mentioning: "needs 154587")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func unwritableOutputIsOneLineError() throws {
        let result = try CommandRunner.tinygraph(["run", model, "--input", input, "--output", "/nonexistent/dir/out.f32"])
        expectOneLineFailure(result, mentioning: "cannot create")
    }

    @Test func unknownOutputNodeIsOneLineError() throws {
        let result = try CommandRunner.tinygraph(["inspect", model, "--output-node", "nope"])
        expectOneLineFailure(result, mentioning: "no node named 'nope'")
    }

    @Test func outputNodeSelectsAnIntermediateTensor() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("pool.f32").path
        let result = try CommandRunner.tinygraph(["run", model, "--input", input, "--output-node", "pool10", "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("output pool10 ["))
    }
}
