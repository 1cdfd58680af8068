import Foundation
import SalmonAudit
import SalmonIO

/// Writes the sanity-check reproduction: `NAME.md`, `NAME.csv`, one JUnit test case per test of
/// its audit in `NAME.junit.xml`, and `figures/NAME-*.svg`. (The audit's own report directory —
/// `results.json` with the generated spec and every null draw, a figure per test — is written by
/// ``ReportWriter`` where the command is asked for it.)
///
/// Every file is rendered in memory first and each is written atomically (``AtomicFile``); the
/// Markdown goes last, once the figures it links to are in place.
public enum SanityCheckReport {
    /// The base name of the files.
    public static let defaultName = "adebayo-sanity-checks"

    /// The figure files of a result: the cascading and independent curves per measure, then the
    /// faithfulness curves.
    static func figures(_ result: SanityCheckResult, name: String) -> [(file: String, svg: String)] {
        let layers = result.layers
        let cascading: [RandomizationStage] = [.original] + (1...layers).map { .cascading(step: $0) }
        let independent: [RandomizationStage] = [.original] + (0..<layers).reversed().map { .independent(layer: $0) }
        var out: [(String, String)] = []
        for measure in result.configuration.measures {
            out.append(("\(name)-cascading-\(measure.name).svg",
                        StageCurveFigure.svg(result, measure: measure, stages: cascading, title: "Cascading randomization",
                                             axisLabel: "cascading randomization: layers re-initialized from the logits down")))
        }
        for measure in result.configuration.measures {
            out.append(("\(name)-independent-\(measure.name).svg",
                        StageCurveFigure.svg(result, measure: measure, stages: independent, title: "Independent randomization",
                                             axisLabel: "independent randomization: one layer re-initialized, the others trained")))
        }
        out.append(("\(name)-faithfulness.svg", RemovalCurveFigure.svg(result)))
        return out
    }

    /// Renders and writes the report into `directory` (created when needed).
    /// - Returns: the paths written, figures first and the Markdown last.
    /// - Throws: ``InputError`` naming a path that cannot be created or written.
    @discardableResult
    public static func write(_ result: SanityCheckResult, to directory: String, name: String = defaultName,
                             command: String? = nil) throws -> [String] {
        let figures = self.figures(result, name: name)
        let names = ["csv": name + ".csv", "junit": name + ".junit.xml"]
        let files: [(name: String, data: Data)] = [
            (name + ".csv", Data(SanityCheckCSV.render(result).utf8)),
            (name + ".junit.xml", Data(JUnitReport.render(result.audit).utf8)),
            (name + ".md", Data(SanityCheckMarkdown.render(result, figures: figures.map { ReportFiles.figures + "/" + $0.file },
                                                          files: names, command: command).utf8)),
        ]
        // The reproductions folder holds several reports' figures side by side: none is stale.
        return try ReportDirectory(figures: figures.map { (name: $0.file, svg: $0.svg) }, files: files, removesStaleFigures: false)
            .write(to: directory)
    }
}
