import Foundation

/// A list of numbers read from a user's file: one number per line, or one column of a CSV file.
///
/// This is how numbers enter the `salmon` CLI (p-values, scores, null statistics). Every value
/// must be a finite decimal number; NaN, ±Inf, empty cells and text are rejected with an
/// ``InputError`` that names the file, the line and the column.
public enum NumberList {
    /// Parses numbers from text.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - source: the file name for messages (`<stdin>` for standard input).
    ///   - column: a CSV column name, or nil for one number per line (blank lines skipped).
    public static func parse(_ text: String, source: String, column: String? = nil) throws(InputError) -> [Double] {
        try parseWithLines(text, source: source, column: column).map(\.value)
    }

    /// Parses numbers and the 1-based line each came from (for messages about a value's meaning,
    /// such as a p-value outside [0, 1]).
    public static func parseWithLines(_ text: String, source: String, column: String? = nil) throws(InputError)
        -> [(value: Double, line: Int)]
    {
        var entries: [(value: Double, line: Int)] = []
        if let column {
            let table = try CSVTable(parsing: text, source: source)
            for (line, cell) in try table.column(column, source: source) {
                entries.append((try number(cell, source: source, line: line, field: "column \"\(column)\""), line))
            }
        } else {
            var line = 0
            for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
                line += 1
                var cell = Substring(raw)
                if line == 1, cell.hasPrefix("\u{FEFF}") { cell = cell.dropFirst() }
                let trimmed = cell.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty { continue }
                if trimmed.contains(",") {
                    throw InputError(file: source, line: line,
                                     expected: "one number per line (use --column NAME for a CSV file), found \(InputError.quoted(trimmed))")
                }
                entries.append((try number(trimmed, source: source, line: line, field: nil), line))
            }
        }
        if entries.isEmpty {
            throw InputError(file: source, field: column.map { "column \"\($0)\"" }, expected: "at least one number, found none")
        }
        return entries
    }

    /// Reads a file (or standard input for `-`) and parses it, keeping each value's line.
    public static func readWithLines(path: String, column: String? = nil) throws(InputError)
        -> (entries: [(value: Double, line: Int)], source: String)
    {
        let (text, source) = try InputFile.readText(path)
        return (try parseWithLines(text, source: source, column: column), source)
    }

    /// Reads a file (or standard input for `-`) and parses it; one number per line is read on bytes
    /// (``NumberLines``), a CSV column through ``CSVTable``.
    public static func read(path: String, column: String? = nil) throws(InputError) -> [Double] {
        guard let column else { return try NumberLines.read(path: path).values }
        let (text, source) = try InputFile.readText(path)
        return try parse(text, source: source, column: column)
    }

    /// One finite number from a cell.
    static func number(_ cell: String, source: String, line: Int, field: String?) throws(InputError) -> Double {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw InputError(file: source, line: line, field: field, expected: "a number, found an empty cell")
        }
        // Printable ASCII only: Swift's Double(String) stops at a NUL byte ("1\0junk" would read as 1).
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let value = Double(trimmed) else {
            throw InputError(file: source, line: line, field: field, expected: "a number, found \(InputError.quoted(trimmed))")
        }
        guard value.isFinite else {
            throw InputError(file: source, line: line, field: field, expected: "a finite number, found \(InputError.quoted(trimmed))")
        }
        return value
    }
}
