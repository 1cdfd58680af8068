import SalmonNetworks

/// Circuit discovery by edge attribution patching (Syed, Rager & Conmy 2023, "Attribution
/// patching outperforms automated circuit discovery"): every edge of the transformer's residual
/// graph (``EdgeAttributionPatching/edges(layers:heads:)``) is scored by EAP in the noising
/// direction, edges are ranked by |score|, and the circuit is the top of the ranking — a stated
/// number of edges, or the shortest prefix whose faithfulness reaches a threshold (Hanna, Pezzelle
/// & Belinkov 2024, "Have faith in faithfulness", who also scan circuit sizes by faithfulness).
///
/// A circuit is evaluated exactly, not to first order: the model runs on the clean inputs with
/// every edge outside the circuit reading its writer's output on the corrupted run
/// (``Transformer/residualGraphRun(tokens:batch:length:keeps:alternative:)``; ACDC's convention,
/// Conmy et al. 2023), and
///
///     faithfulness(C) = (LD̄_C − LD̄_corrupt) / (LD̄_clean − LD̄_corrupt),
///
/// LD the logit difference at the last position, means over the sequences (as
/// ``ActivationPatching/recovered(patched:clean:corrupted:rows:)``). All three runs are residual
/// graph runs, so the whole graph has faithfulness exactly 1 and the empty circuit exactly 0
/// (tested): the empty circuit's run reads only the corrupted run's writers, which is that run.
///
/// Deterministic: no random draws (ties in |score| keep the order of the edges).
public struct EdgeCircuitDiscovery: Sendable {
    /// How big the circuit is.
    public enum Size: Sendable, Equatable {
        /// The top n edges.
        case edges(Int)
        /// The fewest top edges whose faithfulness is at least this (in (0, 1]; the whole graph's is 1).
        case faithfulness(Double)
    }

    /// A circuit found.
    public struct Result: Sendable {
        /// Per edge (``edges`` order), its EAP score in the noising direction.
        public var scores: [Double]
        /// Edge indices by decreasing |score|.
        public var ranking: [Int]
        /// The circuit: the first ``size`` edges of ``ranking``.
        public var kept: [Int]
        public var faithfulness: Double
        /// Circuit runs made to choose the size (1 for a stated size).
        public var evaluations: Int
    }

    public let patching: ActivationPatching
    /// Every edge of the model's residual graph.
    public let edges: [EdgeAttributionPatching.Edge]
    /// Per edge, its (writer, reader) in ``ResidualGraph`` numbering.
    let graphIndices: [(writer: Int, reader: Int)]
    let graph: ResidualGraph
    /// The corrupted run's writer outputs: what edges outside a circuit read.
    let corruptedWriters: [Tensor]
    /// LD per sequence of the clean and corrupted residual graph runs.
    public let cleanDifferences: [Double]
    public let corruptedDifferences: [Double]

    /// Prepares discovery on the clean and corrupted inputs of `patching` (two graph runs).
    public init(_ patching: ActivationPatching) {
        self.patching = patching
        let model = patching.model, c = model.configuration
        graph = model.residualGraph
        edges = EdgeAttributionPatching.edges(layers: c.layers, heads: c.heads)
        let graph = graph
        graphIndices = edges.map { Self.indices(of: $0, in: graph) }
        let runs = ActivationPatching.inParallel(count: 2, threads: BLAS.threadCount) { i in
            model.residualGraphRun(tokens: i == 0 ? patching.clean : patching.corrupted, batch: patching.batch, length: patching.length)
        }
        corruptedWriters = runs[1].writerOutputs
        cleanDifferences = ActivationPatching.logitDifferences(runs[0].logits, batch: patching.batch, length: patching.length,
                                                               correct: patching.correct, wrong: patching.wrong)
        corruptedDifferences = ActivationPatching.logitDifferences(runs[1].logits, batch: patching.batch, length: patching.length,
                                                                   correct: patching.correct, wrong: patching.wrong)
    }

    static func indices(of edge: EdgeAttributionPatching.Edge, in graph: ResidualGraph) -> (writer: Int, reader: Int) {
        let writer: Int, reader: Int
        switch edge.writer {
        case .embeddings: writer = ResidualGraph.embeddingsWriter
        case .head(let b, let h): writer = graph.headWriter(block: b, head: h)
        case .mlp(let b): writer = graph.mlpWriter(block: b)
        }
        switch edge.reader {
        case .attention(let b): reader = graph.attentionReader(block: b)
        case .mlp(let b): reader = graph.mlpReader(block: b)
        case .logits: reader = graph.logitsReader
        }
        return (writer, reader)
    }

    /// LD per sequence of the clean run with only the edges `circuit` (indices into ``edges``)
    /// reading this run's writers.
    /// - Throws: ``MethodError`` for an index outside ``edges``.
    public func circuitDifferences(keeping circuit: [Int]) throws -> [Double] {
        if let bad = circuit.first(where: { !edges.indices.contains($0) }) {
            throw MethodError("edge circuit: edge \(bad) is outside the \(edges.count) edges of the residual graph")
        }
        var keeps = [Bool](repeating: false, count: graph.readerCount * graph.writerCount)
        for e in circuit {
            let (w, r) = graphIndices[e]
            keeps[r * graph.writerCount + w] = true
        }
        let run = patching.model.residualGraphRun(tokens: patching.clean, batch: patching.batch, length: patching.length,
                                                  keeps: keeps, alternative: corruptedWriters)
        return ActivationPatching.logitDifferences(run.logits, batch: patching.batch, length: patching.length,
                                                   correct: patching.correct, wrong: patching.wrong)
    }

    /// The circuit's faithfulness over the sequences `rows` (all by default); NaN when the clean and
    /// corrupted means are equal there.
    public func faithfulness(keeping circuit: [Int], rows: [Int]? = nil) throws -> Double {
        ActivationPatching.recovered(patched: try circuitDifferences(keeping: circuit), clean: cleanDifferences,
                                     corrupted: corruptedDifferences, rows: rows)
    }

    /// Scores every edge (noising EAP), ranks them by |score| and keeps the top ones.
    /// - Throws: ``MethodError`` for a size outside 0 … edges or a threshold outside (0, 1], or
    ///   when faithfulness is undefined (the clean and corrupted runs have the same mean LD).
    public func discover(size: Size) throws -> Result {
        let eap = EdgeAttributionPatching(patching, direction: .noising)
        let scores = try eap.scores(edges)
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw MethodError("edge circuit: the EAP score of \(edges[bad]) is not finite (the model's activations overflowed)")
        }
        let ranking = scores.indices.sorted { (abs(scores[$0]), $1) > (abs(scores[$1]), $0) }
        guard cleanDifferences.reduce(0, +) != corruptedDifferences.reduce(0, +) else {
            throw MethodError("edge circuit: faithfulness is undefined, the clean and corrupted runs have the same mean logit difference")
        }
        switch size {
        case .edges(let n):
            guard (0...edges.count).contains(n) else {
                throw MethodError("edge circuit: expected 0 … \(edges.count) edges, found \(n)")
            }
            let kept = Array(ranking.prefix(n))
            return Result(scores: scores, ranking: ranking, kept: kept, faithfulness: try faithfulness(keeping: kept), evaluations: 1)
        case .faithfulness(let threshold):
            guard threshold > 0 && threshold <= 1 else {
                throw MethodError("edge circuit: expected a faithfulness threshold in (0, 1], found \(threshold)")
            }
            for n in 0...edges.count {
                let kept = Array(ranking.prefix(n))
                let value = try faithfulness(keeping: kept)
                if value >= threshold || n == edges.count {
                    return Result(scores: scores, ranking: ranking, kept: kept, faithfulness: value, evaluations: n + 1)
                }
            }
            throw MethodError("edge circuit: no prefix of the ranking was evaluated")
        }
    }
}
