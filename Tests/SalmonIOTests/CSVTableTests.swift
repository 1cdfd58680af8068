import Testing
@testable import SalmonIO

/// The error `CSVTable(parsing:)` throws for `text`, or nil when it parses.
private func csvError(_ text: String, source: String = "t.csv") -> InputError? {
    do {
        _ = try CSVTable(parsing: text, source: source)
        return nil
    } catch {
        return error
    }
}

@Suite("CSVTable")
struct CSVTableTests {
    // MARK: Well-formed input

    @Test func headerAndRows() throws {
        let table = try CSVTable(parsing: "model,accuracy\nA,0.9\nB,0.8\n", source: "s.csv")
        #expect(table.header == ["model", "accuracy"])
        #expect(table.rows == [["A", "0.9"], ["B", "0.8"]])
        #expect(table.lines == [2, 3])
    }

    @Test func lastRecordWithoutTrailingNewline() throws {
        let table = try CSVTable(parsing: "a,b\n1,2\n3,4", source: "s.csv")
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        #expect(table.lines == [2, 3])
    }

    @Test func headerOnly() throws {
        let table = try CSVTable(parsing: "a,b,c\n", source: "s.csv")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.isEmpty)
        #expect(table.lines.isEmpty)
    }

    @Test func emptyFieldsAreKept() throws {
        let table = try CSVTable(parsing: "a,b,c\n,\"\",x\n1,,\n", source: "s.csv")
        #expect(table.rows == [["", "", "x"], ["1", "", ""]])
    }

    @Test func quotedFieldsWithCommasAndDoubledQuotes() throws {
        let text = "name,note\n\"Smith, J.\",\"He said \"\"hi\"\"\"\n\"\"\"\",plain\n"
        let table = try CSVTable(parsing: text, source: "s.csv")
        #expect(table.rows == [["Smith, J.", "He said \"hi\""], ["\"", "plain"]])
        #expect(table.lines == [2, 3])
    }

    @Test func quotedHeaderField() throws {
        let table = try CSVTable(parsing: "\"a,b\",c\n1,2\n", source: "s.csv")
        #expect(table.header == ["a,b", "c"])
    }

    @Test func embeddedNewlinesAdvanceTheLineOfTheNextRecord() throws {
        let text = "id,text\n1,\"line one\nline two\nline three\"\n2,plain\n3,\"x\ny\"\n4,end\n"
        let table = try CSVTable(parsing: text, source: "s.csv")
        #expect(table.rows == [["1", "line one\nline two\nline three"], ["2", "plain"], ["3", "x\ny"], ["4", "end"]])
        // Record 1 spans lines 2–4, so record 2 is on line 5; record 3 spans 6–7; record 4 is on 8.
        #expect(table.lines == [2, 5, 6, 8])
    }

    @Test func errorAfterMultilineRecordNamesTheRightLine() throws {
        let error = try #require(csvError("id,text\n1,\"a\nb\nc\"\n2\n"))
        #expect(error.line == 5)
        #expect(error.description == "t.csv:5: expected 2 fields as in the header, found 1")
    }

    @Test func crlfLineEndings() throws {
        let table = try CSVTable(parsing: "a,b\r\n1,2\r\n\"x\",\"y, z\"\r\n3,4\r\n", source: "s.csv")
        #expect(table.header == ["a", "b"])
        #expect(table.rows == [["1", "2"], ["x", "y, z"], ["3", "4"]])
        #expect(table.lines == [2, 3, 4])
    }

    @Test func crlfInsideQuotesIsKeptAndCounted() throws {
        let table = try CSVTable(parsing: "a,b\r\n\"p\r\nq\",1\r\n2,3\r\n", source: "s.csv")
        #expect(table.rows == [["p\r\nq", "1"], ["2", "3"]])
        #expect(table.lines == [2, 4])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let table = try CSVTable(parsing: "\u{FEFF}model,accuracy\nA,1\n", source: "s.csv")
        #expect(table.header == ["model", "accuracy"])
        #expect(table.header.first?.unicodeScalars.first == "m")
        #expect(table.lines == [2])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let text = "\n\na,b\n\n1,2\n   \n\t\n3,4\n\n\n"
        let table = try CSVTable(parsing: text, source: "s.csv")
        #expect(table.header == ["a", "b"])
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        #expect(table.lines == [5, 8])
    }

    // MARK: Errors

    @Test func emptyFile() throws {
        for text in ["", "\n\n", "  \n\t\n"] {
            let error = try #require(csvError(text))
            #expect(error.line == nil)
            #expect(error.description == "t.csv: expected a CSV header row, found an empty file")
        }
    }

    @Test func rowWithTooFewFields() throws {
        let error = try #require(csvError("a,b,c\n1,2,3\n4,5\n"))
        #expect(error == InputError(file: "t.csv", line: 3, expected: "3 fields as in the header, found 2"))
    }

    @Test func rowWithTooManyFields() throws {
        let error = try #require(csvError("a,b\n\n1,2,3\n"))
        #expect(error.line == 3)
        #expect(error.expected == "2 fields as in the header, found 3")
    }

    @Test func unterminatedQuoteNamesTheLineWhereTheRecordStarts() throws {
        let error = try #require(csvError("a,b\n1,2\n3,\"open\nmore\nstill open\n"))
        #expect(error.line == 3)
        #expect(error.expected == "a closing quote before the end of the file")
    }

    @Test func textAfterClosingQuote() throws {
        let error = try #require(csvError("a,b\n1,2\n\"x\"y,2\n"))
        #expect(error == InputError(file: "t.csv", line: 3, expected: "a comma or line end after a closing quote"))
    }

    @Test func textAfterClosingQuoteOfAMultilineField() throws {
        // The field opens on line 2 and closes on line 3, where the stray text is.
        let error = try #require(csvError("a\n\"x\ny\"z\n"))
        #expect(error.line == 3)
        #expect(error.expected == "a comma or line end after a closing quote")
    }

    @Test func quoteInTheMiddleOfAnUnquotedField() throws {
        let error = try #require(csvError("a,b\n1,2\nab\"c,3\n"))
        #expect(error == InputError(file: "t.csv", line: 3, expected: "a quote only at the start of a field"))
    }

    @Test func errorsUseTheSourceName() throws {
        let error = try #require(csvError("a,b\n1\n", source: "<stdin>"))
        #expect(error.description == "<stdin>:2: expected 2 fields as in the header, found 1")
    }

    // MARK: column(_:source:)

    @Test func columnByName() throws {
        let table = try CSVTable(parsing: "model,accuracy\nA,0.9\n\nB,0.8\n", source: "s.csv")
        let column = try table.column("accuracy", source: "s.csv")
        #expect(column.map(\.line) == [2, 4])
        #expect(column.map(\.value) == ["0.9", "0.8"])
        #expect(try table.column("model", source: "s.csv").map(\.value) == ["A", "B"])
    }

    @Test func missingColumnNamesItAndListsTheHeader() throws {
        let table = try CSVTable(parsing: "model,accuracy\nA,0.9\n", source: "s.csv")
        let error = try #require(throws: InputError.self) { try table.column("loss", source: "s.csv") }
        #expect(error.field == "column \"loss\"")
        #expect(error.line == 1)
        #expect(error.description
            == "s.csv:1: column \"loss\": expected a column of that name in the header; the header has \"model\", \"accuracy\"")
    }
}
