import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Edge attribution patching: the edges of the residual graph, branch-input patching that leaves
/// the skip path alone, and agreement with exact edge patching to first order.
@Suite struct EdgeAttributionPatchingTests {
    static func eap(seed: UInt64 = 31) throws -> EdgeAttributionPatching {
        let configuration = TransformerConfiguration(vocabulary: 11, context: 5, dimension: 8, heads: 2, layers: 2)
        var model = Transformer(configuration, stream: RandomStream(seed: seed))
        // Weights 8 × GPT-2's N(0, 0.02²), so that the network is far from linear and the
        // second-order term is visible.
        model.parameterArrays = model.parameterArrays.map { $0.map { $0 * 8 } }
        var stream = RandomStream(seed: seed + 1)
        let clean = (0..<24).map { _ in Int(stream.next() % 11) }
        let corrupted = clean.enumerated().map { i, t in [1, 2].contains(i % 4) ? (t + 3) % 11 : t }
        return try EdgeAttributionPatching(model: model, clean: clean, corrupted: corrupted, batch: 6, length: 4,
                                           correct: [1, 2, 3, 4, 5, 6], wrong: [7, 8, 9, 10, 0, 1])
    }

    @Test func theResidualGraphHasEveryWriterBeforeEveryLaterReader() {
        let edges = EdgeAttributionPatching.edges(layers: 2, heads: 2)
        // Embeddings: 5 readers; block-0 heads: attn 1, mlp 0, mlp 1, logits; mlp 0: attn 1, mlp 1, logits;
        // block-1 heads: mlp 1, logits; mlp 1: logits.
        #expect(edges.count == 5 + 2 * 4 + 3 + 2 * 2 + 1)
        #expect(Set(edges).count == edges.count)
        #expect(edges.contains(.init(writer: .head(block: 1, head: 0), reader: .mlp(block: 1))))
        #expect(!edges.contains(.init(writer: .head(block: 1, head: 0), reader: .attention(block: 1))))
        #expect(!edges.contains(.init(writer: .mlp(block: 0), reader: .mlp(block: 0))))
    }

    /// Patching a branch input leaves the skip path alone: replacing block 1's MLP input by itself
    /// changes nothing, and a whole edge patch at t = 0 is the corrupted run.
    @Test func aBranchInputPatchedByItselfChangesNothing() throws {
        let eap = try Self.eap()
        for edge in EdgeAttributionPatching.edges(layers: 2, heads: 2) {
            #expect(try eap.patchedChange(edge, scale: 0) == 0, "\(edge)")
        }
    }

    /// EAP is the derivative of the exact edge patch at t = 0: (exact(t) − t·score)/t shrinks in
    /// proportion to t (the error is second order), for every edge.
    @Test func edgeAttributionPatchingIsExactPatchingToFirstOrder() throws {
        let eap = try Self.eap()
        let edges = EdgeAttributionPatching.edges(layers: 2, heads: 2)
        let scores = try eap.scores(edges)
        let largest = scores.map(abs).max() ?? 0
        #expect(largest > 1e-3)
        var ratios: [Double] = []
        for (edge, score) in zip(edges, scores) {
            let coarse = try eap.patchedChange(edge, scale: 0.02) / 0.02 - score
            let fine = try eap.patchedChange(edge, scale: 0.005) / 0.005 - score
            // First order: the slope error at t = 0.005 is within 2 % of the largest score…
            #expect(abs(fine) <= 0.02 * largest + 1e-4, "\(edge): score \(score), exact slope error \(fine)")
            // …and shrinks about 4-fold from t = 0.02 (linear in t), where it is not negligible.
            if abs(coarse) > 0.01 * largest { ratios.append(coarse / fine) }
        }
        #expect(!ratios.isEmpty)
        for r in ratios { #expect(r > 2.5 && r < 6, "slope error ratio \(r) between t = 0.02 and t = 0.005") }
        // At t = 1 (the real patch) EAP ranks edges as exact patching does, roughly. The patch is
        // activation patching's `.edge` component, which starts at the reader's block.
        let exact = try edges.map { try eap.patchedChange($0) }
        for (edge, change) in zip(edges, exact) {
            let component = try #require(PatchingComponent(parsing: "\(edge.writer)->\(edge.reader)"))
            #expect(component == .edge(edge) && component.description == "\(edge.writer)->\(edge.reader)")
            let patched = try eap.patching.patchedDifferences(component)
            let mean = (patched.reduce(0, +) - eap.patching.corruptedDifferences.reduce(0, +)) / 6
            #expect(abs(mean - change) <= 1e-5 * max(1, abs(change)), "\(edge): \(mean) vs \(change)")
        }
        // Per-sequence shares average to the score.
        for (edge, score) in zip(edges, scores) {
            let shares = try eap.sequenceScores(edge)
            #expect(abs(shares.reduce(0, +) / 6 - score) <= 1e-12 * max(1, abs(score)))
        }
        #expect(PatchingComponent(parsing: "blocks.0.mlp->blocks.0.attn.in").map { c in (try? c.check(layers: 2, heads: 2, length: 4)) == nil } == true)
        #expect(PatchingComponent(parsing: "blocks.0.mlp->blocks.x.attn.in") == nil)
        print("EAP vs exact edge patching (t = 1), Spearman:", try Correlation.spearman(scores, exact))
    }
}
