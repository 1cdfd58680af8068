import Foundation

/// GPT-2's tokenizer: text to byte-level BPE ids as Hugging Face's fast tokenizer computes them
/// (the `tokenizers` crate's `ByteLevel` pre-tokenizer and `BPE` model, as transformers'
/// `GPT2TokenizerFast` builds them from `vocab.json` and `merges.txt`; Radford et al. 2019 for
/// GPT-2's byte-level scheme, Sennrich et al. 2016 for BPE). Ids equal transformers' on a
/// committed corpus of 1,200 strings, on a closed subset of GPT-2's merges with GPT-2's ids
/// (`Tests/SalmonIOTests/Fixtures/bpe/generate.py`), and, checked once, on 21,200 strings with
/// GPT-2's own 50,257-token vocabulary; the split's character classes equal the crate's regex on
/// every Unicode scalar.
///
/// Steps (no normalizer; GPT-2 adds no special tokens):
/// 1. **Prefix space** (only when `addPrefixSpace`): a space before a text that is not empty and
///    does not already begin with U+0020.
/// 2. **Split** with GPT-2's regex, `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
///    implemented by hand over Unicode scalars (``pieces(_:)``): at each position the first
///    alternative that matches — a contraction (ASCII apostrophe, lower-case letters only: `'S` is
///    not one), else an optional U+0020 and a run of letters, of numbers, or of anything else
///    that is not white space, else a run of white space that leaves its last character to the
///    next piece when a non-space follows (so `"a   b"` is `a`, `"  "`, `" b"`). Letters are the
///    general categories L*, numbers N*, white space Unicode's `White_Space` (Oniguruma's `\s`).
///    A scalar assigned after Unicode ``regexUnicodeVersion`` is neither: the crate's Oniguruma
///    tables are Unicode 16.0, so a letter added in 17.0 is "anything else" there.
/// 3. **Bytes to characters**: each piece's UTF-8 bytes, each byte one symbol — the token of
///    the character GPT-2's `bytes_to_unicode` gives it (``byteCharacters``).
/// 4. **BPE**: repeatedly merge the adjacent pair of symbols with the lowest merge rank (line
///    order in `merges.txt`), the leftmost first among equal ranks, as the crate's `merge_all`
///    does with its priority queue (one merge at a time, so a pair formed by a merge may be
///    merged before the remaining occurrences of the pair that formed it; GPT-2's original
///    Python merged all occurrences of a pair in one pass, which differs only on merge lists
///    no training produces). The ids of the final symbols, piece after piece.
///
/// Guarantees: every text encodes (all 256 byte tokens are required, so nothing is unknown);
/// the result depends only on the files, not on a cache or the order of work. Not done:
/// transformers' matching of added tokens in the raw text (`<|endoftext|>` written in a text is
/// encoded as its characters, where transformers gives 50256), offsets, decoding.
public struct ByteLevelBPETokenizer: Sendable {
    /// Token → id, as `vocab.json` gives them.
    public let vocabulary: [String: Int]
    /// The number of merges (lines of `merges.txt` other than `#version` lines).
    public let mergeCount: Int
    public let addPrefixSpace: Bool
    /// The id of each byte's token, indexed by the byte.
    let byteTokens: [Int]
    /// (left id, right id) → the merge's rank and the id of the token it makes.
    let merges: [Pair: Merge]

    struct Pair: Hashable, Sendable {
        var left: Int
        var right: Int
    }

    struct Merge: Sendable {
        var rank: Int
        var result: Int
    }

    /// The Unicode version of the character tables of the regex engine the reference runs
    /// (Oniguruma in the `tokenizers` crate 0.23.3): scalars assigned later count as unassigned.
    public static let regexUnicodeVersion = (major: 16, minor: 0)

    /// GPT-2's `bytes_to_unicode`: byte b → the character that stands for it in tokens. The
    /// printable bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ` stand for themselves; the other 68, in increasing
    /// order, are U+0100, U+0101, … (so the space 0x20 is `Ġ` U+0120 and the line feed `Ċ` U+010A).
    public static let byteCharacters: [Unicode.Scalar] = {
        var printable = Set<Int>()
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] { printable.formUnion(range) }
        var characters: [Unicode.Scalar] = []
        var next = 0
        for byte in 0..<256 {
            if printable.contains(byte) {
                characters.append(Unicode.Scalar(UInt8(byte)))
            } else {
                // 256 + n < 0x200 is a valid scalar (Unicode.Scalar(UInt8) covers 0...255 only).
                characters.append(Unicode.Scalar(UInt16(256 + next)) ?? " ")
                next += 1
            }
        }
        return characters
    }()

    /// A tokenizer on GPT-2's files.
    /// - Parameters:
    ///   - vocabularyFile: `vocab.json`, one JSON object of token → id (non-negative, below 2^32,
    ///     each once), with the token of every byte (``byteCharacters``).
    ///   - mergesFile: `merges.txt`, one merge per line: two tokens separated by one space, both in
    ///     the vocabulary and so is their concatenation; lines that begin with `#version` are
    ///     skipped wherever they are (as the crate does), a line break may be `\r\n`.
    ///   - addPrefixSpace: the `add_prefix_space` of the tokenizer's config (false for GPT-2).
    /// - Throws: ``InputError`` naming the file and the token (vocabulary) or line (merges): an
    ///   unreadable file, JSON that is not an object of token → id, an id that is not a
    ///   non-negative integer or is repeated, a byte's token missing, a merges line that is not two
    ///   tokens, a merge given twice, or a merge whose parts or result are not in the vocabulary.
    public init(vocabularyFile: String, mergesFile: String, addPrefixSpace: Bool = false) throws {
        let (data, source) = try InputFile.readData(vocabularyFile)
        try JSONDocument.validate(data, source: source)
        let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard let object = parsed as? [String: Any] else {
            let found = parsed.map(JSONValue.describe) ?? "something else"
            throw InputError(file: source, expected: "a JSON object of token → id (GPT-2's vocab.json), found \(found)")
        }
        // In the dictionary's order when all is well; a problem is reported from the entries sorted by
        // token, so that the message names the same tokens on every run (a dictionary's order varies).
        let vocabulary: [String: Int], idOfBytes: [[UInt8]: Int]
        do {
            (vocabulary, idOfBytes) = try Self.vocabulary(Array(object), source: source)
        } catch {
            _ = try Self.vocabulary(object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }, source: source)
            throw error
        }
        var byteTokens: [Int] = []
        byteTokens.reserveCapacity(256)
        for (byte, character) in Self.byteCharacters.enumerated() {
            guard let id = idOfBytes[Array(String(character).utf8)] else {
                throw InputError(file: source, expected: "the token \(InputError.quoted(String(character))) of byte 0x\(String(byte, radix: 16, uppercase: true)) (byte-level BPE starts every word from its bytes' tokens), found none")
            }
            byteTokens.append(id)
        }

        let (text, mergesSource) = try InputFile.readText(mergesFile)
        var lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final line break
        var merges: [Pair: Merge] = [:]
        var lineOfPair: [Pair: Int] = [:]
        var rank = 0
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            var line = Array(raw)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.starts(with: "#version".utf8) { continue }
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            var shown: String { InputError.quoted(String(decoding: line, as: UTF8.self)) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError(file: mergesSource, line: number, expected: "two tokens separated by one space, found \(line.isEmpty ? "an empty line" : shown)")
            }
            func id(_ bytes: [UInt8], _ role: String) throws(InputError) -> Int {
                guard let id = idOfBytes[bytes] else {
                    throw InputError(file: mergesSource, line: number, expected: "\(role) \(InputError.quoted(String(decoding: bytes, as: UTF8.self))) in the vocabulary (\(source)), found none")
                }
                return id
            }
            let left = try id(Array(parts[0]), "the token"), right = try id(Array(parts[1]), "the token")
            let result = try id(Array(parts[0]) + Array(parts[1]), "the merged token")
            let pair = Pair(left: left, right: right)
            if let first = lineOfPair[pair] {
                throw InputError(file: mergesSource, line: number, expected: "each merge once, found \(shown) again (first on line \(first))")
            }
            lineOfPair[pair] = number
            merges[pair] = Merge(rank: rank, result: result)
            rank += 1
        }
        self.vocabulary = vocabulary
        self.mergeCount = rank
        self.addPrefixSpace = addPrefixSpace
        self.byteTokens = byteTokens
        self.merges = merges
    }

    /// vocab.json's entries as token → id, and as the token's UTF-8 bytes → id (exact: String
    /// equality would identify "é" and "e\u{301}", the crate's does not).
    private static func vocabulary(_ entries: [(key: String, value: Any)], source: String) throws(InputError)
        -> ([String: Int], [[UInt8]: Int]) {
        var vocabulary: [String: Int] = [:], tokenOfID: [Int: String] = [:], idOfBytes: [[UInt8]: Int] = [:]
        vocabulary.reserveCapacity(entries.count)
        tokenOfID.reserveCapacity(entries.count)
        idOfBytes.reserveCapacity(entries.count)
        for (token, value) in entries {
            let id: Int
            switch JSONValue.nonNegativeInteger(value) {
            case .value(let n): id = n
            case .invalid(let found):
                throw InputError(file: source, field: InputError.quoted(token), expected: "a non-negative integer id, found \(found)")
            }
            guard id <= Int(UInt32.max) else {
                throw InputError(file: source, field: InputError.quoted(token), expected: "an id below 2^32 (the tokenizers crate's ids are 32-bit), found \(id)")
            }
            if let other = tokenOfID[id] {
                throw InputError(file: source, field: InputError.quoted(token), expected: "each id once, found \(id), already the id of \(InputError.quoted(other))")
            }
            tokenOfID[id] = token
            vocabulary[token] = id
            idOfBytes[Array(token.utf8)] = id
        }
        return (vocabulary, idOfBytes)
    }

    /// The ids of `text` (no special tokens: GPT-2 adds none).
    public func encode(_ text: String) -> [Int] {
        var scalars = Array(text.unicodeScalars)
        if addPrefixSpace, let first = scalars.first, first != " " { scalars.insert(" ", at: 0) }
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count)
        var bytes: [UInt8] = []
        for piece in Self.pieces(scalars) {
            bytes.removeAll(keepingCapacity: true)
            for scalar in scalars[piece] { UTF8.encode(scalar) { bytes.append($0) } }
            ids += merged(bytes)
        }
        return ids
    }

    /// What GPT-2's regex makes of a scalar: `\p{L}`, `\p{N}`, `\s`, or none of them.
    enum ScalarClass: Equatable {
        case letter, number, space, other
    }

    static func scalarClass(_ s: Unicode.Scalar) -> ScalarClass {
        let properties = s.properties
        if let age = properties.age, (age.major, age.minor) > regexUnicodeVersion { return .other }
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Step 2: the ranges of `scalars` GPT-2's regex matches, in order; together they cover it.
    static func pieces(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        let n = s.count
        var classes: [ScalarClass] = []
        classes.reserveCapacity(n)
        for scalar in s { classes.append(scalarClass(scalar)) }
        func run(from start: Int, of kind: ScalarClass) -> Int {
            var end = start
            while end < n && classes[end] == kind { end += 1 }
            return end
        }
        // The length of `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll` or `'d` at the apostrophe at `i`.
        func contraction(after i: Int) -> Int? {
            guard i + 1 < n else { return nil }
            switch s[i + 1] {
            case "s", "t", "m", "d": return 2
            case "r", "v": return i + 2 < n && s[i + 2] == "e" ? 3 : nil
            case "l": return i + 2 < n && s[i + 2] == "l" ? 3 : nil
            default: return nil
            }
        }
        var pieces: [Range<Int>] = []
        var i = 0
        while i < n {
            var end: Int
            if s[i] == "'", let length = contraction(after: i) {
                end = i + length
            } else if s[i] == " ", i + 1 < n, classes[i + 1] != .space {
                end = run(from: i + 1, of: classes[i + 1])  // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+` with the space
            } else if classes[i] != .space {
                end = run(from: i, of: classes[i])  // the same without it
            } else {
                end = run(from: i, of: .space)
                // `\s+(?!\S)`: before a non-space, the run gives its last character back — unless
                // that is all it has, and then `\s+` takes it.
                if end < n && end - i >= 2 { end -= 1 }
            }
            pieces.append(i..<end)
            i = end
        }
        return pieces
    }

    /// Step 4: one piece's bytes merged as the crate's `Word::merge_all` does: a queue of the
    /// applicable merges ordered by (rank, position), an entry skipped when its symbol has been
    /// merged away or the pair at its position no longer makes the entry's token.
    func merged(_ bytes: [UInt8]) -> [Int] {
        if bytes.count == 1 { return [byteTokens[Int(bytes[0])]] }
        var ids = bytes.map { byteTokens[Int($0)] }
        var next = Array(1...bytes.count)  // bytes.count: none
        var previous = Array(-1..<(bytes.count - 1))
        var alive = [Bool](repeating: true, count: bytes.count)
        var queue = CandidateQueue()
        for position in 0..<(ids.count - 1) {
            if let merge = merges[Pair(left: ids[position], right: ids[position + 1])] {
                queue.push(Candidate(rank: merge.rank, position: position, result: merge.result))
            }
        }
        while let top = queue.pop() {
            let p = top.position
            guard alive[p], next[p] < ids.count else { continue }
            let right = next[p]
            guard let merge = merges[Pair(left: ids[p], right: ids[right])], merge.result == top.result else { continue }
            ids[p] = top.result
            alive[right] = false
            next[p] = next[right]
            if next[p] < ids.count { previous[next[p]] = p }
            if previous[p] >= 0, let left = merges[Pair(left: ids[previous[p]], right: ids[p])] {
                queue.push(Candidate(rank: left.rank, position: previous[p], result: left.result))
            }
            if next[p] < ids.count, let following = merges[Pair(left: ids[p], right: ids[next[p]])] {
                queue.push(Candidate(rank: following.rank, position: p, result: following.result))
            }
        }
        return ids.indices.compactMap { alive[$0] ? ids[$0] : nil }
    }

    struct Candidate {
        var rank: Int
        var position: Int
        var result: Int

        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    /// A binary min-heap of candidates by (rank, position).
    struct CandidateQueue {
        private var heap: [Candidate] = []

        mutating func push(_ candidate: Candidate) {
            heap.append(candidate)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard let first = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var smallest = parent
                    if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                    if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                    if smallest == parent { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
            return first
        }
    }
}
