import SalmonNetworks

/// How a checkpoint's token states become the rows a claim reads (`model.pooling`): a BERT
/// encoder's (default `mean`) or a GPT-2 transformer's (default `last`).
///
/// Every pooling reads the attended positions only (padding never counts), `[CLS]` and `[SEP]`
/// included, as sentence-transformers' mean pooling averages under the attention mask.
public enum TokenPooling: String, CaseIterable, Sendable {
    /// The mean over a sequence's attended positions (the default).
    case mean
    /// The first position (`[CLS]` for text).
    case first
    /// The last attended position (`[SEP]` for BERT text; a GPT-2 transformer's default, where its
    /// next-token prediction is read).
    case last
    /// One row per attended position, sequence by sequence in input order, positions in order:
    /// token-level claims (a target file then has one value per token).
    case tokens

    /// The rows this pooling makes of sequences of `lengths` attended tokens.
    func rows(lengths: [Int]) -> Int { self == .tokens ? lengths.reduce(0, +) : lengths.count }

    /// Pools the states of a padded batch into `out`.
    /// - Parameters:
    ///   - states: `[batch · length, d]`, batch-major.
    ///   - lengths: each sequence's attended positions (a prefix of its `length`).
    ///   - rows: each sequence's first row in `out` (for `tokens`, its first token's).
    ///   - out: `[rows, d]`, row-major.
    func pool(_ states: Tensor, length: Int, lengths: [Int], rows: [Int], into out: inout [Float]) {
        let d = states.shape[1]
        var total = [Double](repeating: 0, count: self == .mean ? d : 0)   // one accumulator for the batch
        states.scalars.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                for (b, n) in lengths.enumerated() {
                    let base = b * length * d, to = rows[b] * d
                    switch self {
                    case .mean:
                        for j in 0..<d { total[j] = 0 }
                        for t in 0..<n { for j in 0..<d { total[j] += Double(x[base + t * d + j]) } }
                        for j in 0..<d { o[to + j] = Float(total[j] / Double(n)) }
                    case .first:
                        for j in 0..<d { o[to + j] = x[base + j] }
                    case .last:
                        for j in 0..<d { o[to + j] = x[base + (n - 1) * d + j] }
                    case .tokens:
                        for k in 0..<(n * d) { o[to + k] = x[base + k] }
                    }
                }
            }
        }
    }
}
