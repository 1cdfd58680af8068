import Foundation

/// BERT's tokenizer: text to WordPiece ids as Hugging Face's fast tokenizer computes them (the
/// `tokenizers` crate's `BertNormalizer`, `BertPreTokenizer`, `WordPiece` model and `[CLS] … [SEP]`
/// post-processing; Devlin et al. 2019; Wu et al. 2016 for WordPiece). Ids equal transformers' on
/// a committed corpus of 1,200 strings (`Tests/SalmonIOTests/Fixtures/wordpiece/generate.py`).
///
/// Steps, on Unicode scalars (not grapheme clusters, as the crate works on `char`s):
/// 1. **Clean** (`clean_text`): drop U+0000, U+FFFD and control characters (general category C*,
///    except tab, line feed and carriage return); every white-space character becomes a space.
/// 2. **CJK** (`handle_chinese_chars`): a space on either side of every CJK ideograph (the
///    blocks BERT lists: U+4E00–9FFF, 3400–4DBF, 20000–2A6DF, 2A700–2B73F, 2B740–2B81F,
///    2B820–2CEAF, F900–FAFF, 2F800–2FA1F), so that each is a word of its own.
/// 3. **Strip accents** (when `stripAccents`, which defaults to `lowercase`): canonical
///    decomposition (NFD), then every nonspacing mark (Mn) removed.
/// 4. **Lower-case** (`lowercase`): each scalar's full lower-case mapping, without context.
/// 5. **Split**: on white space (dropped) and around every punctuation character (kept, alone):
///    ASCII punctuation and symbols, and Unicode's P* categories.
/// 6. **WordPiece**: a word longer than `maximumCharactersPerWord` scalars is `[UNK]`; otherwise
///    the longest vocabulary entry that prefixes the rest of the word, then the longest `##`
///    continuation, and so on; a word with a position no entry matches is one `[UNK]`.
/// 7. `[CLS]` first and `[SEP]` last (``encode(_:addingSpecialTokens:)``).
public struct WordPieceTokenizer: Sendable {
    /// Token → id: line i of `vocab.txt` (0-based) is id i.
    public let vocabulary: [String: Int]
    public let lowercase: Bool
    public let stripAccents: Bool
    public let maximumCharactersPerWord: Int
    public let unknown: Int
    public let classification: Int
    public let separator: Int

    /// A tokenizer on the vocabulary at `path` (BERT's `vocab.txt`, one token per line).
    /// - Parameters:
    ///   - lowercase: `do_lower_case` of the tokenizer's config (true for uncased models).
    ///   - stripAccents: `strip_accents`; nil (the config's `null`) follows `lowercase`.
    /// - Throws: ``InputError`` naming the file and line: an unreadable file, an empty or repeated
    ///   token, or a special token (`[UNK]`, `[CLS]`, `[SEP]`) missing.
    public init(vocabularyFile path: String, lowercase: Bool = true, stripAccents: Bool? = nil,
                maximumCharactersPerWord: Int = 100) throws {
        let (text, source) = try InputFile.readText(path)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var vocabulary: [String: Int] = [:]
        for (i, raw) in lines.enumerated() {
            let token = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            guard !token.isEmpty else { throw InputError(file: source, line: i + 1, expected: "a token, found an empty line") }
            if let first = vocabulary[token] {
                throw InputError(file: source, line: i + 1, expected: "each token once, found \"\(token)\" again (first on line \(first + 1))")
            }
            vocabulary[token] = i
        }
        func special(_ name: String) throws -> Int {
            guard let id = vocabulary[name] else { throw InputError(file: source, expected: "the special token \(name) in the vocabulary") }
            return id
        }
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.maximumCharactersPerWord = maximumCharactersPerWord
        unknown = try special("[UNK]")
        classification = try special("[CLS]")
        separator = try special("[SEP]")
    }

    /// The ids of `text`, with `[CLS]` and `[SEP]` around them unless `addingSpecialTokens` is false.
    public func encode(_ text: String, addingSpecialTokens: Bool = true) -> [Int] {
        var ids: [Int] = addingSpecialTokens ? [classification] : []
        for word in words(normalized(text)) { ids += pieces(word) }
        if addingSpecialTokens { ids.append(separator) }
        return ids
    }

    /// Steps 1–4: the normalized scalars.
    func normalized(_ text: String) -> [Unicode.Scalar] {
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
            if s.properties.isWhitespace {
                cleaned.append(" ")
            } else if Self.isCJK(s) {
                cleaned += [" ", s, " "]
            } else {
                cleaned.append(s)
            }
        }
        if stripAccents {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: cleaned)
            let decomposed = String(view).decomposedStringWithCanonicalMapping
            cleaned = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            cleaned = cleaned.flatMap { Array($0.properties.lowercaseMapping.unicodeScalars) }
        }
        return cleaned
    }

    /// Step 5: words split on white space and around punctuation.
    func words(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = [], current: [Unicode.Scalar] = []
        for s in scalars {
            if s.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = [] }
            } else if Self.isPunctuation(s) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Step 6: a word's WordPiece ids (greedy longest match).
    func pieces(_ word: [Unicode.Scalar]) -> [Int] {
        guard word.count <= maximumCharactersPerWord else { return [unknown] }
        var ids: [Int] = [], start = 0
        while start < word.count {
            var end = word.count, found: Int?
            while end > start {
                var view = String.UnicodeScalarView()
                if start > 0 { view.append(contentsOf: "##".unicodeScalars) }
                view.append(contentsOf: word[start..<end])
                if let id = vocabulary[String(view)] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknown] }
            ids.append(id)
            start = end
        }
        return ids
    }

    /// General category C* (control, format, surrogate, private use, unassigned), except tab, line
    /// feed and carriage return, which are white space.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII punctuation and symbols (`!` … `/`, `:` … `@`, `[` … `` ` ``, `{` … `~`) and Unicode P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
