import Testing
@_spi(Testing) @testable import TinyGraph

/// Every fixture model (TensorFlow and TFLite) at 2, 3 and 4 threads gives exactly
/// the 1-thread outputs, bit for bit: at 2 and 4 threads with the engine's own
/// splitting (which leaves most small fixtures' steps whole), at 3 threads with
/// every step split as finely as it can be (`LoadOptions.splitsAllWork`), which runs
/// every split path on every fixture; the 4-thread model runs twice (the second run
/// wakes the parked threads). Five runs a fixture: the real export takes about 10 s
/// a run in a debug build.
@Suite struct ThreadFixtureTests {
    static let configurations = [(threads: 2, splitsAllWork: false, runs: 1), (threads: 3, splitsAllWork: true, runs: 1),
                                 (threads: 4, splitsAllWork: false, runs: 2)]

    private func outputsMatchOneThread(model path: String, outputNames: [String], input: [Float], _ name: String) throws {
        let one = try Model(contentsOf: path, options: LoadOptions(outputNames: outputNames))
        let expected = try one.run(input)
        for configuration in Self.configurations {
            var options = LoadOptions(outputNames: outputNames, threads: configuration.threads)
            options.splitsAllWork = configuration.splitsAllWork
            let model = try Model(contentsOf: path, options: options)
            #expect(model.threadCount == configuration.threads)
            for run in 0..<configuration.runs {
                let outputs = try model.run(input)
                #expect(outputs.count == expected.count)
                for (output, reference) in zip(outputs, expected) {
                    #expect(output.shape == reference.shape)
                    let same = output.values.map(\.bitPattern) == reference.values.map(\.bitPattern)
                    let label = "\(name) \(output.name), \(configuration.threads) threads (split all: \(configuration.splitsAllWork), run \(run))"
                    #expect(same, "\(label): differs from 1 thread by \(OpTest.compare(output.values, reference.values))")
                }
            }
        }
    }

    @Test(arguments: Fixtures.names())
    func tensorFlowFixtureGivesTheSameBitsOnEveryThreadCount(_ name: String) throws {
        let fixture = try Fixtures.load(name)
        try outputsMatchOneThread(model: fixture.directory + "/model.pb", outputNames: fixture.outputs.map(\.name),
                                  input: fixture.input32, name)
    }

    @Test(arguments: TFLiteFixtures.names())
    func tfliteFixtureGivesTheSameBitsOnEveryThreadCount(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        try outputsMatchOneThread(model: fixture.model, outputNames: [], input: fixture.input32, name)
    }
}
