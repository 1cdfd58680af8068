import Testing
@testable import SalmonIO

/// The error `NumberList.parse` throws, or nil when it returns.
private func parseError(_ text: String, source: String = "n.txt", column: String? = nil) -> InputError? {
    do {
        _ = try NumberList.parse(text, source: source, column: column)
        return nil
    } catch {
        return error
    }
}

@Suite("NumberList")
struct NumberListTests {
    // MARK: One number per line

    @Test func oneNumberPerLine() throws {
        let text = "  0.5\n\n1e-3\n -2.5E+2 \n\t7\t\n\n0\n-0.125\n"
        #expect(try NumberList.parse(text, source: "n.txt") == [0.5, 0.001, -250, 7, 0, -0.125])
    }

    @Test func scientificNotation() throws {
        let values = try NumberList.parse("1e-300\n6.02e23\n-1.5E-7\n2E0\n", source: "n.txt")
        #expect(values == [1e-300, 6.02e23, -1.5e-7, 2])
    }

    @Test func withoutTrailingNewline() throws {
        #expect(try NumberList.parse("1\n2", source: "n.txt") == [1, 2])
    }

    @Test func byteOrderMarkOnTheFirstLine() throws {
        #expect(try NumberList.parse("\u{FEFF}0.25\n0.5\n", source: "n.txt") == [0.25, 0.5])
    }

    @Test func crlfLineEndings() throws {
        // Windows files are common input; CSV mode handles CRLF, so one-per-line mode should too.
        // "\r\n" is a single Character in Swift, so splitting the String on "\n" finds no lines.
        let values = try NumberList.parse("0.1\r\n0.2\r\n0.3\r\n", source: "n.txt")
        #expect(values == [0.1, 0.2, 0.3])
    }

    // MARK: CSV column

    @Test func columnMode() throws {
        let text = "model,accuracy\nA, 0.9 \n\"B, large\",0.75\n\nC,1e-1\n"
        #expect(try NumberList.parse(text, source: "s.csv", column: "accuracy") == [0.9, 0.75, 0.1])
    }

    @Test func columnModeWithCRLFAndBOM() throws {
        let text = "\u{FEFF}model,accuracy\r\nA,0.5\r\nB,0.25\r\n"
        #expect(try NumberList.parse(text, source: "s.csv", column: "accuracy") == [0.5, 0.25])
    }

    @Test func columnModeMissingColumn() throws {
        let error = try #require(parseError("model,accuracy\nA,0.9\n", source: "s.csv", column: "loss"))
        #expect(error.line == 1)
        #expect(error.field == "column \"loss\"")
        #expect(error.expected.contains("\"model\", \"accuracy\""))
    }

    @Test func columnModePropagatesCSVErrors() throws {
        let error = try #require(parseError("a,b\n1,2\n3\n", source: "s.csv", column: "a"))
        #expect(error == InputError(file: "s.csv", line: 3, expected: "2 fields as in the header, found 1"))
    }

    // MARK: Errors

    @Test(arguments: ["", "\n", "\n  \n\t\n", "\u{FEFF}"])
    func emptyInput(text: String) throws {
        let error = try #require(parseError(text, source: "e.txt"))
        #expect(error == InputError(file: "e.txt", expected: "at least one number, found none"))
        #expect(error.description == "e.txt: expected at least one number, found none")
    }

    @Test func emptyColumn() throws {
        let error = try #require(parseError("model,accuracy\n", source: "s.csv", column: "accuracy"))
        #expect(error.description == "s.csv: column \"accuracy\": expected at least one number, found none")
    }

    @Test func nanOnLineThreeExactMessage() throws {
        let error = try #require(parseError("0.1\n0.2\nNaN\n0.4\n", source: "p.txt"))
        #expect(error.description == "p.txt:3: expected a finite number, found \"NaN\"")
    }

    @Test func emptyCSVCellExactMessage() throws {
        let error = try #require(parseError("model,accuracy\nA,0.9\nB,\n", source: "scores.csv", column: "accuracy"))
        #expect(error.description == "scores.csv:3: column \"accuracy\": expected a number, found an empty cell")
    }

    @Test func blankCSVCellIsEmpty() throws {
        let error = try #require(parseError("model,accuracy\nA,   \n", source: "s.csv", column: "accuracy"))
        #expect(error.line == 2)
        #expect(error.expected == "a number, found an empty cell")
    }

    @Test(arguments: ["NaN", "nan", "inf", "-Infinity", "+Inf", "infinity", "1e999", "-1e400"])
    func nonFiniteValues(cell: String) throws {
        let error = try #require(parseError("1\n\n \(cell) \n2\n", source: "f.txt"))
        #expect(error.file == "f.txt")
        #expect(error.line == 3)
        #expect(error.field == nil)
        #expect(error.expected == "a finite number, found \"\(cell)\"")
    }

    @Test(arguments: ["NaN", "nan", "inf", "-Infinity"])
    func nonFiniteValuesInAColumn(cell: String) throws {
        let error = try #require(parseError("model,accuracy\nA,0.5\nB,\(cell)\n", source: "s.csv", column: "accuracy"))
        #expect(error.line == 3)
        #expect(error.field == "column \"accuracy\"")
        #expect(error.expected == "a finite number, found \"\(cell)\"")
    }

    @Test(arguments: ["abc", "0.5x", "1.2.3", "--1", "1e", "one", "0x"])
    func nonNumericCell(cell: String) throws {
        let error = try #require(parseError("model,accuracy\nA,0.5\nB,0.6\nC,\(cell)\n", source: "s.csv", column: "accuracy"))
        #expect(error.line == 4)
        #expect(error.expected == "a number, found \"\(cell)\"")
    }

    @Test func decimalCommaInAQuotedCell() throws {
        let error = try #require(parseError("model,accuracy\nA,\"0,5\"\n", source: "s.csv", column: "accuracy"))
        #expect(error.description == "s.csv:2: column \"accuracy\": expected a number, found \"0,5\"")
    }

    @Test func nonNumericLine() throws {
        let error = try #require(parseError("0.1\nzero point two\n", source: "n.txt"))
        #expect(error.description == "n.txt:2: expected a number, found \"zero point two\"")
    }

    @Test func longCellsAreShortenedInMessages() throws {
        let cell = String(repeating: "x", count: 100)
        let error = try #require(parseError("1\n\(cell)\n", source: "n.txt"))
        // Cut to 40 characters, with an ellipsis that shows the cut.
        #expect(error.expected == "a number, found \"\(String(repeating: "x", count: 40))…\"")
    }

    @Test func commaInOnePerLineModeSuggestsColumn() throws {
        let error = try #require(parseError("0.1\n\n0.2,0.3\n", source: "n.txt"))
        #expect(error.file == "n.txt")
        #expect(error.line == 3)
        #expect(error.expected.contains("--column"))
        #expect(error.description
            == "n.txt:3: expected one number per line (use --column NAME for a CSV file), found \"0.2,0.3\"")
    }

    @Test func csvHeaderWithoutColumnSuggestsColumn() throws {
        let error = try #require(parseError("model,accuracy\nA,0.9\n", source: "scores.csv"))
        #expect(error.line == 1)
        #expect(error.expected.contains("--column"))
    }

    @Test func embeddedNULIsRejected() throws {
        // Double(String) stops at the first NUL byte (it goes through a C string), so "1\0junk"
        // reads as 1 unless the parser rejects NUL itself.
        let error = parseError("0.5\n1\u{0}junk\n", source: "n.txt")
        #expect(error?.line == 2)
    }

    @Test func quotedEmptyCellInASingleColumnCSVIsAnEmptyCell() throws {
        // `""` is a record with one empty field (RFC 4180), not a blank line; skipping it silently
        // drops a missing value instead of reporting it.
        let error = parseError("x\n1\n\"\"\n2\n", source: "s.csv", column: "x")
        #expect(error?.line == 3)
        #expect(error?.expected == "a number, found an empty cell")
    }

    @Test func controlCharactersAreEscapedInMessages() throws {
        let error = try #require(parseError("x\n\"1\t\r\n2\"\n", source: "s.csv", column: "x"))
        #expect(error.description == "s.csv:2: column \"x\": expected a number, found \"1\\t\\r\\n2\"")
        #expect(!error.description.contains("\n"))
    }
}
