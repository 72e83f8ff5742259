import Foundation
import Testing

/// macOS's and Windows' default disks ignore case: two tracked paths that differ only
/// by case (`Sources/TinyGraph` and `Sources/tinygraph`) land in one folder there, and
/// the package no longer builds. Folders count as paths too.
@Suite struct CaseCollisionTests {
    @Test func noTwoTrackedPathsDifferOnlyByCase() throws {
        let paths = try Repository.trackedPaths()
        #expect(paths.count > 100, "git ls-files listed only \(paths.count) paths")
        let collisions = Repository.caseCollisions(in: paths)
        #expect(collisions.isEmpty, "paths equal when lower-cased: \(collisions)")
    }

    @Test func collisionsAreFoundInFilesAndFolders() {
        // The check itself must be able to fail: a folder pair and a file pair.
        let found = Repository.caseCollisions(in: ["Sources/TinyGraph/A.swift", "Sources/tinygraph/B.swift",
                                                   "README.md", "readme.md", "Tests/x.swift"])
        #expect(found == [["README.md", "readme.md"], ["Sources/TinyGraph", "Sources/tinygraph"]])
    }
}

enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every tracked file, from git (the test runs in a clone).
    static func trackedPaths() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path, "ls-files", "-z"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "git ls-files failed in \(root.path)"])
        }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Groups of distinct paths (files and every folder above them) that are equal when
    /// lower-cased, each group sorted, groups sorted by their first path.
    static func caseCollisions(in files: [String]) -> [[String]] {
        var all = Set<String>()
        for file in files {
            let parts = file.split(separator: "/")
            for end in 1...parts.count { all.insert(parts[0..<end].joined(separator: "/")) }
        }
        let groups = Dictionary(grouping: all, by: { $0.lowercased() }).values.filter { $0.count > 1 }
        return groups.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
