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
        var values: [Double] = []
        if let column {
            let table = try CSVTable(parsing: text, source: source)
            for (line, cell) in try table.column(column, source: source) {
                values.append(try number(cell, source: source, line: line, field: "column \"\(column)\""))
            }
        } else {
            var line = 0
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                line += 1
                var cell = Substring(raw)
                if line == 1, cell.hasPrefix("\u{FEFF}") { cell = cell.dropFirst() }
                let trimmed = cell.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty { continue }
                if trimmed.contains(",") {
                    throw InputError(file: source, line: line,
                                     expected: "one number per line (use --column NAME for a CSV file), found \"\(trimmed.prefix(40))\"")
                }
                values.append(try number(trimmed, source: source, line: line, field: nil))
            }
        }
        if values.isEmpty {
            throw InputError(file: source, field: column.map { "column \"\($0)\"" }, expected: "at least one number, found none")
        }
        return values
    }

    /// Reads a file (or standard input for `-`) and parses it.
    public static func read(path: String, column: String? = nil) throws(InputError) -> [Double] {
        let (text, source) = try InputFile.readText(path)
        return try parse(text, source: source, column: column)
    }

    /// One finite number from a cell.
    static func number(_ cell: String, source: String, line: Int, field: String?) throws(InputError) -> Double {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw InputError(file: source, line: line, field: field, expected: "a number, found an empty cell")
        }
        guard let value = Double(trimmed) else {
            throw InputError(file: source, line: line, field: field, expected: "a number, found \"\(trimmed.prefix(40))\"")
        }
        guard value.isFinite else {
            throw InputError(file: source, line: line, field: field, expected: "a finite number, found \"\(trimmed.prefix(40))\"")
        }
        return value
    }
}
