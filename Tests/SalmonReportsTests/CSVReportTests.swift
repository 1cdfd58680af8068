import Testing
import SalmonAudit
@testable import SalmonReports

/// Splits RFC 4180 text (with `\n` line ends) into records of fields.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var quoted = false, afterQuote = false
    for character in text {
        if quoted {
            if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
            continue
        }
        switch character {
        case "\"":
            if afterQuote { field.append("\"") }
            quoted = true
        case ",": record.append(field); field = ""
        case "\n": record.append(field); records.append(record); record = []; field = ""
        default: field.append(character)
        }
        afterQuote = false
    }
    return records
}

@Suite struct CSVReportTests {
    @Test func headerAndOneRowPerTest() throws {
        let result = try ReportFixture.result()
        let csv = CSVReport.render(result)
        #expect(csv.hasSuffix("\n"))
        #expect(!csv.contains("\r"))
        let records = parseCSV(csv)
        #expect(records.count == result.tests.count + 1)
        #expect(records[0].joined(separator: ",") == "test_id,claim,site,family,method,statistic,direction,estimate,ci_lower,ci_upper,ci_level,interval_method,null_count,models_per_draw,null_mean,null_sd,null_median,null_q025,null_q975,extreme_count,p_value,p_ci_lower,p_ci_upper,p_adjusted,correction,effect_difference,effect_standardized,auroc,verdict,reason")
        for record in records { #expect(record.count == 30) }
        #expect(records.dropFirst().map { $0[0] } == result.tests.map(\.id))
        #expect(records.dropFirst().map { $0[28] } == ["distinguishable", "dead-salmon", "inconclusive"])
    }

    @Test func fieldsWithCommasAndQuotesAreQuoted() throws {
        let result = try ReportFixture.result()
        let csv = CSVReport.render(result)
        // The inconclusive test's interval method holds a comma and double quotes.
        #expect(csv.contains(#","two-level bootstrap (1 seed × 40 inputs, ""crossed""), B = 2000","#))
        let records = parseCSV(csv)
        #expect(records[3][11] == ReportFixture.inconclusiveIntervalMethod)
        // The reason is composed from the verdict's structured basis.
        #expect(records[3][29] == ReportFixture.inconclusiveReason)
        #expect(records[1][29] == "p_adj = 0.003 ≤ α = 0.05; estimate − null median = 0.456")
        #expect(records[2][29] == "p_adj = 1 > α = 0.05 (b = 9 of K = 9 null draws at least as large)")
        #expect(CSVReport.quoted("plain") == "plain")
        #expect(CSVReport.quoted("a\nb") == "\"a\nb\"")
    }

    @Test func numbersRoundTripExactlyAndAbsentValuesAreEmpty() throws {
        let result = try ReportFixture.result()
        let records = parseCSV(CSVReport.render(result))
        let column = { (name: String) in try #require(CSVReport.columns.firstIndex(of: name)) }
        for (test, record) in zip(result.tests, records.dropFirst()) {
            #expect(Double(record[try column("estimate")]) == test.estimate)
            #expect(Double(record[try column("null_mean")]) == test.null.mean)
            #expect(Double(record[try column("null_sd")]) == test.null.standardDeviation)
            #expect(Double(record[try column("p_value")]) == test.pValue)
            #expect(Double(record[try column("p_adjusted")]) == test.adjustedPValue)
            #expect(Double(record[try column("effect_difference")]) == test.effect.difference)
            #expect(Int(record[try column("null_count")]) == test.null.values.count)
            #expect(record[try column("correction")] == "holm")
            #expect(!record.contains("nan"))
        }
        #expect(records[1][try column("estimate")] == "0.9741234567890124")
        // Dead salmon: no standardized effect. Inconclusive: no interval.
        #expect(records[2][try column("effect_standardized")] == "")
        #expect(records[3][try column("ci_lower")] == "")
        #expect(records[3][try column("ci_upper")] == "")
        #expect(records[3][try column("ci_level")] == "")
        #expect(Double(records[3][try column("effect_standardized")]) == -1.2e-15)
    }
}
