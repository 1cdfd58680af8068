import Testing
import SalmonAudit
import SalmonStatistics
@testable import SalmonReports

enum ConfidenceIntervalFixture {
    static let undetermined = ConfidenceInterval(lower: .nan, upper: .nan, level: 0.95)
}

@Suite struct ReportNumberFormatTests {
    @Test func pValuesHaveThreeSignificantDigits() {
        #expect(ReportNumberFormat.pValue(0.000999000999000999) == "0.000999")
        #expect(ReportNumberFormat.pValue(0.012345) == "0.0123")
        #expect(ReportNumberFormat.pValue(1) == "1")
        #expect(ReportNumberFormat.pValue(0.05) == "0.05")
        #expect(ReportNumberFormat.pValue(0.00099996) == "0.001")
        #expect(ReportNumberFormat.pValue(0.0000123456) == "0.0000123")
        #expect(ReportNumberFormat.pValue(1e-9) == "1.00e-09")
        #expect(ReportNumberFormat.pValue(0) == "0")
        #expect(ReportNumberFormat.pValue(.nan) == "—")
        #expect(ReportNumberFormat.pValue(nil) == "—")
    }

    @Test func fixedDecimals() {
        #expect(ReportNumberFormat.fixed(0.97412) == "0.974")
        #expect(ReportNumberFormat.fixed(-0.0001) == "0.000")
        #expect(ReportNumberFormat.fixed(-0.5) == "-0.500")
        #expect(ReportNumberFormat.fixed(nil) == "—")
        #expect(ReportNumberFormat.fixed(.nan) == "—")
        #expect(ReportNumberFormat.signed(0.456) == "+0.456")
        #expect(ReportNumberFormat.signed(0.0001) == "0.000")
        #expect(ReportNumberFormat.signed(-0.25) == "-0.250")
        #expect(ReportNumberFormat.estimate(0.5, interval: nil) == "0.500 [—]")
        #expect(ReportNumberFormat.estimate(0.5, interval: ConfidenceIntervalFixture.undetermined) == "0.500 [—]")
        #expect(ReportNumberFormat.percent(0.95) == "95 %")
        #expect(ReportNumberFormat.percent(0.975) == "97.5 %")
        #expect(ReportNumberFormat.exact(0.1) == "0.1")
        #expect(ReportNumberFormat.exact(.nan) == "")
    }

    @Test func settingsPrintAsWritten() {
        #expect(ReportNumberFormat.plain(0.05) == "0.05")
        #expect(ReportNumberFormat.plain(0) == "0")
        #expect(ReportNumberFormat.plain(1e-5) == "1e-05")
        #expect(ReportNumberFormat.plain(.nan) == "—")
    }

    @Test func figureNamesAreFilesystemSafeAndDistinct() throws {
        var result = try ReportFixture.result()
        #expect(ReportFiles.figureName(for: result.tests[0]) == "label-concept_layers.0.post_random-init.svg")
        #expect(ReportFiles.figureName(for: result.tests[2]) == "shuffled-control_blocks.0_mlp_out_random-init.svg")
        result.tests[1].id = "label-concept@layers.0.post#random-init"
        result.tests[2].id = "LABEL-CONCEPT_layers.0.post_random-init"
        #expect(ReportFiles.figureNames(for: result) == [
            "label-concept_layers.0.post_random-init.svg",
            "label-concept_layers.0.post_random-init-2.svg",
            "LABEL-CONCEPT_layers.0.post_random-init-3.svg",
        ])
        result.tests[0].id = String(repeating: "é", count: 300)
        let long = ReportFiles.figureName(for: result.tests[0])
        #expect(long.utf8.count < 255)
        #expect(long.hasSuffix(".svg"))
        #expect(long.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
    }
}
