import Foundation
import Testing
import SalmonAudit
import SalmonStatistics
@testable import SalmonReports

@Suite struct NullFigureTests {
    @Test func sameInputGivesTheSameBytes() throws {
        let result = try ReportFixture.result()
        for test in result.tests {
            let first = NullFigure.svg(for: test)
            let again = try #require(try ReportFixture.result().tests.first { $0.id == test.id })
            let second = NullFigure.svg(for: again)
            #expect(first == second)
        }
    }

    @Test func isWellFormedXMLWithTheParts() throws {
        let result = try ReportFixture.result()
        for test in result.tests {
            let svg = NullFigure.svg(for: test)
            let elements = try #require(XMLElementCollector.parse(svg), "\(test.id)")
            #expect(elements.first?.name == "svg")
            #expect(elements.first?.attributes["width"] == "480")
            #expect(elements.first?.attributes["height"] == "200")
            // Histogram bars, the estimate line, and tick labels.
            #expect(elements.contains { $0.name == "line" && $0.attributes["stroke"] == "#cf222e" })
            #expect(elements.filter { $0.name == "text" }.count >= 5)
            #expect(!svg.contains("nan") && !svg.contains("inf") && !svg.contains("∞"))
        }
        let distinguishable = NullFigure.svg(for: result.tests[0])
        #expect(distinguishable.contains("fill-opacity=\"0.15\""))
        #expect(distinguishable.contains("label-concept at layers.0.post vs random-init: distinguishable"))
        // No interval, no band.
        #expect(!NullFigure.svg(for: result.tests[2]).contains("fill-opacity"))
    }

    @Test func degenerateAndEmptyNullsDoNotBreakTheFigure() throws {
        var test = try ReportFixture.result().tests[1]
        #expect(Set(test.null.values).count == 1)
        #expect(XMLElementCollector.parse(NullFigure.svg(for: test)) != nil)
        // Everything at one value, no interval.
        test.interval = nil
        test.estimate = 0.5
        #expect(XMLElementCollector.parse(NullFigure.svg(for: test)) != nil)
        // At zero.
        test.null.values = [0, 0, 0]
        test.estimate = 0
        #expect(XMLElementCollector.parse(NullFigure.svg(for: test)) != nil)
        // No draws, a NaN estimate, an undetermined interval, a non-finite draw.
        test.null.values = []
        test.estimate = .nan
        test.interval = ConfidenceIntervalFixture.undetermined
        let empty = NullFigure.svg(for: test)
        #expect(XMLElementCollector.parse(empty) != nil)
        #expect(empty.contains("no finite null draws"))
        test.null.values = [0.1, .infinity, .nan, 0.2]
        let partial = NullFigure.svg(for: test)
        #expect(XMLElementCollector.parse(partial) != nil)
        #expect(partial.contains("2 non-finite draws omitted"))
        #expect(!partial.contains("nan"))
    }

    @Test func histogramCountsEveryFiniteDraw() {
        let draws = ReportFixture.nullDraws
        let range = NullFigure.plottedRange(draws: draws, estimate: 0.974, interval: nil)
        let counts = NullFigure.histogram(draws, range: range)
        #expect(counts.count == NullFigure.bins)
        #expect(counts.reduce(0, +) == draws.count)
        #expect(range.lower < 0.5 && range.upper > 0.974)
        let ticks = NullFigure.xTicks(range)
        #expect(ticks.count >= 3 && ticks.count <= 11)
        #expect(ticks.allSatisfy { $0.value >= range.lower && $0.value <= range.upper })
    }

    /// A narrow null far from the estimate keeps its shape (bins over the null's own range), the
    /// median is marked, and the legend names the three marks.
    @Test func aNarrowNullFarFromTheEstimateIsNotOneBar() throws {
        let draws = (0..<199).map { 0.50 + 0.001 * Double(($0 * 37) % 199) / 199 }
        let bars = NullFigure.nullBars(draws)
        #expect(bars.count == 15)        // ⌈√199⌉
        #expect(bars.map(\.count).reduce(0, +) == 199)
        #expect(bars.filter { $0.count > 0 }.count > 10)
        #expect(abs((bars.first?.lower ?? .nan) - (draws.min() ?? 0)) < 1e-15 && abs((bars.last?.upper ?? .nan) - (draws.max() ?? 0)) < 1e-12)
        #expect(NullFigure.nullBars([0.3, 0.3, 0.3]).map(\.count) == [3])
        #expect(NullFigure.nullBars([0.1, 0.2]).count == 2)
        var test = try ReportFixture.result().tests[0]
        test.null.values = draws
        test.null.median = 0.5005
        test.estimate = 0.95
        let svg = NullFigure.svg(for: test)
        #expect(svg.contains("stroke-dasharray=\"4 3\""))
        #expect(svg.contains(">trained</text>") && svg.contains(">null median</text>") && svg.contains(">null draws</text>"))
        #expect(XMLElementCollector.parse(svg) != nil)
    }
}
