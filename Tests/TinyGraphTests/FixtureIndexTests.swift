import Foundation
import Testing

/// The fixture folders and their indexes agree, so that the parameterised fixture
/// suites (which take their cases from the index) run every fixture there is.
@Suite struct FixtureIndexTests {
    @Test(arguments: [Fixtures.root, TFLiteFixtures.root])
    func theIndexListsEveryFixtureFolderAndItsOutputs(_ folder: String) throws {
        let entries = try FixtureIndex.entries(in: folder)
        #expect(entries.count >= 20, "\(folder)/index.json lists only \(entries.count) fixtures")
        #expect(entries.map(\.name) == (try FixtureIndex.foldersOnDisk(in: folder)),
                "the index and the fixture folders on disk differ")
        for entry in entries {
            let meta = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + entry.name + "/meta.json"))) as! [String: Any]
            #expect((meta["outputs"] as! [Any]).count == entry.outputs, "\(entry.name): outputs in meta.json and index.json")
        }
    }

    @Test func everyIndexedFixtureLoadsWithGoldensOfTheRightLength() throws {
        for name in try FixtureIndex.entries(in: Fixtures.root).map(\.name) {
            #expect(throws: Never.self, "\(name)") { _ = try Fixtures.load(name) }
        }
        for name in try FixtureIndex.entries(in: TFLiteFixtures.root).map(\.name) {
            #expect(throws: Never.self, "\(name)") { _ = try TFLiteFixtures.load(name) }
        }
    }

    /// The suites' argument lists are the index: both folders' fixtures all run.
    @Test func theFixtureSuitesRunEveryIndexedFixture() throws {
        #expect(Fixtures.names() == (try FixtureIndex.entries(in: Fixtures.root).map(\.name)))
        let withOutputs = try FixtureIndex.entries(in: TFLiteFixtures.root).filter { $0.outputs > 0 }.map(\.name)
        #expect(TFLiteFixtures.names() == withOutputs)
    }
}
