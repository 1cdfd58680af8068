import Foundation
import Testing

/// The committed bad-input corpus (`BadInputs/cases.json`, files in `BadInputs/files/`, made by
/// `BadInputs/generate.py`): every command against every kind of bad input a careless or hostile
/// user produces. Each case must end with exit status 2, exactly one line on stderr starting
/// `salmon: error: ` and naming what is at fault (the case's `mentions`), nothing on stdout, and the
/// output directory exactly as it was before — a user's `keep.txt` and `figures/my_plot.svg`, byte
/// for byte, nothing added — and nothing else created in the working directory.
@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var args: [String]
        var stdin: String?
        var files: [String: String]?
        var mentions: [String]
        var testDescription: String { name }
    }
    struct Corpus: Decodable { var cases: [Case] }

    static let directory = packageRoot.appendingPathComponent("Tests/SalmonCLITests/BadInputs", isDirectory: true)

    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("cases.json")),
              let corpus = try? JSONDecoder().decode(Corpus.self, from: data) else { return [] }
        return corpus.cases
    }()

    static let userFiles: [String: Data] = ["keep.txt": Data("a file of the user's\n".utf8),
                                            "figures/my_plot.svg": Data("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".utf8)]

    /// Every regular file and directory below `root`, relative, with the bytes of the files.
    static func tree(_ root: String) -> [String: Data?] {
        var out: [String: Data?] = [:]
        guard let walk = FileManager.default.enumerator(atPath: root) else { return out }
        while let name = walk.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { out[name] = nil; continue }
            out[name] = isDirectory.boolValue ? .some(nil) : FileManager.default.contents(atPath: path)
        }
        return out
    }

    @Test func theCorpusIsLargeAndNamesUnique() {
        #expect(Self.cases.count >= 349, "\(Self.cases.count) cases")
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
        #expect(Self.cases.allSatisfy { !$0.mentions.isEmpty })
    }

    @Test(arguments: cases)
    func refusedCleanly(_ input: Case) throws {
        let binary = try #require(SalmonBinary.url)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("salmon-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch + "/OUT/figures", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createSymbolicLink(atPath: scratch + "/in", withDestinationPath: Self.directory.appendingPathComponent("files").path)
        for (name, data) in Self.userFiles { try data.write(to: URL(fileURLWithPath: scratch + "/OUT/" + name)) }
        for (name, text) in input.files ?? [:] {
            let url = URL(fileURLWithPath: scratch + "/" + name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        // Standard streams as files, so that a child filling a pipe never blocks.
        let io = scratch + "/.io"
        try FileManager.default.createDirectory(atPath: io, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: io + "/stdout", contents: nil)
        FileManager.default.createFile(atPath: io + "/stderr", contents: nil)
        FileManager.default.createFile(atPath: io + "/stdin", contents: Data((input.stdin ?? "").utf8))
        let before = Self.tree(scratch)

        let process = Process()
        process.executableURL = binary
        process.arguments = input.args.map { $0.replacingOccurrences(of: "OUT", with: scratch + "/OUT") }
        process.currentDirectoryURL = URL(fileURLWithPath: scratch)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: io + "/stdin"))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/stdout"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/stderr"))
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: FileManager.default.contents(atPath: io + "/stdout") ?? Data(), as: UTF8.self)
        let stderr = String(decoding: FileManager.default.contents(atPath: io + "/stderr") ?? Data(), as: UTF8.self)

        #expect(process.terminationReason == .exit && process.terminationStatus == 2, "status \(process.terminationStatus); stderr: \(stderr)")
        #expect(stdout.isEmpty, "stdout: \(stdout.prefix(300))")
        #expect(stderr.hasPrefix("salmon: error: ") && stderr.hasSuffix("\n") && stderr.filter { $0 == "\n" }.count == 1, "stderr: \(stderr)")
        for text in input.mentions {
            #expect(stderr.contains(text.replacingOccurrences(of: "OUT", with: scratch + "/OUT")), "stderr does not name \(text): \(stderr)")
        }
        var after = Self.tree(scratch)
        for name in ["stdout", "stderr", "stdin"] { after[".io/" + name] = before[".io/" + name] }
        let changed = Set(before.keys).symmetricDifference(after.keys).sorted()
            + before.keys.filter { after[$0] != nil && after[$0]! != before[$0]! }.sorted()
        #expect(changed.isEmpty, "files created, removed or changed: \(changed)")
    }
}
