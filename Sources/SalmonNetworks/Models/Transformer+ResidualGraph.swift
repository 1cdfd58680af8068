/// The residual graph of a transformer: the nodes that write to the residual stream and the nodes
/// that read it, numbered (Elhage et al. 2021, "A mathematical framework for transformer circuits":
/// the residual stream is a sum of what every earlier component wrote, so each reader reads one
/// edge per earlier writer).
///
/// Writers, in order: the embeddings (0); then per block i its heads h (1 + i·(H + 1) + h), each
/// its output through its slice of the block's output projection, and its MLP block
/// (1 + i·(H + 1) + H). Readers: block i's attention branch (2i) and MLP branch (2i + 1), read
/// before their LayerNorms, and the logits (2L), the final LayerNorm's input. Writer w feeds
/// reader r when w comes earlier in the forward pass: a block's MLP reads its own block's heads.
/// The output projections' biases are the same in every run and are added to the stream, not
/// assigned to a writer.
public struct ResidualGraph: Sendable, Hashable {
    public let layers: Int
    public let heads: Int

    public init(layers: Int, heads: Int) {
        self.layers = layers
        self.heads = heads
    }

    public var writerCount: Int { 1 + layers * (heads + 1) }
    public var readerCount: Int { 2 * layers + 1 }

    public static let embeddingsWriter = 0
    public func headWriter(block: Int, head: Int) -> Int { 1 + block * (heads + 1) + head }
    public func mlpWriter(block: Int) -> Int { 1 + block * (heads + 1) + heads }
    public func attentionReader(block: Int) -> Int { 2 * block }
    public func mlpReader(block: Int) -> Int { 2 * block + 1 }
    public var logitsReader: Int { 2 * layers }

    /// How many writers (a prefix of the writer order) come before reader `r`.
    public func writersBefore(reader r: Int) -> Int {
        if r == logitsReader { return writerCount }
        let block = r / 2
        return r % 2 == 0 ? 1 + block * (heads + 1) : 1 + block * (heads + 1) + heads
    }

    /// Whether writer `w` feeds reader `r`.
    public func hasEdge(writer w: Int, reader r: Int) -> Bool {
        (0..<readerCount).contains(r) && (0..<writersBefore(reader: r)).contains(w)
    }
}

/// A run of ``Transformer/residualGraphRun(tokens:batch:length:keeps:alternative:)``.
public struct ResidualGraphRun: Sendable {
    /// `[batch·length, vocabulary]`.
    public let logits: Tensor
    /// Per writer, in ``ResidualGraph`` order, its output in this run, `[batch·length, d]`.
    public let writerOutputs: [Tensor]
}

extension Transformer {
    /// The model's residual graph.
    public var residualGraph: ResidualGraph { ResidualGraph(layers: configuration.layers, heads: configuration.heads) }

    /// Runs the model on `tokens` with every reader's input assembled edge by edge: reader r reads
    /// from writer w its output in this run when `keeps[r·W + w]` (W writers), and
    /// `alternative[w]` — the writer's output in another run — otherwise. This is path patching of
    /// many edges at once (Wang et al. 2023), the run in which a circuit of edges is evaluated
    /// (Conmy et al. 2023, ACDC; Syed et al. 2023, EAP): the clean input with the edges outside
    /// the circuit reading the corrupted run's writers.
    ///
    /// With every edge kept (`keeps` nil) it is the ordinary forward pass, the residual stream
    /// summed writer by writer (equal to ``forward(tokens:batch:length:hooks:)`` up to rounding),
    /// and its ``ResidualGraphRun/writerOutputs`` are what another run uses as `alternative`.
    /// With no edge kept every reader reads only `alternative`: the bits of the run that made it.
    ///
    /// - Parameters:
    ///   - keeps: reader-major, ``ResidualGraph/readerCount`` × ``ResidualGraph/writerCount``;
    ///     entries for writers that do not feed the reader are not read. Nil keeps every edge.
    ///   - alternative: per writer, `[batch·length, d]`; needed when `keeps` drops an edge.
    /// - Complexity: a forward pass plus, per reader, one addition of `[batch·length, d]` per
    ///   earlier writer; memory: every writer's output, W·batch·length·d floats.
    /// - Precondition: tokens are `batch × length ≤ context`, inside the vocabulary; shapes as stated.
    public func residualGraphRun(tokens: [Int], batch: Int, length: Int, keeps: [Bool]? = nil, alternative: [Tensor]? = nil) -> ResidualGraphRun {
        let c = configuration, graph = residualGraph
        let rows = batch * length, d = c.dimension, dh = d / c.heads, writers = graph.writerCount
        precondition(tokens.count == rows && length <= c.context, "tokens must be batch × length ≤ context")
        precondition(tokens.allSatisfy { (0..<c.vocabulary).contains($0) }, "token outside the vocabulary")
        precondition(keeps == nil || keeps?.count == graph.readerCount * writers, "keeps: readers × writers entries")
        precondition(keeps.map { $0.allSatisfy { $0 } } ?? true || alternative?.count == writers,
                     "alternative: one output per writer")
        var outputs: [Tensor] = []
        outputs.reserveCapacity(writers)
        var x = tokenEmbedding.forward(tokens)
        Self.add(&x, positionEmbedding.forward((0..<rows).map { $0 % length }))
        outputs.append(x)

        /// Reader r's input: its writers' outputs, kept or alternative, in writer order, with each
        /// earlier block's output-projection bias after that block's heads.
        func input(reader r: Int) -> Tensor {
            var sum = Tensor(zeros: [rows, d])
            for w in 0..<graph.writersBefore(reader: r) {
                let kept = keeps?[r * writers + w] ?? true
                if kept { Self.add(&sum, outputs[w]) } else if let alternative { Self.add(&sum, alternative[w]) }
                let position = w - 1
                if w > 0, position % (c.heads + 1) == c.heads - 1 {
                    let bias = blocks[position / (c.heads + 1)].attention.output.bias
                    sum.scalars.withUnsafeMutableBufferPointer { s in
                        bias.scalars.withUnsafeBufferPointer { b in
                            for row in 0..<rows { for j in 0..<d { s[row * d + j] += b[j] } }
                        }
                    }
                }
            }
            return sum
        }

        for (i, block) in blocks.enumerated() {
            let (h1, _) = block.norm1.forward(input(reader: graph.attentionReader(block: i)))
            let (_, cache) = block.attention.forward(h1, batch: batch, length: length, headMask: nil)
            // Head h: its slice of the concatenated outputs times its columns of W_O, [rows, dh]·[d, dh]ᵀ.
            let w = block.attention.output.weight
            for head in 0..<c.heads {
                var out = Tensor(zeros: [rows, d])
                cache.concatenated.scalars.withUnsafeBufferPointer { a in
                    w.scalars.withUnsafeBufferPointer { b in
                        out.scalars.withUnsafeMutableBufferPointer { o in
                            guard let a = a.baseAddress, let b = b.baseAddress, let o = o.baseAddress else { return }
                            BLAS.gemm(transposeB: true, m: rows, n: d, k: dh, a: a + head * dh, lda: d, b: b + head * dh, ldb: d,
                                      c: o, ldc: d)
                        }
                    }
                }
                outputs.append(out)
            }
            let (h2, _) = block.norm2.forward(input(reader: graph.mlpReader(block: i)))
            let u = block.mlpIn.forward(h2)
            var g = Tensor(zeros: u.shape)
            c.activation.apply(u.scalars, into: &g.scalars)
            outputs.append(block.mlpOut.forward(g))
        }
        let (xf, _) = finalNorm.forward(input(reader: graph.logitsReader))
        return ResidualGraphRun(logits: BLAS.matmul(xf, unembedding, transposeB: true), writerOutputs: outputs)
    }
}
