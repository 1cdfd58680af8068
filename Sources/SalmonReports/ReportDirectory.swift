import Foundation
import SalmonIO

/// A report directory rendered in memory — figures under `figures/`, then the other files, the
/// Markdown last — and written whole: the one writer every report uses (audits, identifiability
/// audits and studies, sanity checks).
///
/// Nothing partial is left behind by a rendering failure: the files are complete values before
/// the first is written. Each is written to a temporary name beside its place and renamed into it
/// (``AtomicFile``), so a reader sees an old file or the whole new one; the Markdown goes last,
/// once the figures it links to are in place. With `removesStaleFigures`, `*.svg` files of an
/// earlier run in `figures/` whose names this report does not use are removed at the end.
public struct ReportDirectory: Sendable {
    /// Figures: file names inside `figures/` and their SVG text.
    public var figures: [(name: String, svg: String)]
    /// The other files, by name relative to the directory, in writing order (the Markdown last).
    public var files: [(name: String, data: Data)]
    public var removesStaleFigures: Bool

    public init(figures: [(name: String, svg: String)], files: [(name: String, data: Data)], removesStaleFigures: Bool = true) {
        self.figures = figures
        self.files = files
        self.removesStaleFigures = removesStaleFigures
    }

    /// Writes the directory (creating it and `figures/` when needed).
    /// - Returns: the paths written, figures first, in order.
    /// - Throws: ``InputError`` naming the path that cannot be created, written or cleaned.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        let root = directory.isEmpty ? "." : directory
        let figureDirectory = ReportWriter.join(root, ReportFiles.figures)
        let all = figures.map { (ReportWriter.join(figureDirectory, $0.name), Data($0.svg.utf8)) }
            + files.map { (ReportWriter.join(root, $0.name), $0.data) }
        try ReportWriter.makeDirectory(root)
        try ReportWriter.makeDirectory(figureDirectory)
        for (path, data) in all { try AtomicFile.write(data, to: path) }
        if removesStaleFigures { try ReportWriter.removeStaleFigures(in: figureDirectory, keeping: figures.map(\.name)) }
        return all.map(\.0)
    }
}
