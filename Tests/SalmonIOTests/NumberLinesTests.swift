import Foundation
import Testing
@testable import SalmonIO

/// The byte-level reader of one number per line: the same values, bit for bit, and the same
/// line numbers in its messages as the text path (``NumberList``), across its 1 MiB chunks.
@Suite("NumberLines")
struct NumberLinesTests {
    /// The error `NumberLines.read` throws for `text` written to a file, or nil.
    static func error(_ text: String, validate: ((Double) -> String?)? = nil) throws -> InputError? {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("n.txt", text: text)
        do {
            _ = try NumberLines.read(path: path, validate: validate)
            return nil
        } catch {
            #expect(error.file == path)
            var named = error
            named.file = "n.txt"
            return named
        }
    }

    /// 400,000 numbers in every written form (shortest round-trip, %.17e, integers, signs, a bare
    /// leading or trailing point, hexadecimal), with \n, \r\n and \r endings and blank lines,
    /// about 3.4 MB: lines cross chunk boundaries, a \r\n pair too.
    @Test func sameValuesAsTheTextPathAcrossChunks() throws {
        var stream = FormatRandom(state: 21)
        var text = "\u{FEFF}"
        let endings = ["\n", "\r\n", "\r"]
        for i in 0..<400_000 {
            let x = (stream.uniform() - 0.3) * pow(10, Double(stream.next() % 40) - 20)
            let token: String
            switch i % 7 {
            case 0: token = "\(x)"
            case 1: token = String(format: "%.17e", x)
            case 2: token = "\(Int((x * 1000).truncatingRemainder(dividingBy: 1e15)))"
            case 3: token = "+\(abs(x))"
            case 4: token = String(format: "%.3f", x).replacingOccurrences(of: "0.", with: ".")
            case 5: token = String(format: "%a", x)
            default: token = "  \(x)\t"
            }
            text += token + endings[i % 3]
            if i % 1000 == 999 { text += " \t\n" }
        }
        #expect(text.utf8.count > 3 * NumberLines.chunkSize)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fast = try NumberLines.read(path: directory.write("n.txt", text: text)).values
        let slow = try NumberList.parse(text, source: "n.txt")
        #expect(fast.count == 400_000 && fast.count == slow.count)
        #expect(zip(fast, slow).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    /// Messages name the line as the text path does, also past a chunk boundary.
    @Test func errorsNameTheLine() throws {
        let filler = String(repeating: "0.25\n", count: 300_000)   // 1.5 MB
        #expect(try Self.error(filler + "1\n2,3\n")?.description
                == "n.txt:300002: expected one number per line (use --column NAME for a CSV file), found \"2,3\"")
        #expect(try Self.error(filler + "\n\nabc\n")?.description == "n.txt:300003: expected a number, found \"abc\"")
        #expect(try Self.error("1\r2\r\nnan\n")?.description == "n.txt:3: expected a finite number, found \"nan\"")
        #expect(try Self.error("1\n1e400\n")?.description == "n.txt:2: expected a finite number, found \"1e400\"")
        #expect(try Self.error("1\n2x\n")?.description == "n.txt:2: expected a number, found \"2x\"")
        #expect(try Self.error("1\n1\u{0}2\n")?.description == "n.txt:2: expected a number, found \"1\\u{0}2\"")
        #expect(try Self.error(" \n\t\n")?.description == "n.txt: expected at least one number, found none")
        #expect(try Self.error("0.5\n1.5\n") { $0 <= 1 ? nil : "at most 1, found \($0)" }?.description == "n.txt:2: expected at most 1, found 1.5")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes: [UInt8] = [0x31, 0x0A, 0xFF, 0xFE, 0x31, 0x0A]
        let binary = try directory.write("b.txt", bytes: bytes)
        do {
            _ = try NumberLines.read(path: binary)
            Issue.record("invalid UTF-8 was read")
        } catch {
            #expect(error.description.hasSuffix("b.txt:2: expected UTF-8 text, found bytes that are not UTF-8"))
        }
        do {
            _ = try NumberLines.read(path: directory.path("missing.txt"))
            Issue.record("a missing file was read")
        } catch {
            #expect(error.description.hasSuffix("missing.txt: expected a readable file, but it does not exist"))
        }
        do {
            _ = try NumberLines.read(path: directory.url.path)
            Issue.record("a directory was read")
        } catch {
            #expect(error.description.hasSuffix(": expected a file, found a directory"))
        }
    }

    /// A line longer than the 1 MiB chunk is read whole (and refused, with its own line number).
    @Test func aLineLongerThanAChunk() throws {
        let long = "0." + String(repeating: "1", count: 3 * NumberLines.chunkSize)
        #expect(try Self.error("1\n" + long + "\n") == nil)   // a long decimal is still one number
        #expect(try Self.error("1\n" + long + "x\n3\n")?.line == 2)
    }
}
