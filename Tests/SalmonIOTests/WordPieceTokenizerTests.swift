import Foundation
import Testing
import SalmonIO

/// BERT's WordPiece tokenizer against Hugging Face's fast tokenizer (Fixtures/wordpiece/generate.py:
/// all-MiniLM-L6-v2's tokenizer pipeline on a vocabulary of 8,484 of its tokens, 1,200 strings).
@Suite struct WordPieceTokenizerTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/wordpiece")

    struct Expected: Decodable {
        var transformers: String
        var tokenizers: String
        var vocabulary: Int
        var ids: [[Int]]
    }

    @Test func idsEqualTheFastTokenizersOnTheCorpus() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: Self.directory.appendingPathComponent("vocab.txt").path)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.directory.appendingPathComponent("expected.json")))
        #expect(tokenizer.vocabulary.count == expected.vocabulary)
        var corpus = try String(contentsOf: Self.directory.appendingPathComponent("corpus.txt"), encoding: .utf8).components(separatedBy: "\n")
        if corpus.last == "" { corpus.removeLast() }
        #expect(corpus.count == 1200 && expected.ids.count == 1200)
        var differences = 0, unknown = 0, total = 0
        for (text, ids) in zip(corpus, expected.ids) {
            let ours = tokenizer.encode(text)
            if ours != ids {
                differences += 1
                if differences <= 5 { Issue.record("\(text.debugDescription): ours \(ours), theirs \(ids)") }
            }
            unknown += ids.count { $0 == tokenizer.unknown }
            total += ids.count
        }
        #expect(differences == 0)
        print("WordPiece: \(corpus.count) strings, \(total) ids (\(unknown) [UNK]), \(differences) differences from transformers \(expected.transformers) / tokenizers \(expected.tokenizers)")
    }

    @Test func normalizationSplitsAndFallsBackAsBERTDoes() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\ncafe\n!\n中\n".write(to: scratch, atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: scratch.path)
        // Greedy longest match with ## continuations; accents stripped and case folded.
        #expect(tokenizer.encode("UNaffable CAFÉ!") == [2, 4, 5, 6, 7, 8, 3])
        // A word with no match at some position is one [UNK]; CJK ideographs stand alone.
        #expect(tokenizer.encode("unaffx中", addingSpecialTokens: false) == [1, 9])
        // Controls vanish, any white space separates; over 100 characters is [UNK].
        #expect(tokenizer.encode("cafe\u{0007}\u{00A0}cafe", addingSpecialTokens: false) == [7, 7])
        #expect(tokenizer.encode(String(repeating: "un", count: 51), addingSpecialTokens: false) == [1])
        let cased = try WordPieceTokenizer(vocabularyFile: scratch.path, lowercase: false)
        #expect(cased.encode("CAFE cafe", addingSpecialTokens: false) == [1, 7])
    }

    @Test func vocabulariesThatCannotBeReadAreRefusedNamingTheLine() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func refusal(_ text: String) -> String {
            do {
                try text.write(to: scratch, atomically: true, encoding: .utf8)
                _ = try WordPieceTokenizer(vocabularyFile: scratch.path)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(refusal("[UNK]\n[CLS]\n[SEP]\nx\n") == "accepted")
        let twice = refusal("[UNK]\n[CLS]\n[SEP]\nx\nx\n")
        #expect(twice.contains(":5") && twice.contains("\"x\" again"), "\(twice)")
        let empty = refusal("[UNK]\n\n[CLS]\n[SEP]\n")
        #expect(empty.contains(":2") && empty.contains("empty"), "\(empty)")
        let noUnknown = refusal("[CLS]\n[SEP]\nx\n")
        #expect(noUnknown.contains("[UNK]"), "\(noUnknown)")
    }
}
