import SalmonStatistics

/// The shape of a small decoder-only transformer.
public struct TransformerConfiguration: Sendable, Codable, Equatable, Hashable {
    public var vocabulary: Int
    /// The most positions (the position embedding's rows).
    public var context: Int
    public var dimension: Int
    public var heads: Int
    public var layers: Int
    /// Hidden width of each block's MLP (4 × dimension in GPT-2).
    public var hidden: Int
    public var activation: Activation
    /// How a fresh model of this shape is drawn (a null model's random initialization).
    public var initialization: TransformerInitialization

    public init(vocabulary: Int, context: Int, dimension: Int, heads: Int, layers: Int, hidden: Int? = nil,
                activation: Activation = .gelu, initialization: TransformerInitialization = TransformerInitialization()) {
        self.vocabulary = vocabulary
        self.context = context
        self.dimension = dimension
        self.heads = heads
        self.layers = layers
        self.hidden = hidden ?? 4 * dimension
        self.activation = activation
        self.initialization = initialization
    }
}

/// How ``Transformer/init(_:stream:)`` draws a fresh transformer: every weight matrix and
/// embedding from N(0, σ²), biases 0, LayerNorms 1 and 0 (GPT-2's scheme; Radford et al. 2019).
///
/// The default — σ = 0.02 everywhere, an untied unembedding drawn on its own, ε = 10⁻⁵ — is the
/// one transformers trained here have always had (their random streams are unchanged). A Hugging
/// Face checkpoint initializes as its `config.json` says, as transformers' `GPT2PreTrainedModel
/// ._init_weights` does (checked in distribution against transformers 5.25,
/// `HuggingFaceCheckpointTests`): σ = `initializer_range`, the residual projections
/// (`attn.c_proj`, `mlp.c_proj`) drawn with σ/√(2L) ("scaled by 1/√N" in the GPT-2 paper), the
/// unembedding tied to the token embedding when `tie_word_embeddings`, LayerNorm's ε =
/// `layer_norm_epsilon`.
public struct TransformerInitialization: Sendable, Codable, Hashable {
    /// σ of the weights and embeddings.
    public var standardDeviation: Float
    /// Whether the attention and MLP output projections are drawn with σ/√(2 · layers).
    public var scalesResidualProjections: Bool
    /// Whether the unembedding is the token embedding (else drawn on its own, N(0, σ²)).
    public var tiedUnembedding: Bool
    /// LayerNorm's ε.
    public var layerNormEpsilon: Float

    public init(standardDeviation: Float = 0.02, scalesResidualProjections: Bool = false, tiedUnembedding: Bool = false,
                layerNormEpsilon: Float = 1e-5) {
        self.standardDeviation = standardDeviation
        self.scalesResidualProjections = scalesResidualProjections
        self.tiedUnembedding = tiedUnembedding
        self.layerNormEpsilon = layerNormEpsilon
    }
}

/// One pre-LayerNorm block: x + attention(LN₁(x)), then + MLP(LN₂(·)).
public struct TransformerBlock: Sendable, Equatable {
    public var norm1: LayerNorm
    public var attention: CausalSelfAttention
    public var norm2: LayerNorm
    public var mlpIn: Linear
    public var mlpOut: Linear
}

/// A decoder-only transformer shaped like GPT-2 (Radford et al. 2019): token and position
/// embeddings, pre-LayerNorm blocks of causal multi-head self-attention and a GELU MLP, a final
/// LayerNorm and an unembedding `[vocabulary, dimension]` (untied; tie it by copying the token
/// embedding).
///
/// Hook sites (see ``Hooks``): `embed` (token + position embedding), and per block i
/// `blocks.i.attn.out`, `blocks.i.mlp.hidden` (after the activation), `blocks.i.mlp.out` and
/// `blocks.i.resid` (the residual stream after the block). Node masks also apply to
/// `blocks.i.attn.heads` (one factor per head, on its output before the projection).
/// Capture-only sites (read, never replaced or masked): `blocks.i.resid.pre` (the residual
/// stream entering block i), `blocks.i.resid.mid` (after attention, before the MLP),
/// `blocks.i.attn.heads` (the heads' outputs before the projection, concatenated: `[rows, d]`,
/// head h in columns h·d/H ..< (h+1)·d/H), `final` (after the final LayerNorm) and `logits`.
/// ``sites(layers:)`` lists them all. Branch inputs (path patching; not in ``sites(layers:)``):
/// `blocks.i.attn.in` and `blocks.i.mlp.in`, the residual stream as block i's attention (resp. MLP)
/// branch reads it, before its LayerNorm — replacing one changes what that branch reads and
/// leaves the skip path alone (edge patching: Wang et al. 2023's path patching; Syed et al. 2023).
public struct Transformer: Sendable, Equatable {
    public var configuration: TransformerConfiguration
    public var tokenEmbedding: Embedding
    public var positionEmbedding: Embedding
    public var blocks: [TransformerBlock]
    public var finalNorm: LayerNorm
    public var unembedding: Tensor

    /// GPT-2's initialization: every weight and embedding N(0, 0.02²), biases 0, LayerNorm γ = 1,
    /// β = 0; block i from `stream.derived("blocks", i)`.
    public init(_ c: TransformerConfiguration, stream: RandomStream) {
        precondition(c.dimension % c.heads == 0, "dimension must be a multiple of heads")
        configuration = c
        let initialization = c.initialization, sigma = initialization.standardDeviation
        let epsilon = initialization.layerNormEpsilon
        var s = stream.derived("embedding")
        tokenEmbedding = Embedding(count: c.vocabulary, dimension: c.dimension, standardDeviation: sigma, stream: &s)
        positionEmbedding = Embedding(count: c.context, dimension: c.dimension, standardDeviation: sigma, stream: &s)
        blocks = (0..<c.layers).map { i in
            var b = stream.derived("blocks", .index(i))
            let gpt2 = Initializer.normal(standardDeviation: sigma)
            let residual = initialization.scalesResidualProjections
                ? Initializer.normal(standardDeviation: sigma / Float(2 * c.layers).squareRoot()) : gpt2
            return TransformerBlock(
                norm1: LayerNorm(features: c.dimension, epsilon: epsilon),
                attention: CausalSelfAttention(
                    qkv: Linear(inFeatures: c.dimension, outFeatures: 3 * c.dimension, initializer: gpt2, stream: &b),
                    output: Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: residual, stream: &b),
                    heads: c.heads),
                norm2: LayerNorm(features: c.dimension, epsilon: epsilon),
                mlpIn: Linear(inFeatures: c.dimension, outFeatures: c.hidden, initializer: gpt2, stream: &b),
                mlpOut: Linear(inFeatures: c.hidden, outFeatures: c.dimension, initializer: residual, stream: &b))
        }
        finalNorm = LayerNorm(features: c.dimension, epsilon: epsilon)
        if initialization.tiedUnembedding {
            unembedding = tokenEmbedding.weight
        } else {
            var u = stream.derived("unembedding")
            unembedding = Tensor(shape: [c.vocabulary, c.dimension],
                                 scalars: (0..<(c.vocabulary * c.dimension)).map { _ in Float(u.gaussian()) * sigma })
        }
    }

    struct BlockCache: Sendable {
        var norm1: LayerNorm.Cache
        var attention: CausalSelfAttention.Cache
        var attentionReplaced: Bool
        var norm2Input: Tensor
        var norm2: LayerNorm.Cache
        var attentionInputReplaced: Bool
        var mlpInputReplaced: Bool
        var mlpInput: Tensor
        var preActivation: Tensor
        var hidden: Tensor
        var hiddenReplaced: Bool
        var mlpReplaced: Bool
        var residReplaced: Bool
    }
}

/// The result of a transformer forward pass.
public struct TransformerPass: Sendable {
    /// `[batch·length, vocabulary]`, row b·length + t for sequence b, position t.
    public let logits: Tensor
    public let captured: [String: Tensor]
    let tokens: [Int]
    let batch: Int
    let length: Int
    let hooks: Hooks
    let embedReplaced: Bool
    let blockCaches: [Transformer.BlockCache]
    let finalInput: Tensor
    let finalNorm: LayerNorm.Cache
    let finalOutput: Tensor
}

extension Transformer {
    /// Runs the model on `batch` sequences of `length` tokens, `tokens` batch-major.
    public func forward(tokens: [Int], batch: Int, length: Int, hooks: Hooks = .none) -> TransformerPass {
        let c = configuration
        precondition(tokens.count == batch * length && length <= c.context, "tokens must be batch × length ≤ context")
        precondition(tokens.allSatisfy { (0..<c.vocabulary).contains($0) }, "token outside the vocabulary")
        var captured: [String: Tensor] = [:]
        var x = tokenEmbedding.forward(tokens)
        Self.add(&x, positionEmbedding.forward((0..<(batch * length)).map { $0 % length }))
        let embedReplaced = hooks.process("embed", &x, captured: &captured)
        return forward(from: 0, residual: x, tokens: tokens, batch: batch, length: length, hooks: hooks,
                       captured: captured, embedReplaced: embedReplaced)
    }

    /// The logits of a run that enters block `start` with the residual stream `residual`
    /// (`[batch·length, d]`) — what the embeddings and blocks before `start` give on these tokens,
    /// for a caller who knows that part of the run is unchanged (activation patching of a component
    /// in block `start` or later: the same bits as the whole forward pass, without recomputing what
    /// the patch cannot change). Hooks act from block `start` on. Inference only (no backward).
    ///
    /// With `heads`, block `start`'s heads' concatenated outputs (`[batch·length, d]`, before the
    /// output projection) are taken as given instead of computed: head patching, where the patched
    /// head's block differs from the corrupted run only there, skips that block's attention
    /// (queries, keys, values and patterns are the corrupted run's) — the same bits as computing it
    /// with the head masked and filled.
    public func logits(tokens: [Int], batch: Int, length: Int, hooks: Hooks = .none, startingAt start: Int, residual: Tensor,
                       heads: Tensor? = nil) -> Tensor {
        precondition((0...blocks.count).contains(start) && residual.shape == [batch * length, configuration.dimension],
                     "a run entering block \(start) of \(blocks.count) with a [batch·length, d] residual")
        precondition(heads == nil || (start < blocks.count && heads?.shape == [batch * length, configuration.dimension]),
                     "given heads are block \(start)'s concatenated outputs, [batch·length, d]")
        return forward(from: start, residual: residual, tokens: tokens, batch: batch, length: length, hooks: hooks,
                       captured: [:], embedReplaced: false, heads: heads).logits
    }

    /// Blocks `start` … L−1, the final norm and the unembedding on the residual `x` entering block
    /// `start` (block caches only for those blocks: a pass from `start` > 0 is never backpropagated).
    func forward(from start: Int, residual: Tensor, tokens: [Int], batch: Int, length: Int, hooks: Hooks,
                 captured: [String: Tensor], embedReplaced: Bool, heads: Tensor? = nil) -> TransformerPass {
        let c = configuration
        var captured = captured
        var x = residual
        var caches: [BlockCache] = []
        for (i, block) in blocks.enumerated() where i >= start {
            hooks.captureOnly("blocks.\(i).resid.pre", x, captured: &captured)
            var attentionInput = x
            let attentionInputReplaced = hooks.process("blocks.\(i).attn.in", &attentionInput, captured: &captured)
            let (h1, c1) = block.norm1.forward(attentionInput)
            var a: Tensor, ca: CausalSelfAttention.Cache
            if i == start, let heads {
                // Inference only (``logits(tokens:batch:length:hooks:startingAt:residual:heads:)``): no pattern to cache.
                a = block.attention.output.forward(heads)
                ca = CausalSelfAttention.Cache(input: h1, qkv: Tensor(zeros: [0]), patterns: [], concatenated: heads, headMask: nil)
            } else {
                (a, ca) = block.attention.forward(h1, batch: batch, length: length,
                                                  headMask: hooks.nodeMasks["blocks.\(i).attn.heads"],
                                                  headFill: hooks.nodeFills["blocks.\(i).attn.heads"])
            }
            hooks.captureOnly("blocks.\(i).attn.heads", ca.concatenated, captured: &captured)
            let aReplaced = hooks.process("blocks.\(i).attn.out", &a, captured: &captured)
            var x1 = x
            Self.add(&x1, a)
            hooks.captureOnly("blocks.\(i).resid.mid", x1, captured: &captured)
            var mlpBranchInput = x1
            let mlpInputReplaced = hooks.process("blocks.\(i).mlp.in", &mlpBranchInput, captured: &captured)
            let (h2, c2) = block.norm2.forward(mlpBranchInput)
            let u = block.mlpIn.forward(h2)
            // A fresh buffer, not a copy of u to overwrite (writing zeros costs less than copying;
            // measured: the sweep of Benchmarks' patching, 0.32 s with a closure-filled buffer, 0.22 s so).
            var g = Tensor(zeros: u.shape)
            c.activation.apply(u.scalars, into: &g.scalars)
            let gReplaced = hooks.process("blocks.\(i).mlp.hidden", &g, captured: &captured)
            var m = block.mlpOut.forward(g)
            let mReplaced = hooks.process("blocks.\(i).mlp.out", &m, captured: &captured)
            var x2 = x1
            Self.add(&x2, m)
            let rReplaced = hooks.process("blocks.\(i).resid", &x2, captured: &captured)
            caches.append(BlockCache(norm1: c1, attention: ca, attentionReplaced: aReplaced, norm2Input: x1, norm2: c2,
                                     attentionInputReplaced: attentionInputReplaced, mlpInputReplaced: mlpInputReplaced,
                                     mlpInput: h2, preActivation: u, hidden: g, hiddenReplaced: gReplaced,
                                     mlpReplaced: mReplaced, residReplaced: rReplaced))
            x = x2
        }
        let (xf, cf) = finalNorm.forward(x)
        hooks.captureOnly("final", xf, captured: &captured)
        let logits = BLAS.matmul(xf, unembedding, transposeB: true)
        hooks.captureOnly("logits", logits, captured: &captured)
        return TransformerPass(logits: logits, captured: captured, tokens: tokens, batch: batch, length: length,
                               hooks: hooks, embedReplaced: embedReplaced, blockCaches: caches, finalInput: x,
                               finalNorm: cf, finalOutput: xf)
    }

    /// Every hook site of a transformer with `layers` blocks, from the input up: `embed`; per block
    /// `resid.pre`, `attn.heads`, `attn.out`, `resid.mid`, `mlp.hidden`, `mlp.out`, `resid`; `final`, `logits`.
    public static func sites(layers: Int) -> [String] {
        ["embed"] + (0..<layers).flatMap { i in
            ["resid.pre", "attn.heads", "attn.out", "resid.mid", "mlp.hidden", "mlp.out", "resid"].map { "blocks.\(i).\($0)" }
        } + ["final", "logits"]
    }

    /// Whether a forward pass can replace the value at `site` (``Hooks/replace``): `embed` and
    /// `blocks.i.{attn.out, mlp.hidden, mlp.out, resid}`; the other sites are read only.
    public static func isReplaceable(_ site: String) -> Bool {
        if site == "embed" { return true }
        let parts = site.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blocks", Int(parts[1]) != nil else { return false }
        return ["attn.out", "mlp.hidden", "mlp.out", "resid"].contains(String(parts[2]))
    }

    /// x += y, element-wise, on the contiguous buffers.
    static func add(_ x: inout Tensor, _ y: Tensor) {
        x.scalars.withUnsafeMutableBufferPointer { xs in
            y.scalars.withUnsafeBufferPointer { ys in
                for k in 0..<xs.count { xs[k] += ys[k] }
            }
        }
    }
}
