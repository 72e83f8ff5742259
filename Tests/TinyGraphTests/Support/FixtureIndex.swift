import Foundation

/// A fixture folder's `index.json` (written by tools/make_fixtures.py and
/// make_tflite_fixtures.py through tools/fixture_index.py): every fixture's name and
/// output count. Parameterised tests take their arguments from it, so a deleted
/// fixture is a failing test case, not one test fewer.
enum FixtureIndex {
    struct Entry: Decodable, Equatable {
        var name: String
        var outputs: Int
    }

    static func entries(in folder: String) throws -> [Entry] {
        struct File: Decodable { var fixtures: [Entry] }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/index.json"))
        return try JSONDecoder().decode(File.self, from: data).fixtures
    }

    /// The listed names, for `@Test(arguments:)`. An unreadable index gives one name
    /// that cannot load, so the suite fails rather than running nothing.
    static func names(in folder: String) -> [String] {
        guard let entries = try? entries(in: folder), !entries.isEmpty else {
            return ["<\(folder)/index.json is missing, empty or unreadable>"]
        }
        return entries.map(\.name)
    }

    /// Folders on disk that hold a fixture (a meta.json).
    static func foldersOnDisk(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { FileManager.default.fileExists(atPath: folder + "/" + $0 + "/meta.json") }.sorted()
    }
}
