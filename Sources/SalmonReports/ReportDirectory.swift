import Foundation
import SalmonIO

/// A report directory rendered in memory — figures under `figures/`, then the other files, the
/// Markdown last — and written whole: the one writer every report uses (audits, identifiability
/// audits and studies, sanity checks).
///
/// Nothing partial is left behind by a rendering failure: the files are complete values before
/// the first is written. Each is written to a temporary name beside its place and renamed into it
/// (``AtomicFile``), so a reader sees an old file or the whole new one; the Markdown goes last,
/// once the figures it links to are in place. With `removesStaleFigures`, the figures an earlier
/// run wrote (listed in `figures/.salmon-figures`, which every such write records) whose names this
/// report does not use are removed at the end — and nothing else: a file of the user's in
/// `figures/` is never touched. The directory `''` (the current directory) and `/` are refused.
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
        try Self.requireOutputDirectory(directory)
        let root = directory
        let figureDirectory = ReportWriter.join(root, ReportFiles.figures)
        let all = figures.map { (ReportWriter.join(figureDirectory, $0.name), Data($0.svg.utf8)) }
            + files.map { (ReportWriter.join(root, $0.name), $0.data) }
        try ReportWriter.makeDirectory(root)
        try ReportWriter.makeDirectory(figureDirectory)
        let manifest = ReportWriter.join(figureDirectory, Self.figureManifest)
        let earlier = removesStaleFigures ? Self.writtenFigures(manifest) : []
        for (path, data) in all { try AtomicFile.write(data, to: path) }
        if removesStaleFigures {
            try ReportWriter.removeStaleFigures(in: figureDirectory, written: earlier, keeping: figures.map(\.name))
            try AtomicFile.write(Data(figures.map { $0.name + "\n" }.joined().utf8), to: manifest)
        }
        return all.map(\.0)
    }

    /// The list of the figures the last write put in `figures/`, one name per line.
    public static let figureManifest = ".salmon-figures"

    /// The names a manifest lists (none when it is absent or unreadable: then nothing is removed).
    static func writtenFigures(_ manifest: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: manifest) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && !$0.contains("/") && $0 != ".." && $0 != "." }
    }

    /// Refuses `''` and the filesystem root as an output directory: a report (and an audit's
    /// records) would land in the current directory or in `/`.
    /// - Throws: ``InputError`` naming the option.
    public static func requireOutputDirectory(_ directory: String, option: String = "--out") throws {
        let trimmed = directory.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.allSatisfy({ $0 == "/" }) {
            throw InputError(file: option, expected: "an output directory, found '\(directory)' (the current directory's '' and the filesystem root are refused)")
        }
    }
}
