import Foundation
import Testing
import SalmonAudit
@testable import SalmonReports

@Suite struct GitHubStepSummaryTests {
    @Test func appendsTheSummaryTableEachTime() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/step_summary.md"
        try Data("# Earlier step\n".utf8).write(to: URL(fileURLWithPath: path))
        let environment = ["GITHUB_STEP_SUMMARY": path]
        let result = try ReportFixture.result()

        try GitHubStepSummary.append(result, environment: environment)
        try GitHubStepSummary.append(result, environment: environment)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# Earlier step\n\n## DeadSalmon audit: "))
        let header = "| claim | site | null family | statistic |"
        #expect(text.components(separatedBy: header).count - 1 == 2)
        #expect(text.components(separatedBy: "| label-concept | layers.0.post | random-init |").count - 1 == 2)
        #expect(text.components(separatedBy: "## DeadSalmon audit: ").count - 1 == 2)
    }

    @Test func createsTheFileWhenMissingAndDoesNothingOutsideCI() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/summary.md"
        try GitHubStepSummary.append(try ReportFixture.result(), environment: [:])
        try GitHubStepSummary.append(try ReportFixture.result(), environment: ["GITHUB_STEP_SUMMARY": ""])
        #expect(ReportFixture.files(in: directory).isEmpty)
        try GitHubStepSummary.append(try ReportFixture.result(), environment: ["GITHUB_STEP_SUMMARY": path])
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("## DeadSalmon audit: "))
        #expect(throws: (any Error).self) {
            try GitHubStepSummary.append(try ReportFixture.result(), environment: ["GITHUB_STEP_SUMMARY": directory + "/missing/x.md"])
        }
    }
}
