import Foundation
import SalmonAudit
import SalmonIO

/// Writes a report directory: `report.md`, `figures/*.svg`, `results.csv`, `results.json` and
/// `junit.xml`.
///
/// Nothing partial is left behind: every file is rendered in memory before the first one is
/// written, and each is written to a temporary name beside its place and renamed into it
/// (``AtomicFile``), so a reader sees an old file or the whole new one. `report.md` is written
/// last, once the figures it links to are in place. Figures of an earlier run whose names this
/// result does not use are removed at the end.
public enum ReportWriter {
    /// Renders `result` and writes the report files into `directory`, creating it (and its
    /// parents) when needed.
    /// - Returns: the paths written (`directory` joined with each file name): the figures in test
    ///   order, then `results.csv`, `results.json`, `junit.xml` and `report.md`.
    /// - Throws: ``InputError`` naming the path when rendering fails (for example a NaN that JSON
    ///   cannot represent; then nothing is written), when a directory cannot be created or a file
    ///   cannot be written, or when a stale figure cannot be removed.
    @discardableResult
    public static func write(_ result: AuditResult, to directory: String) throws -> [String] {
        try ReportDirectory.requireOutputDirectory(directory)
        let root = directory
        // Render everything first: a failure here writes nothing.
        let names = ReportFiles.figureNames(for: result)
        let figures = zip(result.tests, names).map { test, name in (name: name, svg: NullFigure.svg(for: test)) }
        var files: [(name: String, data: Data)] = [
            (ReportFiles.csv, Data(CSVReport.render(result).utf8)),
            (ReportFiles.json, try json(result, path: join(root, ReportFiles.json))),
            (ReportFiles.junit, Data(JUnitReport.render(result).utf8)),
        ]
        // How it was run, apart from what it found (absent when re-rendering a results.json).
        if let run = result.run { files.append((ReportFiles.run, try run.jsonData())) }
        files.append((ReportFiles.markdown, Data(MarkdownReport.render(result, figureDirectory: ReportFiles.figures).utf8)))
        return try ReportDirectory(figures: figures, files: files).write(to: root)
    }

    /// The canonical JSON, with an encoding failure (a NaN or infinity somewhere) turned into an
    /// error that names the field.
    static func json(_ result: AuditResult, path: String) throws -> Data {
        do {
            return try result.jsonData()
        } catch let EncodingError.invalidValue(value, context) {
            throw InputError(file: path, field: fieldPath(context.codingPath),
                             expected: "a value JSON can represent, found \(value) in the result")
        } catch {
            throw InputError(file: path, expected: "an encodable result (\(error))")
        }
    }

    static func fieldPath(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return path
    }

    static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError(file: path, expected: "a directory for the report, found a file") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: path, expected: "a directory that can be created (\(error.localizedDescription))")
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
