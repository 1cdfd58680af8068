import SalmonNetworks

/// Edge attribution patching (EAP; Syed, Rager & Conmy 2023, "Attribution patching outperforms
/// automated circuit discovery"; Nanda 2023, "Attribution patching"): the first-order estimate of
/// what patching one edge of a transformer's residual graph does to the mean logit difference, for
/// every edge from one backward pass.
///
/// Nodes that write to the residual stream: the embeddings, each head (its output through its
/// slice of the output projection; the projection's bias is the same in both runs) and each MLP
/// block. Nodes that read it: each block's attention branch and MLP branch (their inputs before
/// the LayerNorm, `blocks.i.attn.in`, `blocks.i.mlp.in`) and the logits (the final LayerNorm's
/// input). An edge u → v joins a writer to a later reader (a block's MLP reads its own block's
/// heads). Two directions (Heimersheim & Nanda 2024's terms):
///
/// - ``Direction/denoising`` (Nanda's attribution patching): the edge's clean value patched into
///   the corrupted run, Δ_u = out_u(clean) − out_u(corrupted), g_v = ∂LD̄/∂in_v on the corrupted run;
/// - ``Direction/noising`` (Syed et al.'s EAP, the direction circuit discovery evaluates in): the
///   edge's corrupted value patched into the clean run, Δ_u = out_u(corrupted) − out_u(clean),
///   g_v on the clean run;
///
///     score(u → v) = Σ_{sequences, positions} Δ_u · g_v,
///
/// and LD̄ the mean over sequences of logit(correct) − logit(wrong) at the last position.
/// ``patchedChange(_:scale:)`` computes the exact effect of the patch in_v ← in_v + t·Δ_u on the
/// direction's base run, which agrees with t·score to first order in t (tested).
public struct EdgeAttributionPatching: Sendable {
    /// A node that writes to the residual stream.
    public enum Writer: Hashable, Sendable, CustomStringConvertible {
        case embeddings
        case head(block: Int, head: Int)
        case mlp(block: Int)

        public var description: String {
            switch self {
            case .embeddings: return "embed"
            case .head(let b, let h): return "blocks.\(b).attn.heads.\(h)"
            case .mlp(let b): return "blocks.\(b).mlp"
            }
        }
    }

    /// A node that reads the residual stream.
    public enum Reader: Hashable, Sendable, CustomStringConvertible {
        case attention(block: Int)
        case mlp(block: Int)
        case logits

        public var description: String {
            switch self {
            case .attention(let b): return "blocks.\(b).attn.in"
            case .mlp(let b): return "blocks.\(b).mlp.in"
            case .logits: return "logits"
            }
        }
    }

    public struct Edge: Hashable, Sendable, CustomStringConvertible {
        public var writer: Writer
        public var reader: Reader
        public init(writer: Writer, reader: Reader) {
            self.writer = writer
            self.reader = reader
        }
        public var description: String { "\(writer) -> \(reader)" }
    }

    /// Which run an edge is patched into.
    public enum Direction: String, Sendable, CaseIterable {
        /// Clean values into the corrupted run.
        case denoising
        /// Corrupted values into the clean run.
        case noising
    }

    /// The clean and corrupted runs (with every site captured) the scores are computed from.
    public let patching: ActivationPatching
    public let direction: Direction
    /// Per reader, ∂LD̄/∂in_v on the direction's base run.
    let gradients: [Reader: Tensor]

    /// - Parameters: as ``ActivationPatching/init(model:clean:corrupted:batch:length:correct:wrong:)``.
    /// - Throws: ``MethodError`` naming what is inconsistent.
    public init(model: Transformer, clean: [Int], corrupted: [Int], batch: Int, length: Int, correct: [Int], wrong: [Int]) throws {
        self.init(try ActivationPatching(model: model, clean: clean, corrupted: corrupted, batch: batch, length: length,
                                         correct: correct, wrong: wrong))
    }

    /// EAP on the runs of `patching`: one backward pass of the base run (the corrupted run when
    /// denoising, the clean one when noising) for LD̄.
    public init(_ patching: ActivationPatching, direction: Direction = .denoising) {
        self.patching = patching
        self.direction = direction
        let model = patching.model, batch = patching.batch, length = patching.length
        let layers = model.configuration.layers
        var capture = Set<String>()
        for i in 0..<layers { capture.insert("blocks.\(i).attn.in"); capture.insert("blocks.\(i).mlp.in") }
        capture.insert("blocks.\(layers - 1).resid")
        let pass = model.forward(tokens: direction == .noising ? patching.clean : patching.corrupted, batch: batch, length: length,
                                 hooks: Hooks(capture: capture))
        var dLogits = Tensor(zeros: pass.logits.shape)
        let vocabulary = model.configuration.vocabulary
        for b in 0..<batch {
            let row = (b * length + length - 1) * vocabulary
            dLogits.scalars[row + patching.correct[b]] += 1 / Float(batch)
            dLogits.scalars[row + patching.wrong[b]] -= 1 / Float(batch)
        }
        let sites = model.backward(pass, logitsGradient: dLogits).sites
        var gradients: [Reader: Tensor] = [:]
        for i in 0..<layers {
            gradients[.attention(block: i)] = sites["blocks.\(i).attn.in"]
            gradients[.mlp(block: i)] = sites["blocks.\(i).mlp.in"]
        }
        gradients[.logits] = sites["blocks.\(layers - 1).resid"]
        self.gradients = gradients
    }

    public var model: Transformer { patching.model }

    /// Every edge of the model's residual graph, writers in order (embeddings, then per block its
    /// heads and its MLP), readers after them.
    public static func edges(layers: Int, heads: Int) -> [Edge] {
        var writers: [(Writer, Int)] = [(.embeddings, -1)]   // (writer, the block it belongs to; -1 before block 0)
        for i in 0..<layers {
            for h in 0..<heads { writers.append((.head(block: i, head: h), i)) }
            writers.append((.mlp(block: i), i))
        }
        var edges: [Edge] = []
        for (writer, block) in writers {
            let isHead: Bool
            if case .head = writer { isHead = true } else { isHead = false }
            for i in 0..<layers {
                if i > block { edges.append(Edge(writer: writer, reader: .attention(block: i))) }
                if i > block || (i == block && isHead) { edges.append(Edge(writer: writer, reader: .mlp(block: i))) }
            }
            edges.append(Edge(writer: writer, reader: .logits))
        }
        return edges
    }

    /// Per sequence b, its share of the edge's score: batch · Σ_{positions of b} Δ_u · g_v, so that
    /// their mean is ``scores(_:)``'s value (each is the first-order change of LD_b).
    /// - Throws: ``MethodError`` for an edge the model does not have.
    public func sequenceScores(_ edge: Edge) throws -> [Double] {
        let c = model.configuration
        try PatchingComponent.edge(edge).check(layers: c.layers, heads: c.heads, length: patching.length)
        guard let g = gradients[edge.reader] else { throw MethodError("edge attribution patching: no reader \(edge.reader) in this model") }
        let delta = try patching.writerDifference(edge.writer)
        let width = c.dimension, rowsPerSequence = patching.length * width
        let sign = direction == .noising ? -1.0 : 1.0
        return (0..<patching.batch).map { b in
            var sum = 0.0
            for k in (b * rowsPerSequence)..<((b + 1) * rowsPerSequence) { sum += Double(delta.scalars[k]) * Double(g.scalars[k]) }
            return sign * sum * Double(patching.batch)
        }
    }

    /// The EAP score of each edge: the first-order change of LD̄ (see the type's comment).
    /// - Throws: ``MethodError`` for an edge the model does not have.
    public func scores(_ edges: [Edge]) throws -> [Double] {
        try edges.map { let s = try sequenceScores($0); return s.reduce(0, +) / Double(s.count) }
    }

    /// EAP's estimate of the logit difference the edge recovers, (mean score)/(LD̄_clean − LD̄_corrupt)
    /// over the sequences `rows` (all by default; a bootstrap passes a resample): the first-order
    /// counterpart of ``ActivationPatching/recovered(patched:clean:corrupted:rows:)``; NaN when the
    /// clean and corrupted means are equal.
    public static func attributedRecovered(scores: [Double], clean: [Double], corrupted: [Double], rows: [Int]? = nil) -> Double {
        let rows = rows ?? Array(scores.indices)
        guard !rows.isEmpty else { return .nan }
        var s = 0.0, c = 0.0, k = 0.0
        for r in rows { s += scores[r]; c += clean[r]; k += corrupted[r] }
        return c == k ? .nan : s / (c - k)
    }

    /// The exact change of LD̄ when the reader's input on the base run becomes in_v + t·Δ_u
    /// (t = 1, denoising: the edge patched from the clean run — ``ActivationPatching``'s `.edge`
    /// component; noising: the edge patched from the corrupted run into the clean one).
    public func patchedChange(_ edge: Edge, scale t: Float = 1) throws -> Double {
        let c = model.configuration
        try PatchingComponent.edge(edge).check(layers: c.layers, heads: c.heads, length: patching.length)
        let noising = direction == .noising
        let (site, input) = try patching.readerInput(edge.reader, onCleanRun: noising)
        let delta = try patching.writerDifference(edge.writer)
        let step = noising ? -t : t
        var patched = input
        for k in 0..<patched.scalars.count { patched.scalars[k] += step * delta.scalars[k] }
        let logits = model.forward(tokens: noising ? patching.clean : patching.corrupted, batch: patching.batch, length: patching.length,
                                   hooks: Hooks(replace: [site: patched])).logits
        let differences = ActivationPatching.logitDifferences(logits, batch: patching.batch, length: patching.length,
                                                              correct: patching.correct, wrong: patching.wrong)
        let base = noising ? patching.cleanDifferences : patching.corruptedDifferences
        return (differences.reduce(0, +) - base.reduce(0, +)) / Double(patching.batch)
    }
}

extension EdgeAttributionPatching.Edge {
    /// The edge `writer -> reader` names (`embed`, `blocks.i.attn.heads.h`, `blocks.i.mlp`; `blocks.j.attn.in`,
    /// `blocks.j.mlp.in`, `logits`); nil when either is not such a name.
    public init?(writer: String, reader: String) {
        let w = writer.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let r = reader.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let parsedWriter: EdgeAttributionPatching.Writer
        if writer == "embed" {
            parsedWriter = .embeddings
        } else if w.count == 5, w[0] == "blocks", w[2] == "attn", w[3] == "heads", let b = Int(w[1]), let h = Int(w[4]) {
            parsedWriter = .head(block: b, head: h)
        } else if w.count == 3, w[0] == "blocks", w[2] == "mlp", let b = Int(w[1]) {
            parsedWriter = .mlp(block: b)
        } else {
            return nil
        }
        let parsedReader: EdgeAttributionPatching.Reader
        if reader == "logits" {
            parsedReader = .logits
        } else if r.count == 4, r[0] == "blocks", r[3] == "in", let b = Int(r[1]), r[2] == "attn" || r[2] == "mlp" {
            parsedReader = r[2] == "attn" ? .attention(block: b) : .mlp(block: b)
        } else {
            return nil
        }
        self.init(writer: parsedWriter, reader: parsedReader)
    }
}
