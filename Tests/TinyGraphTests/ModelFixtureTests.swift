import Testing
@_spi(Testing) @testable import TinyGraph

/// Every committed fixture model against TensorFlow's own outputs.
@Suite struct ModelFixtureTests {
    @Test(arguments: Fixtures.names())
    func matchesTensorFlow(_ name: String) throws {
        let fixture = try Fixtures.load(name)
        let model = try Model(contentsOf: fixture.directory + "/model.pb",
                              options: LoadOptions(outputNames: fixture.outputs.map(\.name)))
        #expect(model.inputs.map(\.name) == [fixture.input])
        #expect(model.inputs[0].shape == fixture.inputShape)
        let outputs = try model.run(fixture.input32)
        #expect(outputs.count == fixture.outputs.count)
        for (output, expected) in zip(outputs, fixture.outputs) {
            #expect(output.shape == expected.shape, "\(name) \(expected.name)")
            let error = OpTest.compare(output.values, expected.values)
            let tolerance = Fixtures.tolerance(expected)
            #expect(error <= tolerance, "\(name) \(expected.name): \(error); tolerance \(tolerance)")
        }
    }

    @Test func fixturesCoverEveryOpTheEngineSupports() throws {
        var covered = Set<String>()
        for name in Fixtures.names() { covered.formUnion(try Fixtures.load(name).ops) }
        let missing = (OperatorRegistry.structuralOps + OperatorRegistry.familyOps).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "ops without a TensorFlow fixture: \(missing)")
    }

    /// The golden pair from ../shared, made by TensorFlow 2.21, within 1e-5.
    @Test func realCustomVisionExportMatchesTheGoldenOutput() throws {
        let model = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        #expect(model.inputs[0].shape == [1, 227, 227, 3])
        #expect(model.outputs.map(\.name) == ["loss"])
        let input = try Fixtures.floats(Fixtures.realExport + "/input.f32")
        let expected = try Fixtures.floats(Fixtures.realExport + "/output_0.f32")
        let output = try model.run(input)[0]
        #expect(output.shape == [1, 4])
        #expect(OpTest.compare(output.values, expected) <= 1e-5)
    }
}
