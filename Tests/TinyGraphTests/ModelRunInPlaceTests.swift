import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ModelRunInPlaceTests {
    @Test func fillingTheInputInPlaceGivesTheSameOutputs() throws {
        let model = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        let input = try Fixtures.floats(Fixtures.realExport + "/input.f32")
        let copied = try model.run(input)
        let inPlace = try model.run(fillingInput: { buffer in
            #expect(buffer.count == input.count)
            for index in buffer.indices { buffer[index] = input[index] }
        })
        #expect(copied[0].values == inPlace[0].values)
    }

    @Test func refusesModelsWithSeveralInputs() throws {
        var graph = GraphBuilder()
        graph.placeholder("a", shape: [1, 2])
        graph.placeholder("b", shape: [1, 2])
        graph.node("sum", "Add", inputs: ["a", "b"])
        let model = try Model(bytes: graph.bytes)
        #expect(throws: TinyGraphError.self) { try model.run(fillingInput: { _ in }) }
    }
}
