import SalmonAudit

/// The JUnit XML report: one test suite for the audit, one test case per claim outcome (a claim at
/// one site), a failure for each claim that does not hold.
///
/// CI systems show the failure message, which is the outcome's own one-line message (the claim
/// and its numbers); the failure's text lists each test behind it.
public enum JUnitReport {
    /// One test case: its name, and for a claim that does not hold the failure's message and text.
    public struct TestCase: Sendable {
        public var name: String
        public var failure: (message: String, text: String)?
        public init(name: String, failure: (message: String, text: String)? = nil) {
            self.name = name
            self.failure = failure
        }
    }

    /// A JUnit document: one suite named `suite`, its properties, one test case per claim — the
    /// writer of every report's `junit.xml` (audits, identifiability audits).
    /// - Returns: an XML 1.0 document, UTF-8, ending in a newline.
    public static func document(suite: String, properties: [(String, String)], cases: [TestCase]) -> String {
        let failures = cases.filter { $0.failure != nil }.count
        let name = XMLEscaping.escape(suite, attribute: true)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"deadsalmon\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        xml += "  <testsuite name=\"\(name)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
        xml += "    <properties>\n"
        for (key, value) in properties {
            xml += "      <property name=\"\(key)\" value=\"\(XMLEscaping.escape(value, attribute: true))\"/>\n"
        }
        xml += "    </properties>\n"
        for testCase in cases {
            xml += "    <testcase classname=\"deadsalmon.\(name)\" name=\"\(XMLEscaping.escape(testCase.name, attribute: true))\""
            guard let failure = testCase.failure else {
                xml += "/>\n"
                continue
            }
            xml += ">\n"
            xml += "      <failure message=\"\(XMLEscaping.escape(failure.message, attribute: true))\" type=\"ClaimFails\">"
            xml += XMLEscaping.escape(failure.text)
            xml += "</failure>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n"
        xml += "</testsuites>\n"
        return xml
    }

    /// Renders the report of `result`.
    /// - Returns: an XML 1.0 document, UTF-8, ending in a newline.
    public static func render(_ result: AuditResult) -> String {
        let testsByID = Dictionary(result.tests.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let cases = result.claims.map { outcome in
            TestCase(name: "\(outcome.claim)@\(outcome.site)",
                     failure: outcome.holds ? nil : (AuditProse.message(outcome, in: result), failureText(outcome, in: result, testsByID: testsByID)))
        }
        return document(suite: result.name, properties: properties(result), cases: cases)
    }

    /// The outcome's message, then one line per test: family, estimate, null median, p, p_adj, verdict.
    static func failureText(_ outcome: ClaimOutcome, in result: AuditResult, testsByID: [String: TestResult]) -> String {
        var text = AuditProse.message(outcome, in: result) + "\n"
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
