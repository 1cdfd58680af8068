import SalmonIO

/// A text file of examples, one per line (`model.text`), tokenized: what a checkpoint subject reads
/// instead of token ids. A final line break is optional and `\r\n` endings are accepted; an empty
/// or blank line is refused, and so is a line longer than the model takes unless it is truncated.
struct TextLines {
    var sequences: [[Int]]
    /// How many lines were cut to the limit.
    var truncated: Int

    /// - Parameters:
    ///   - path: the file (as resolved), named in messages by its display name.
    ///   - limit: the most tokens a sequence may have (the model's positions).
    ///   - truncate: cut a longer line with `cut` (else refuse it, naming file and line).
    ///   - encode: the tokenizer.
    ///   - pieces: what a token is called in messages ("word pieces with [CLS] and [SEP]").
    ///   - remedy: what the refusal of a long line suggests.
    /// - Throws: `InputError` naming the file and line.
    init(path: String, limit: Int, truncate: Bool, encode: (String) -> [Int], cut: ([Int]) -> [Int], pieces: String, remedy: String) throws {
        let (text, name) = try InputFile.readText(path)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw InputError(file: name, expected: "one example per line, found no line") }
        var read: [[Int]] = []
        read.reserveCapacity(lines.count)
        var truncated = 0
        for (i, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            guard !line.allSatisfy(\.isWhitespace) else {
                throw InputError(file: name, line: i + 1, expected: "an example, found an empty line")
            }
            var ids = encode(line)
            if ids.count > limit {
                guard truncate else {
                    throw InputError(file: name, line: i + 1, expected: "at most \(limit) \(pieces) (the model's positions), found \(ids.count); \(remedy)")
                }
                ids = cut(ids)
                truncated += 1
            }
            read.append(ids)
        }
        sequences = read
        self.truncated = truncated
    }
}
