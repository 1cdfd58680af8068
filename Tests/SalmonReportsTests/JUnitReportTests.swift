import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SalmonAudit
@testable import SalmonReports

/// The elements of an XML document with their attributes and text, in document order.
final class XMLElementCollector: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []
    var error: (any Error)?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) { self.error = error }

    /// Parses `text`; nil when it is not well-formed XML.
    static func parse(_ text: String) -> [Element]? {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = XMLElementCollector()
        parser.delegate = collector
        guard parser.parse(), collector.error == nil else { return nil }
        return collector.elements
    }
}

@Suite struct JUnitReportTests {
    @Test func oneTestCasePerClaimAndAFailureForTheFailingOne() throws {
        let result = try ReportFixture.result()
        let xml = JUnitReport.render(result)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"))
        let elements = try #require(XMLElementCollector.parse(xml))
        let suites = elements.filter { $0.name == "testsuite" }
        #expect(suites.count == 1)
        #expect(suites.first?.attributes["name"] == result.name)
        #expect(suites.first?.attributes["tests"] == "2")
        #expect(suites.first?.attributes["failures"] == "1")
        let cases = elements.filter { $0.name == "testcase" }
        #expect(cases.map { $0.attributes["name"] } == ["label-concept@layers.0.post", "shuffled-control@blocks.0/mlp out"])
        #expect(cases.allSatisfy { $0.attributes["classname"] == "deadsalmon.\(result.name)" })
        let failures = elements.filter { $0.name == "failure" }
        #expect(failures.count == 1)
        // The message comes back exactly, after escaping and parsing.
        #expect(failures.first?.attributes["message"] == ReportFixture.failingMessage)
        let body = try #require(failures.first?.text)
        #expect(body.contains(ReportFixture.failingMessage))
        #expect(body.contains("- random-init: estimate 0.974 [0.962, 0.984], null median 0.518, p 0.001, p_adj 0.003, distinguishable"))
        #expect(body.contains("- moment-redraw: estimate 0.500 [0.490, 0.510], null median 0.500, p 1, p_adj 1, dead salmon"))
    }

    @Test func everythingIsEscaped() throws {
        let xml = JUnitReport.render(try ReportFixture.result())
        // The audit name is `planted <concepts> & "probes"`.
        #expect(xml.contains("name=\"planted &lt;concepts&gt; &amp; &quot;probes&quot;\""))
        #expect(!xml.contains("<concepts>"))
        // A failure message holding `<=`, `&` and quotes is escaped in the attribute and in the body.
        let message = #"estimate 0.500 <= null median 0.500 & p_adj 1 > alpha 0.05 ("dead salmon")"#
        let document = JUnitReport.document(suite: "s", properties: [], cases: [.init(name: "c", failure: (message, message))])
        #expect(document.contains("message=\"estimate 0.500 &lt;= null median 0.500 &amp; p_adj 1 &gt; alpha 0.05 (&quot;dead salmon&quot;)\""))
        #expect(!document.contains("\"dead salmon\""))
        #expect(XMLEscaping.escape("a'b\u{1}\nc", attribute: true) == "a&apos;b\u{FFFD}&#10;c")
        #expect(XMLEscaping.escape("a\nb") == "a\nb")
    }
}
