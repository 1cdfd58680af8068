import SalmonAudit

/// The JUnit XML report: one test suite for the audit, one test case per claim outcome (a claim at
/// one site), a failure for each claim that does not hold.
///
/// CI systems show the failure message, which is the outcome's own one-line message (the claim
/// and its numbers); the failure's text lists each test behind it.
public enum JUnitReport {
    /// Renders the report of `result`.
    /// - Returns: an XML 1.0 document, UTF-8, ending in a newline.
    public static func render(_ result: AuditResult) -> String {
        let failures = result.claims.filter { !$0.holds }.count
        let name = XMLEscaping.escape(result.name, attribute: true)
        let testsByID = Dictionary(result.tests.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"deadsalmon\" tests=\"\(result.claims.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        xml += "  <testsuite name=\"\(name)\" tests=\"\(result.claims.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
        xml += "    <properties>\n"
        for (key, value) in properties(result) {
            xml += "      <property name=\"\(key)\" value=\"\(XMLEscaping.escape(value, attribute: true))\"/>\n"
        }
        xml += "    </properties>\n"
        for outcome in result.claims {
            let caseName = XMLEscaping.escape("\(outcome.claim)@\(outcome.site)", attribute: true)
            xml += "    <testcase classname=\"deadsalmon.\(name)\" name=\"\(caseName)\""
            if outcome.holds {
                xml += "/>\n"
                continue
            }
            xml += ">\n"
            xml += "      <failure message=\"\(XMLEscaping.escape(outcome.message, attribute: true))\" type=\"ClaimFails\">"
            xml += XMLEscaping.escape(failureText(outcome, testsByID: testsByID))
            xml += "</failure>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n"
        xml += "</testsuites>\n"
        return xml
    }

    /// The outcome's message, then one line per test: family, estimate, null median, p, p_adj, verdict.
    static func failureText(_ outcome: ClaimOutcome, testsByID: [String: TestResult]) -> String {
        var text = outcome.message + "\n"
        text += "expected: \(outcome.expectation == .null ? "a dead salmon (negative control)" : "distinguishable")\n"
        for id in outcome.testIDs {
            guard let test = testsByID[id] else {
                text += "- \(id): not in this result\n"
                continue
            }
            text += "- \(test.family): estimate \(ReportNumberFormat.estimate(test.estimate, interval: test.interval))"
            text += ", null median \(ReportNumberFormat.fixed(test.null.median))"
            text += ", p \(ReportNumberFormat.pValue(test.pValue)), p_adj \(ReportNumberFormat.pValue(test.adjustedPValue))"
            text += ", \(ReportNumberFormat.verdictText(test.verdict))\n"
        }
        return text
    }

    /// What a reader of the CI log needs to reproduce the run.
    static func properties(_ result: AuditResult) -> [(String, String)] {
        let p = result.provenance
        return [
            ("package", "\(p.package) \(p.packageVersion)"),
            ("masterSeed", "\(p.masterSeed)"),
            ("generator", p.generator),
            ("specHash", p.specHash),
            ("dataHash", p.dataHash),
            ("evaluationHash", p.evaluationHash),
            ("alpha", ReportNumberFormat.plain(result.policy.alpha)),
            ("correction", result.policy.correction.rawValue),
        ]
    }
}
