import Foundation
import Testing
import SalmonAudit
import SalmonIO
@testable import SalmonReports

@Suite struct ReportWriterTests {
    /// Every file is written; a figure the writer wrote and no longer writes is removed on the
    /// next run, while files it did not write (a user's `old-test.svg`, `notes.txt`) are kept
    /// byte for byte (issue 13). The written figures are listed in `figures/.salmon-figures`.
    @Test func writesEveryKindOfFileAndRemovesStaleFigures() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root = directory + "/nested/report"
        try FileManager.default.createDirectory(atPath: root + "/figures", withIntermediateDirectories: true)
        try Data("<svg/>".utf8).write(to: URL(fileURLWithPath: root + "/figures/old-test.svg"))
        try Data("keep".utf8).write(to: URL(fileURLWithPath: root + "/figures/notes.txt"))

        let result = try ReportFixture.result()
        let written = try ReportWriter.write(result, to: root)

        let expected = [
            "figures/.salmon-figures",
            "figures/label-concept_layers.0.post_moment-redraw.svg",
            "figures/label-concept_layers.0.post_random-init.svg",
            "figures/notes.txt",
            "figures/old-test.svg",
            "figures/shuffled-control_blocks.0_mlp_out_random-init.svg",
            "junit.xml", "report.md", "results.csv", "results.json",
        ]
        #expect(ReportFixture.files(in: root) == expected)
        #expect(written.count == 7)
        #expect(written.last == root + "/report.md")
        let mine = ["figures/notes.txt", "figures/old-test.svg", "figures/.salmon-figures"]
        #expect(Set(written) == Set(expected.filter { !mine.contains($0) }.map { root + "/" + $0 }))
        #expect(try String(contentsOfFile: root + "/figures/.salmon-figures", encoding: .utf8)
                == result.tests.indices.map { ReportFiles.figureNames(for: result)[$0] + "\n" }.joined())
        #expect(FileManager.default.contents(atPath: root + "/figures/old-test.svg") == Data("<svg/>".utf8))

        let markdown = try String(contentsOfFile: root + "/report.md", encoding: .utf8)
        #expect(markdown == MarkdownReport.render(result))
        let json = try Data(contentsOf: URL(fileURLWithPath: root + "/results.json"))
        #expect(try AuditResult.read(json, source: "results.json") == result)
        let csv = try String(contentsOfFile: root + "/results.csv", encoding: .utf8)
        #expect(csv == CSVReport.render(result))
        let svg = try String(contentsOfFile: root + "/figures/label-concept_layers.0.post_random-init.svg", encoding: .utf8)
        #expect(svg == NullFigure.svg(for: result.tests[0]))

        // A second run with one test fewer removes that test's figure.
        var smaller = result
        smaller.tests.removeLast()
        try ReportWriter.write(smaller, to: root)
        #expect(!FileManager.default.fileExists(atPath: root + "/figures/shuffled-control_blocks.0_mlp_out_random-init.svg"))
        #expect(ReportFixture.files(in: root).count == expected.count - 1)
    }

    @Test func leavesNoTemporaryFiles() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReportWriter.write(try ReportFixture.result(), to: directory)
        try ReportWriter.write(try ReportFixture.result(), to: directory)
        let files = ReportFixture.files(in: directory)
        #expect(files.count == 8)
        // Only the figure manifest is a dotfile; no temporary file is left.
        #expect(!files.contains { $0.hasSuffix(".tmp") || (($0 as NSString).lastPathComponent.hasPrefix(".") && $0 != "figures/.salmon-figures") })
    }

    @Test func writesNothingWhenRenderingFails() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var result = try ReportFixture.result()
        result.tests[1].effect.auroc = .nan  // JSON cannot represent NaN
        let target = directory + "/report"
        #expect(throws: (any Error).self) { try ReportWriter.write(result, to: target) }
        #expect(!FileManager.default.fileExists(atPath: target))
        do {
            try ReportWriter.write(result, to: target)
        } catch let error as InputError {
            #expect(error.field == "tests[1].effect.auroc")
        }
    }

    @Test func refusesAFileWhereTheDirectoryShouldBe() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/report"))
        #expect(throws: (any Error).self) { try ReportWriter.write(try ReportFixture.result(), to: directory + "/report") }
    }
}
