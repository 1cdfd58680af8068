import SalmonNetworks

/// A transformer component whose activation ``ActivationPatching`` takes from the clean run.
public enum PatchingComponent: Hashable, Sendable, CustomStringConvertible {
    /// Head `head` of block `block`: its output before the block's output projection (its slice
    /// of `blocks.i.attn.heads`), at every position.
    case head(block: Int, head: Int)
    /// A whole hook site at every position: `embed`, or of block i `attn.out`, `mlp.hidden`,
    /// `mlp.out`, `resid` (the sites a forward pass can replace; see ``Transformer/sites(layers:)``).
    case site(String)
    /// One position of such a site (the residual stream at one token, say); the other positions
    /// keep the corrupted run's values.
    case position(site: String, position: Int)
    /// An edge of the residual graph (``EdgeAttributionPatching/Edge``): the writer's clean output
    /// added, in place of its corrupted one, to what the reader alone reads (path patching).
    case edge(EdgeAttributionPatching.Edge)

    /// The block the component belongs to (nil for the embeddings).
    public var block: Int? {
        let site: String
        switch self {
        case .head(let block, _): return block
        case .site(let name): site = name
        case .position(let name, _): site = name
        case .edge(let edge):
            switch edge.reader {
            case .attention(let block), .mlp(let block): return block
            case .logits: return nil
            }
        }
        let parts = site.split(separator: ".")
        guard parts.count >= 3, parts[0] == "blocks" else { return nil }
        return Int(parts[1])
    }

    /// `blocks.i.attn.heads.h`, the site's name, or `site@position`.
    public var description: String {
        switch self {
        case .head(let block, let head): return "blocks.\(block).attn.heads.\(head)"
        case .site(let site): return site
        case .position(let site, let position): return "\(site)@\(position)"
        case .edge(let edge): return "\(edge.writer)->\(edge.reader)"
        }
    }

    /// The component a name written as ``description`` names: `blocks.i.attn.heads.h`, `SITE@p`
    /// or `SITE` (nil when an index is not an integer; ``check(layers:heads:length:)`` checks the rest).
    public init?(parsing name: String) {
        if let arrow = name.range(of: "->") {
            guard let edge = EdgeAttributionPatching.Edge(writer: String(name[..<arrow.lowerBound]), reader: String(name[arrow.upperBound...])) else { return nil }
            self = .edge(edge)
            return
        }
        if let at = name.lastIndex(of: "@") {
            guard let position = Int(name[name.index(after: at)...]) else { return nil }
            self = .position(site: String(name[..<at]), position: position)
            return
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 5, parts[0] == "blocks", parts[2] == "attn", parts[3] == "heads" {
            guard let block = Int(parts[1]), let head = Int(parts[4]) else { return nil }
            self = .head(block: block, head: head)
            return
        }
        self = .site(name)
    }

    /// Checks the component against a transformer of `layers` blocks and `heads` heads read on
    /// sequences of `length` tokens.
    /// - Throws: ``MethodError`` naming the block, head, site or position it does not have.
    public func check(layers: Int, heads: Int, length: Int) throws {
        switch self {
        case .head(let block, let head):
            guard (0..<layers).contains(block), (0..<heads).contains(head) else {
                throw MethodError("activation patching: no head \(self) (blocks 0 … \(layers - 1), heads 0 … \(heads - 1))")
            }
        case .site(let site):
            try Self.checkReplaceable(site, layers: layers)
        case .position(let site, let position):
            try Self.checkReplaceable(site, layers: layers)
            guard (0..<length).contains(position) else {
                throw MethodError("activation patching: position \(position) of \(site) is outside the \(length) positions")
            }
        case .edge(let edge):
            guard EdgeAttributionPatching.edges(layers: layers, heads: heads).contains(edge) else {
                throw MethodError("activation patching: no edge \(self) in a transformer of \(layers) blocks and \(heads) heads; an edge joins a writer (embed, blocks.i.attn.heads.h, blocks.i.mlp) to a later reader (blocks.j.attn.in, blocks.j.mlp.in, logits)")
            }
        }
    }

    private static func checkReplaceable(_ site: String, layers: Int) throws {
        guard Transformer.sites(layers: layers).contains(site), Transformer.isReplaceable(site) else {
            throw MethodError("activation patching: '\(site)' is not a site a forward pass replaces; expected embed or blocks.i.{attn.out, mlp.hidden, mlp.out, resid} for i in 0 … \(layers - 1) (heads: blocks.i.attn.heads.h; one position: SITE@p)")
        }
    }
}

/// Activation patching: the model runs on corrupted inputs with one component's activation taken
/// from its run on the clean inputs, and the statistic is how much of the clean behaviour returns
/// (Vig et al. 2020, "Causal mediation analysis for interpreting neural NLP"; Meng et al. 2022,
/// "Locating and editing factual associations in GPT"; Heimersheim & Nanda 2024, "How to use and
/// interpret activation patching", whose normalization this is).
///
/// The behaviour of sequence b is its logit difference at the last position,
/// LD_b = logit(correct_b) − logit(wrong_b). For a component c,
///
///     recovered(c) = (LD̄_patched − LD̄_corrupt) / (LD̄_clean − LD̄_corrupt),
///
/// with LD̄ the mean over the sequences: 1 when the patch restores the clean behaviour, 0 when
/// it changes nothing (computed on means, not per sequence, where a small denominator would
/// dominate). Patching the residual stream after the last block at the last position restores
/// the clean logits exactly; patching nothing is the corrupted run (both tested).
///
/// Deterministic: no random draws. Clean and corrupted runs are made once, with every site
/// captured, when the value is made.
public struct ActivationPatching: Sendable {
    public let model: Transformer
    public let batch: Int
    public let length: Int
    /// Per sequence: the answer token and the token it is contrasted with.
    public let correct: [Int]
    public let wrong: [Int]
    /// Per sequence, LD on the clean and on the corrupted inputs.
    public let cleanDifferences: [Double]
    public let corruptedDifferences: [Double]
    /// The inputs, batch-major.
    public let clean: [Int]
    public let corrupted: [Int]
    let cleanSites: [String: Tensor]
    let corruptedSites: [String: Tensor]

    /// - Parameters:
    ///   - clean, corrupted: `batch` sequences of `length` tokens each, batch-major, the same shape.
    ///   - correct, wrong: one answer and one contrast token per sequence, read at the last position.
    /// - Throws: ``MethodError`` naming what is inconsistent (shapes, a token outside the vocabulary).
    public init(model: Transformer, clean: [Int], corrupted: [Int], batch: Int, length: Int, correct: [Int], wrong: [Int]) throws {
        let c = model.configuration
        guard batch >= 1, length >= 1, length <= c.context else {
            throw MethodError("activation patching: expected at least one sequence of 1 … \(c.context) tokens, found \(batch) of \(length)")
        }
        guard clean.count == batch * length, corrupted.count == batch * length else {
            throw MethodError("activation patching: clean and corrupted inputs must both be \(batch) × \(length) tokens, found \(clean.count) and \(corrupted.count)")
        }
        guard correct.count == batch, wrong.count == batch else {
            throw MethodError("activation patching: one correct and one wrong answer per sequence (\(batch)), found \(correct.count) and \(wrong.count)")
        }
        try MethodError.requireIndices(["clean input": clean, "corrupted input": corrupted, "correct answer": correct, "wrong answer": wrong],
                                       below: c.vocabulary, method: "activation patching", kind: "token", range: "the vocabulary")
        self.model = model
        self.batch = batch
        self.length = length
        self.correct = correct
        self.wrong = wrong
        self.clean = clean
        self.corrupted = corrupted
        let sites = Set(Transformer.sites(layers: c.layers))
        // The two runs on two threads when BLAS may use two (each then single-threaded: the
        // same bits either way).
        let runs = Self.inParallel(count: 2, threads: BLAS.threadCount) { i in
            model.forward(tokens: i == 0 ? clean : corrupted, batch: batch, length: length, hooks: Hooks(capture: sites))
        }
        let (cleanPass, corruptedPass) = (runs[0], runs[1])
        cleanSites = cleanPass.captured
        corruptedSites = corruptedPass.captured
        cleanDifferences = Self.logitDifferences(cleanPass.logits, batch: batch, length: length, correct: correct, wrong: wrong)
        corruptedDifferences = Self.logitDifferences(corruptedPass.logits, batch: batch, length: length, correct: correct, wrong: wrong)
    }

    /// LD per sequence at its last position.
    static func logitDifferences(_ logits: Tensor, batch: Int, length: Int, correct: [Int], wrong: [Int]) -> [Double] {
        let vocabulary = logits.shape[1]
        return (0..<batch).map { b in
            let row = (b * length + length - 1) * vocabulary
            return Double(logits.scalars[row + correct[b]]) - Double(logits.scalars[row + wrong[b]])
        }
    }

    /// The hooks that patch `component` into the corrupted run.
    /// - Throws: ``MethodError`` for a block, head, site or position the model does not have.
    public func hooks(patching component: PatchingComponent) throws -> Hooks {
        let c = model.configuration
        try component.check(layers: c.layers, heads: c.heads, length: length)
        switch component {
        case .head(let block, let head):
            let site = "blocks.\(block).attn.heads"
            var mask = [Float](repeating: 1, count: c.heads)
            mask[head] = 0
            return Hooks(nodeMasks: [site: mask], nodeFills: [site: try captured(cleanSites, site)])
        case .site(let site):
            return Hooks(replace: [site: try captured(cleanSites, site)])
        case .edge(let edge):
            let (site, input) = try readerInput(edge.reader)
            var patched = input
            let delta = try writerDifference(edge.writer)
            for k in 0..<patched.scalars.count { patched.scalars[k] += delta.scalars[k] }
            return Hooks(replace: [site: patched])
        case .position(let site, let position):
            let clean = try captured(cleanSites, site)
            var patched = try captured(corruptedSites, site)
            let width = clean.shape[1]
            for b in 0..<batch {
                let row = (b * length + position) * width
                for j in row..<(row + width) { patched.scalars[j] = clean.scalars[j] }
            }
            return Hooks(replace: [site: patched])
        }
    }

    /// The hook site of a reader's input and its value on the corrupted (or clean) run: block b's attention
    /// branch reads the stream entering block b, its MLP branch the stream after attention, the
    /// logits the stream after the last block.
    func readerInput(_ reader: EdgeAttributionPatching.Reader, onCleanRun: Bool = false) throws -> (site: String, input: Tensor) {
        let layers = model.configuration.layers, sites = onCleanRun ? cleanSites : corruptedSites
        switch reader {
        case .attention(let b): return ("blocks.\(b).attn.in", try captured(sites, "blocks.\(b).resid.pre"))
        case .mlp(let b): return ("blocks.\(b).mlp.in", try captured(sites, "blocks.\(b).resid.mid"))
        case .logits: return ("blocks.\(layers - 1).resid", try captured(sites, "blocks.\(layers - 1).resid"))
        }
    }

    /// Δ_u: what the writer adds to the residual stream on the clean run minus on the corrupted run, `[batch·length, d]`.
    public func writerDifference(_ writer: EdgeAttributionPatching.Writer) throws -> Tensor {
        let clean = try writerOutput(writer, of: cleanSites), corrupted = try writerOutput(writer, of: corruptedSites)
        var out = clean
        for k in 0..<out.scalars.count { out.scalars[k] -= corrupted.scalars[k] }
        return out
    }

    private func writerOutput(_ writer: EdgeAttributionPatching.Writer, of sites: [String: Tensor]) throws -> Tensor {
        switch writer {
        case .embeddings: return try captured(sites, "embed")
        case .mlp(let b): return try captured(sites, "blocks.\(b).mlp.out")
        case .head(let b, let h):
            // The head's slice of the concatenated outputs times its columns of W_O: [rows, dh]·[d, dh]ᵀ.
            let c = model.configuration
            guard (0..<c.layers).contains(b), (0..<c.heads).contains(h) else {
                throw MethodError("activation patching: no head \(writer) (blocks 0 … \(c.layers - 1), heads 0 … \(c.heads - 1))")
            }
            let heads = try captured(sites, "blocks.\(b).attn.heads")
            let d = c.dimension, dh = d / c.heads, rows = heads.shape[0]
            var slice = Tensor(zeros: [rows, dh])
            for r in 0..<rows { for j in 0..<dh { slice.scalars[r * dh + j] = heads.scalars[r * d + h * dh + j] } }
            let w = model.blocks[b].attention.output.weight
            var columns = Tensor(zeros: [d, dh])
            for o in 0..<d { for j in 0..<dh { columns.scalars[o * dh + j] = w.scalars[o * d + h * dh + j] } }
            return BLAS.matmul(slice, columns, transposeB: true)
        }
    }

    private func captured(_ sites: [String: Tensor], _ site: String) throws -> Tensor {
        guard let value = sites[site] else { throw MethodError("activation patching: site \(site) was not captured") }
        return value
    }

    /// LD per sequence of the corrupted run with `component` patched from the clean run. The run
    /// starts at the component's block from the corrupted run's residual stream entering it (the
    /// patch cannot change anything before it), which gives the bits of the whole forward pass.
    public func patchedDifferences(_ component: PatchingComponent) throws -> [Double] {
        let hooks = try hooks(patching: component)
        let logits: Tensor
        if case .head(let block, let head) = component, let entering = corruptedSites["blocks.\(block).resid.pre"],
           let corruptedHeads = corruptedSites["blocks.\(block).attn.heads"], let cleanHeads = cleanSites["blocks.\(block).attn.heads"] {
            // Only the head's slice differs from the corrupted run: the block's attention is not recomputed.
            var heads = corruptedHeads
            let d = model.configuration.dimension, width = d / model.configuration.heads
            heads.scalars.withUnsafeMutableBufferPointer { h in
                cleanHeads.scalars.withUnsafeBufferPointer { c in
                    for r in 0..<(batch * length) {
                        let o = r * d + head * width
                        for j in o..<(o + width) { h[j] = c[j] }
                    }
                }
            }
            logits = model.logits(tokens: corrupted, batch: batch, length: length, startingAt: block, residual: entering, heads: heads)
        } else if let start = component.block, let entering = corruptedSites["blocks.\(start).resid.pre"] {
            logits = model.logits(tokens: corrupted, batch: batch, length: length, hooks: hooks, startingAt: start, residual: entering)
        } else {
            logits = model.forward(tokens: corrupted, batch: batch, length: length, hooks: hooks).logits
        }
        return Self.logitDifferences(logits, batch: batch, length: length, correct: correct, wrong: wrong)
    }

    /// (LD̄_patched − LD̄_corrupt)/(LD̄_clean − LD̄_corrupt) over the sequences `rows` (all by
    /// default; a bootstrap passes a resample, repeats allowed); NaN when the clean and corrupted
    /// means are equal (the inputs do not differ in behaviour).
    public static func recovered(patched: [Double], clean: [Double], corrupted: [Double], rows: [Int]? = nil) -> Double {
        let rows = rows ?? Array(patched.indices)
        guard !rows.isEmpty else { return .nan }
        var p = 0.0, c = 0.0, k = 0.0
        for r in rows { p += patched[r]; c += clean[r]; k += corrupted[r] }
        let denominator = c - k
        return denominator == 0 ? .nan : (p - k) / denominator
    }

    /// (LD̄_patched − LD̄_corrupt) / √(mean_b (LD_clean,b − LD_corrupt,b)²) over the sequences
    /// `rows` (all by default; repeats allowed): the logit difference the patch restores, in units
    /// of the root-mean-square clean–corrupt difference per sequence. Where the clean and corrupted
    /// runs differ consistently (a trained network on its task) the denominator is about the
    /// difference of the means, and the value about ``recovered(patched:clean:corrupted:rows:)``;
    /// on a random network, whose per-sequence differences scatter around 0, the mean difference
    /// that ``recovered(patched:clean:corrupted:rows:)`` divides by can be arbitrarily near 0 while
    /// the root mean square cannot (it bounds |LD̄_clean − LD̄_corrupt| from above), so the
    /// statistic stays well conditioned and comparable between trained and null networks. It is
    /// scale-free (logits multiplied by c > 0 leave it unchanged). NaN only when every sequence's
    /// clean and corrupted logit differences are equal. This normalization is this project's, not
    /// the literature's (Heimersheim & Nanda 2024 discuss the recovered fraction's pitfalls).
    public static func restored(patched: [Double], clean: [Double], corrupted: [Double], rows: [Int]? = nil) -> Double {
        let rows = rows ?? Array(patched.indices)
        guard !rows.isEmpty else { return .nan }
        var change = 0.0, squares = 0.0
        for r in rows {
            change += patched[r] - corrupted[r]
            let d = clean[r] - corrupted[r]
            squares += d * d
        }
        let n = Double(rows.count)
        return squares == 0 ? .nan : (change / n) / (squares / n).squareRoot()
    }

    /// The recovered fraction of `component` over all sequences.
    public func recovered(_ component: PatchingComponent) throws -> Double {
        Self.recovered(patched: try patchedDifferences(component), clean: cleanDifferences, corrupted: corruptedDifferences)
    }

    /// The recovered fraction of each of `components` (a sweep over every head, say), the patched
    /// runs on up to `threads` threads with BLAS single-threaded; the values do not depend on
    /// `threads`.
    /// - Throws: ``MethodError`` for the first component the model does not have, before any run.
    public func recovered(_ components: [PatchingComponent], threads: Int = BLAS.threadCount) throws -> [Double] {
        let c = model.configuration
        for component in components { try component.check(layers: c.layers, heads: c.heads, length: length) }
        let results = Self.inParallel(count: components.count, threads: threads) { i in
            Result { try recovered(components[i]) }
        }
        return try results.map { try $0.get() }
    }

    /// `body(0) … body(count − 1)` on up to `threads` threads (BLAS single-threaded meanwhile), in order.
    static func inParallel<T: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard threads > 1 && count > 1 else { return (0..<count).map(body) }
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        return ParallelMap.run(count: count, jobs: threads, body)
    }
}
