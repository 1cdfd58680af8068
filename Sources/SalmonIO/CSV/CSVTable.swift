/// A parsed CSV file: a header and rows of fields, each row with the line it starts on.
///
/// Parses RFC 4180: comma-separated fields, optional double quotes around a field (inside which
/// commas and line breaks are literal and `""` is a quote), LF or CRLF line endings, an optional
/// UTF-8 byte-order mark. Blank lines are skipped. Every row must have as many fields as the
/// header. Never crashes on malformed input: it throws an ``InputError`` naming the line.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    /// The data rows (after the header).
    public var rows: [[String]]
    /// The 1-based line on which each row starts.
    public var lines: [Int]

    /// Parses CSV text that starts with a header row.
    /// - Parameter source: the file name used in error messages.
    public init(parsing text: String, source: String) throws(InputError) {
        let records = try Self.records(text, source: source)
        guard let first = records.first else {
            throw InputError(file: source, expected: "a CSV header row, found an empty file")
        }
        header = first.fields
        rows = []
        lines = []
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw InputError(file: source, line: record.line,
                                 expected: "\(header.count) fields as in the header, found \(record.fields.count)")
            }
            rows.append(record.fields)
            lines.append(record.line)
        }
    }

    /// The values of the column named `name`.
    /// - Throws: ``InputError`` when no header field, or more than one, has that name (which of
    ///   two `p` columns the user meant cannot be guessed).
    public func column(_ name: String, source: String) throws(InputError) -> [(line: Int, value: String)] {
        let matches = header.indices.filter { header[$0] == name }
        guard let index = matches.first else {
            let available = header.map { "\"\($0)\"" }.joined(separator: ", ")
            throw InputError(file: source, line: 1, field: "column \"\(name)\"",
                             expected: "a column of that name in the header; the header has \(available)")
        }
        guard matches.count == 1 else {
            throw InputError(file: source, line: 1, field: "column \"\(name)\"",
                             expected: "one column of that name in the header, found \(matches.count) (fields \(matches.map { String($0 + 1) }.joined(separator: ", ")))")
        }
        return zip(lines, rows).map { ($0, $1[index]) }
    }

    struct Record { var line: Int; var fields: [String] }

    /// Splits text into records of fields (blank lines skipped).
    static func records(_ text: String, source: String) throws(InputError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var inQuotes = false, wasQuoted = false, atFieldStart = true
        var recordHadQuotes = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            atFieldStart = true
        }
        func endRecord() {
            endField()
            // A blank line is skipped; a line holding a quoted empty field ("") is a record.
            let blank = !recordHadQuotes && fields.count == 1 && fields[0].allSatisfy { $0 == " " || $0 == "\t" }
            if !blank { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll()
            recordHadQuotes = false
        }

        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c); i += 2; continue
                    }
                    inQuotes = false
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                guard atFieldStart else {
                    throw InputError(file: source, line: line, expected: "a quote only at the start of a field")
                }
                inQuotes = true
                wasQuoted = true
                recordHadQuotes = true
                atFieldStart = false
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                break
            case UInt8(ascii: "\n"):
                endRecord()
                line += 1
                recordLine = line
            default:
                if wasQuoted {
                    throw InputError(file: source, line: line, expected: "a comma or line end after a closing quote")
                }
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        if inQuotes { throw InputError(file: source, line: recordLine, expected: "a closing quote before the end of the file") }
        if !field.isEmpty || !fields.isEmpty || recordHadQuotes { endRecord() }
        return records
    }
}
