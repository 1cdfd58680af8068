import SalmonNetworks

/// Edge attribution patching (EAP; Syed, Rager & Conmy 2023, "Attribution patching outperforms
/// automated circuit discovery"; Nanda 2023, "Attribution patching"): the first-order estimate of
/// what patching one edge of a transformer's residual graph from the clean run into the corrupted
/// run does to the mean logit difference, for every edge from one backward pass.
///
/// Nodes that write to the residual stream: the embeddings, each head (its output through its
/// slice of the output projection; the projection's bias is the same in both runs) and each MLP
/// block. Nodes that read it: each block's attention branch and MLP branch (their inputs before
/// the LayerNorm, `blocks.i.attn.in`, `blocks.i.mlp.in`) and the logits (the final LayerNorm's
/// input). An edge u → v joins a writer to a later reader (a block's MLP reads its own block's
/// heads). With Δ_u = out_u(clean) − out_u(corrupted) and g_v = ∂LD̄/∂in_v on the corrupted run,
///
///     score(u → v) = Σ_{sequences, positions} Δ_u · g_v,
///
/// and LD̄ the mean over sequences of logit(correct) − logit(wrong) at the last position.
/// ``patchedChange(_:scale:)`` computes the exact effect of the patch in_v ← in_v + t·Δ_u, which
/// agrees with t·score to first order in t (tested).
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

    public let model: Transformer
    public let batch: Int
    public let length: Int
    let patching: ActivationPatching
    let corrupted: [Int]
    /// Per reader, ∂LD̄/∂in_v on the corrupted run.
    let gradients: [Reader: Tensor]

    /// - Parameters: as ``ActivationPatching/init(model:clean:corrupted:batch:length:correct:wrong:)``.
    /// - Throws: ``MethodError`` naming what is inconsistent.
    public init(model: Transformer, clean: [Int], corrupted: [Int], batch: Int, length: Int, correct: [Int], wrong: [Int]) throws {
        patching = try ActivationPatching(model: model, clean: clean, corrupted: corrupted, batch: batch, length: length,
                                          correct: correct, wrong: wrong)
        self.model = model
        self.batch = batch
        self.length = length
        self.corrupted = corrupted
        let layers = model.configuration.layers
        var capture = Set<String>()
        for i in 0..<layers { capture.insert("blocks.\(i).attn.in"); capture.insert("blocks.\(i).mlp.in") }
        capture.insert("blocks.\(layers - 1).resid")
        let pass = model.forward(tokens: corrupted, batch: batch, length: length, hooks: Hooks(capture: capture))
        var dLogits = Tensor(zeros: pass.logits.shape)
        let vocabulary = model.configuration.vocabulary
        for b in 0..<batch {
            let row = (b * length + length - 1) * vocabulary
            dLogits.scalars[row + correct[b]] += 1 / Float(batch)
            dLogits.scalars[row + wrong[b]] -= 1 / Float(batch)
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

    /// Δ_u, the writer's output on the clean run minus the corrupted run, `[batch·length, d]`.
    public func difference(_ writer: Writer) throws -> Tensor {
        try output(writer, of: patching.cleanSites) - output(writer, of: patching.corruptedSites)
    }

    private func output(_ writer: Writer, of sites: [String: Tensor]) throws -> Tensor {
        func site(_ name: String) throws -> Tensor {
            guard let t = sites[name] else { throw MethodError("edge attribution patching: site \(name) was not captured") }
            return t
        }
        switch writer {
        case .embeddings: return try site("embed")
        case .mlp(let b): return try site("blocks.\(b).mlp.out")
        case .head(let b, let h):
            // The head's slice of the concatenated outputs times its columns of W_O: [rows, dh]·[d, dh]ᵀ.
            let c = model.configuration
            guard (0..<c.layers).contains(b), (0..<c.heads).contains(h) else {
                throw MethodError("edge attribution patching: no head \(writer) (blocks 0 … \(c.layers - 1), heads 0 … \(c.heads - 1))")
            }
            let heads = try site("blocks.\(b).attn.heads")
            let d = c.dimension, dh = d / c.heads, rows = heads.shape[0]
            var slice = Tensor(zeros: [rows, dh])
            for r in 0..<rows { for j in 0..<dh { slice.scalars[r * dh + j] = heads.scalars[r * d + h * dh + j] } }
            let w = model.blocks[b].attention.output.weight
            var columns = Tensor(zeros: [d, dh])
            for o in 0..<d { for j in 0..<dh { columns.scalars[o * dh + j] = w.scalars[o * d + h * dh + j] } }
            return BLAS.matmul(slice, columns, transposeB: true)
        }
    }

    /// The EAP score of each edge (see the type's comment), in the order of `edges`.
    /// - Throws: ``MethodError`` for an edge the model does not have.
    public func scores(_ edges: [Edge]) throws -> [Double] {
        var differences: [Writer: Tensor] = [:]
        return try edges.map { edge in
            guard let g = gradients[edge.reader] else { throw MethodError("edge attribution patching: no reader \(edge.reader) in this model") }
            let delta: Tensor
            if let known = differences[edge.writer] { delta = known } else { delta = try difference(edge.writer); differences[edge.writer] = delta }
            var sum = 0.0
            for k in 0..<delta.scalars.count { sum += Double(delta.scalars[k]) * Double(g.scalars[k]) }
            return sum
        }
    }

    /// The exact change of LD̄ when the reader's input on the corrupted run becomes in_v + t·Δ_u
    /// (t = 1: the edge patched from the clean run, everything else corrupted).
    public func patchedChange(_ edge: Edge, scale t: Float = 1) throws -> Double {
        let delta = try difference(edge.writer)
        let layers = model.configuration.layers
        let name: String
        switch edge.reader {
        case .attention(let b): name = "blocks.\(b).attn.in"
        case .mlp(let b): name = "blocks.\(b).mlp.in"
        case .logits: name = "blocks.\(layers - 1).resid"
        }
        let corruptedInput: Tensor
        switch edge.reader {
        case .attention(let b):
            // The attention branch of block b reads the residual stream entering block b.
            guard let x = patching.corruptedSites["blocks.\(b).resid.pre"] else { throw MethodError("edge attribution patching: site blocks.\(b).resid.pre was not captured") }
            corruptedInput = x
        case .mlp(let b):
            guard let x = patching.corruptedSites["blocks.\(b).resid.mid"] else { throw MethodError("edge attribution patching: site blocks.\(b).resid.mid was not captured") }
            corruptedInput = x
        case .logits:
            guard let x = patching.corruptedSites[name] else { throw MethodError("edge attribution patching: site \(name) was not captured") }
            corruptedInput = x
        }
        var patched = corruptedInput
        for k in 0..<patched.scalars.count { patched.scalars[k] += t * delta.scalars[k] }
        let logits = model.forward(tokens: corrupted, batch: batch, length: length, hooks: Hooks(replace: [name: patched])).logits
        let differences = ActivationPatching.logitDifferences(logits, batch: batch, length: length, correct: patching.correct, wrong: patching.wrong)
        let base = patching.corruptedDifferences
        return (differences.reduce(0, +) - base.reduce(0, +)) / Double(batch)
    }
}

private func - (a: Tensor, b: Tensor) -> Tensor {
    var out = a
    for k in 0..<out.scalars.count { out.scalars[k] -= b.scalars[k] }
    return out
}
