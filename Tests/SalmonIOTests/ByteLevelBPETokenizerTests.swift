import Foundation
import Testing
@testable import SalmonIO

/// GPT-2's byte-level BPE tokenizer against Hugging Face's fast tokenizer (Fixtures/bpe/generate.py:
/// a closed subset of GPT-2's own merges with GPT-2's ids — 5,564 tokens, 5,307 merges — 1,200
/// strings, and the regex's class of every Unicode scalar).
@Suite struct ByteLevelBPETokenizerTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bpe")

    struct Expected: Decodable {
        var transformers: String
        var tokenizers: String
        var vocabulary: Int
        var merges: Int
        var ids: [[Int]]
        var idsWithPrefixSpace: [[Int]]
    }

    static func fixture(addPrefixSpace: Bool = false) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(vocabularyFile: directory.appendingPathComponent("vocab.json").path,
                                  mergesFile: directory.appendingPathComponent("merges.txt").path,
                                  addPrefixSpace: addPrefixSpace)
    }

    /// The lines of a UTF-8 file, split at line feeds only (a string may hold \r, U+2028, U+0085).
    static func lines(_ name: String) throws -> [String] {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return try lines.map { try #require(String(validating: $0, as: UTF8.self)) }
    }

    @Test func idsEqualTheFastTokenizersOnTheCorpus() throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.directory.appendingPathComponent("expected.json")))
        let corpus = try Self.lines("corpus.txt")
        #expect(corpus.count == 1200 && expected.ids.count == 1200 && expected.idsWithPrefixSpace.count == 400)
        for (addPrefixSpace, reference) in [(false, expected.ids), (true, expected.idsWithPrefixSpace)] {
            let tokenizer = try Self.fixture(addPrefixSpace: addPrefixSpace)
            #expect(tokenizer.vocabulary.count == expected.vocabulary && tokenizer.mergeCount == expected.merges)
            var differences = 0, ours = 0, theirs = 0
            for (text, ids) in zip(corpus, reference) {
                let encoded = tokenizer.encode(text)
                if encoded != ids {
                    differences += 1
                    if differences <= 5 { Issue.record("\(text.debugDescription) (prefix space \(addPrefixSpace)): ours \(encoded), theirs \(ids)") }
                }
                ours += encoded.count
                theirs += ids.count
            }
            #expect(differences == 0)
            #expect(ours == theirs && theirs == (addPrefixSpace ? 8_644 : 26_835))
            print("Byte-level BPE (prefix space \(addPrefixSpace)): \(reference.count) strings, \(ours) ids, \(differences) differences from transformers \(expected.transformers) / tokenizers \(expected.tokenizers)")
        }
    }

    @Test func scalarClassesEqualTheCratesRegexOnEveryScalar() throws {
        // classes.txt: "START CLASS" runs over 0...0x10FFFF, each to the next line's start.
        var runs: [(start: UInt32, kind: ByteLevelBPETokenizer.ScalarClass)] = []
        for line in try Self.lines("classes.txt") {
            let fields = line.split(separator: " ")
            let start = try #require(fields.count == 2 ? UInt32(fields[0], radix: 16) : nil, "\(line)")
            let kinds: [Substring: ByteLevelBPETokenizer.ScalarClass] = ["L": .letter, "N": .number, "S": .space, "O": .other]
            runs.append((start, try #require(kinds[fields[1]], "\(line)")))
        }
        #expect(runs.first?.start == 0 && runs.count == 1610)
        var checked = 0, differences = 0
        for (index, run) in runs.enumerated() {
            let end = index + 1 < runs.count ? runs[index + 1].start : 0x110000
            for value in run.start..<end {
                guard let scalar = Unicode.Scalar(value) else {
                    #expect(run.kind == .other, "surrogate \(String(value, radix: 16))")
                    continue
                }
                checked += 1
                if ByteLevelBPETokenizer.scalarClass(scalar) != run.kind {
                    differences += 1
                    if differences <= 5 { Issue.record("U+\(String(value, radix: 16, uppercase: true)): ours \(ByteLevelBPETokenizer.scalarClass(scalar)), the crate's \(run.kind)") }
                }
            }
        }
        #expect(checked == 1_112_064 && differences == 0)
    }

    @Test func gpt2sOwnIdsForTransformersExample() throws {
        // transformers' GPT2Tokenizer docstring: the leading space makes a different token.
        let tokenizer = try Self.fixture()
        #expect(tokenizer.encode("Hello world") == [15496, 995])
        #expect(tokenizer.encode(" Hello world") == [18435, 995])
        #expect(try Self.fixture(addPrefixSpace: true).encode("Hello world") == [18435, 995])
        #expect(tokenizer.encode("") == [])
    }

    /// GPT-2's bytes_to_unicode, written out again: printable Latin-1 stands for itself, the other
    /// 68 bytes in order take U+0100, U+0101, ...
    static func byteCharacter(_ byte: Int) -> String {
        let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
        if printable { return String(Unicode.Scalar(UInt8(byte))) }
        let rank = (0..<byte).count { !((0x21...0x7E).contains($0) || (0xA1...0xAC).contains($0) || (0xAE...0xFF).contains($0)) }
        return String(Character(Unicode.Scalar(UInt16(256 + rank)) ?? "?"))
    }

    @Test func bytesStandForGPT2sCharacters() {
        #expect(ByteLevelBPETokenizer.byteCharacters.map { String($0) } == (0..<256).map(Self.byteCharacter))
        #expect(Self.byteCharacter(0x20) == "\u{120}" && Self.byteCharacter(0x0A) == "\u{10A}" && Self.byteCharacter(0x00) == "\u{100}"
                && Self.byteCharacter(0x7F) == "\u{121}" && Self.byteCharacter(0xAD) == "\u{143}" && Self.byteCharacter(0x41) == "A")
    }

    @Test func splitsAsGPT2sRegex() {
        // Each checked against the crate's ByteLevel pre-tokenizer (tokenizers 0.23.3).
        func split(_ text: String) -> [String] {
            let scalars = Array(text.unicodeScalars)
            return ByteLevelBPETokenizer.pieces(scalars).map { range in
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[range])
                return String(view)
            }
        }
        #expect(split("a   b") == ["a", "  ", " b"])
        #expect(split("I'M it's") == ["I", "'", "M", " it", "'s"])
        #expect(split("'Ss 'S") == ["'", "Ss", " '", "S"])
        #expect(split("We'll've") == ["We", "'ll", "'ve"])
        #expect(split("'s's") == ["'s", "'s"])
        #expect(split("x\t\ty") == ["x", "\t", "\t", "y"])
        #expect(split("a\u{A0} b") == ["a", "\u{A0}", " b"])
        #expect(split("trailing  ") == ["trailing", "  "])
        #expect(split("  ") == ["  "])
        #expect(split("e\u{301}") == ["e", "\u{301}"])
        #expect(split("3.14") == ["3", ".", "14"])
        #expect(split(" ?!x") == [" ?!", "x"])
        #expect(split("Ab12cd") == ["Ab", "12", "cd"])
        #expect(split(" 🙂x") == [" 🙂", "x"])
        #expect(split("x\u{1C}y") == ["x", "\u{1C}", "y"])  // U+001C: Python's isspace, not White_Space
        #expect(split("\u{378}\u{10940}z") == ["\u{378}\u{10940}", "z"])  // unassigned; a Unicode 17 letter
    }

    /// vocab.json for the small cases: byte b's token has id b, then `extra`.
    static func vocabularyText(extra: [(String, Int)] = [], without: Set<Int> = []) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let entries = (0..<256).filter { !without.contains($0) }.map { (byteCharacter($0), $0) } + extra
        return "{\n" + entries.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    static let smallExtra: [(String, Int)] = [("ab", 256), ("aba", 257), ("aa", 258), ("\u{120}a", 259)]
    static let smallMerges = "#version: 0.2\nab a\na b\na a\n\u{120} a\n"

    @Test func mergesByRankOneAtATimeAsTheCrateDoes() throws {
        // Each checked against the crate (tokenizers 0.23.3, BPE + ByteLevel). "ab a" ranks before
        // "a b": once the first "ab" of "abab" exists, "ab a" takes the next "a" before the second
        // "a b" is merged (GPT-2's original Python, merging every "a b" first, gives [256, 256]).
        try withTemporaryDirectory { dir in
            let vocabulary = try dir.write("vocab.json", text: Self.vocabularyText(extra: Self.smallExtra))
            let merges = try dir.write("merges.txt", text: Self.smallMerges)
            let tokenizer = try ByteLevelBPETokenizer(vocabularyFile: vocabulary, mergesFile: merges)
            #expect(tokenizer.mergeCount == 4 && tokenizer.vocabulary.count == 260)
            #expect(tokenizer.encode("abab") == [257, 98])
            #expect(tokenizer.encode("ababab") == [257, 98, 256])
            #expect(tokenizer.encode("aaa") == [258, 97])  // equal ranks: the leftmost first
            #expect(tokenizer.encode("aaaa") == [258, 258])
            #expect(tokenizer.encode(" aab") == [259, 256])
            #expect(tokenizer.encode("ab\nab") == [256, 10, 256])
            #expect(tokenizer.encode("é") == [0xC3, 0xA9])  // its UTF-8 bytes
            let prefixed = try ByteLevelBPETokenizer(vocabularyFile: vocabulary, mergesFile: merges, addPrefixSpace: true)
            #expect(prefixed.encode("") == [])
            #expect(prefixed.encode("a") == [259] && prefixed.encode(" a") == [259])
            #expect(prefixed.encode("\ta") == [32, 9, 97])  // only U+0020 counts as a space there
        }
    }

    @Test func filesThatCannotBeReadAreRefusedNamingTheTokenOrLine() throws {
        try withTemporaryDirectory { dir in
            func refusal(vocabulary: String = Self.vocabularyText(extra: Self.smallExtra), merges: String = Self.smallMerges) -> String {
                do {
                    let v = try dir.write("vocab.json", text: vocabulary), m = try dir.write("merges.txt", text: merges)
                    _ = try ByteLevelBPETokenizer(vocabularyFile: v, mergesFile: m)
                    return "accepted"
                } catch { return "\(error)" }
            }
            func expectRefusal(_ message: String, _ parts: String..., sourceLocation: SourceLocation = #_sourceLocation) {
                for part in parts {
                    #expect(message.contains(part), "\(message) lacks \(part)", sourceLocation: sourceLocation)
                }
            }
            #expect(refusal() == "accepted")
            // A #version line anywhere, \r\n line breaks and no final line break are accepted, as by the crate.
            #expect(refusal(merges: "ab a\r\n#version: 0.2\r\na b\r\na a\r\n\u{120} a") == "accepted")

            expectRefusal(refusal(vocabulary: "[1, 2]"), "vocab.json: expected a JSON object", "an array of 2 elements")
            expectRefusal(refusal(vocabulary: "{\"a\": 0,\n\"b\": 1,\n\"a\": 2}"), "vocab.json:3", "\"a\" twice")
            expectRefusal(refusal(vocabulary: "{\"a\": 0,"), "vocab.json", "cut short")
            let notAnInteger = Self.vocabularyText(extra: Self.smallExtra + [("x1", 300)]).replacingOccurrences(of: "300", with: "\"300\"")
            expectRefusal(refusal(vocabulary: notAnInteger), "vocab.json: \"x1\": expected a non-negative integer id", "the string \"300\"")
            let negative = Self.vocabularyText(extra: Self.smallExtra + [("x1", -3)])
            expectRefusal(refusal(vocabulary: negative), "vocab.json: \"x1\":", "found -3")
            let fraction = Self.vocabularyText(extra: Self.smallExtra + [("x1", 300)]).replacingOccurrences(of: "300", with: "1.5")
            expectRefusal(refusal(vocabulary: fraction), "vocab.json: \"x1\":", "1.5 (a floating-point number)")
            let repeated = Self.vocabularyText(extra: Self.smallExtra + [("x1", 256)])
            expectRefusal(refusal(vocabulary: repeated), "vocab.json: \"x1\": expected each id once, found 256, already the id of \"ab\"")
            let noSpace = Self.vocabularyText(extra: Self.smallExtra, without: [0x20])
            expectRefusal(refusal(vocabulary: noSpace), "vocab.json: expected the token \"\u{120}\" of byte 0x20")

            expectRefusal(refusal(merges: "#version: 0.2\nab a\nab\n"), "merges.txt:3: expected two tokens separated by one space, found \"ab\"")
            expectRefusal(refusal(merges: "ab a\na b a\n"), "merges.txt:2:", "found \"a b a\"")
            expectRefusal(refusal(merges: "ab a\n\na b\n"), "merges.txt:2:", "found an empty line")
            expectRefusal(refusal(merges: "ab a\na  b\n"), "merges.txt:2:", "found \"a  b\"")
            expectRefusal(refusal(merges: "ab a\nxy a\n"), "merges.txt:2: expected the token \"xy\" in the vocabulary", "vocab.json")
            expectRefusal(refusal(merges: "ab a\nb a\n"), "merges.txt:2: expected the merged token \"ba\" in the vocabulary")
            expectRefusal(refusal(merges: "ab a\na b\n#version\nab a\n"), "merges.txt:4: expected each merge once", "first on line 1")
        }
    }
}
