import Foundation
import Testing
@testable import Watcher

@Suite struct HistoryLogTests {
    func temporaryPath() throws -> String {
        let folder = NSTemporaryDirectory() + "watcher-history-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + "/camera-x.history.jsonl"
    }

    func entry(_ index: Int) -> HistoryEntry {
        index % 3 == 2
            ? HistoryEntry(time: 1_700_000_000_000 + index * 300_000, camera: "Front door", events: index == 5 ? ["unreachable"] : [],
                           error: "still export failed (status failed) \"ü\"", cause: .cameraOffline)
            : HistoryEntry(time: 1_700_000_000_000 + index * 300_000, camera: "Front door", label: "open", probability: 0.97,
                           alertProbability: 0.97, verdict: .alert, events: index == 1 ? ["opened"] : [])
    }

    @Test func entriesRoundTrip() throws {
        let log = HistoryLog(path: try temporaryPath())
        let entries = (0..<6).map(entry)
        for item in entries { try log.append(item) }
        let read = log.read()
        #expect(read.entries == entries && read.damagedLines == 0)
    }

    /// A crash can cut the file at any byte: every line before the cut reads back,
    /// and the next check's line is not lost to the torn one.
    @Test func aHistoryCutAtAnyByteReadsBackEveryCompleteLine() throws {
        let path = try temporaryPath()
        let log = HistoryLog(path: path)
        let entries = (0..<6).map(entry)
        for item in entries { try log.append(item) }
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for cut in 0...whole.count {
            let prefix = Array(whole[..<cut])
            try Data(prefix).write(to: URL(fileURLWithPath: path))
            let complete = prefix.filter { $0 == UInt8(ascii: "\n") }.count
            let read = log.read()
            #expect(read.entries == Array(entries.prefix(complete)), "cut at byte \(cut)")
            #expect(read.damagedLines == 0, "cut at byte \(cut)")
            // The next append starts on its own line: the torn line stays alone, and
            // counts as damaged unless the cut fell just before its line break.
            let next = entry(99)
            try log.append(next)
            let after = log.read()
            let torn = prefix.last.map { $0 != UInt8(ascii: "\n") } ?? false
            let wholeButItsLineBreak = torn && cut < whole.count && whole[cut] == UInt8(ascii: "\n")
            let kept = Array(entries.prefix(complete + (wholeButItsLineBreak ? 1 : 0)))
            #expect(after.entries == kept + [next], "append after a cut at byte \(cut)")
            #expect(after.damagedLines == (torn && !wholeButItsLineBreak ? 1 : 0), "cut at byte \(cut)")
        }
    }

    @Test func generationsBoundTheFileAndRotateAtomically() throws {
        let path = try temporaryPath()
        let log = HistoryLog(path: path, generationLines: 4)
        // 64 bytes a line is the size below which counting is skipped; these lines are longer.
        let entries = (0..<11).map(entry)
        for item in entries { try log.append(item) }
        #expect(HistoryLog.countLines(path) == 3 && HistoryLog.countLines(log.previousPath) == 4)
        #expect(log.read().entries == Array(entries.suffix(7)))
        #expect(log.previousPath.hasSuffix("camera-x.history.1.jsonl"))
    }

    @Test func damagedLinesAreCountedNotReturned() throws {
        let path = try temporaryPath()
        let log = HistoryLog(path: path)
        try log.append(entry(0))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n{\"x\":1}\n".utf8))
        try handle.close()
        try log.append(entry(1))
        let read = log.read()
        #expect(read.entries == [entry(0), entry(1)] && read.damagedLines == 2)
    }
}
