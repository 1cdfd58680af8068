import Foundation
import SalmonStatistics

/// BERT's encoder (Devlin et al. 2019) as Hugging Face transformers' `BertModel` computes it in
/// evaluation: token, position and token-type embeddings summed and LayerNormed; then per layer
/// bidirectional multi-head self-attention with a padding mask, **post**-LayerNorm residual blocks
/// (x ← LN(x + attention(x)), x ← LN(x + FFN(x))), the FFN an activation between two linear maps;
/// and the pooler, tanh(W h_[CLS] + b). Covers BERT, MiniLM and other configs of that shape
/// (`BertCheckpoint` reads them from a checkpoint directory).
///
/// Hidden states are transformers' `output_hidden_states`: the embeddings' output, then each
/// layer's, `[batch·length, d]` each, row b·length + t. A padded key (mask 0) gets no attention
/// (transformers adds the most negative float to its score, so its softmax weight is exactly 0);
/// padded positions still have hidden states, computed from the unpadded ones.
public struct BertEncoder: Sendable, Equatable {
    public struct Configuration: Sendable, Hashable {
        public var vocabulary: Int
        public var positions: Int
        public var types: Int
        public var dimension: Int
        public var heads: Int
        public var layers: Int
        public var intermediate: Int
        public var activation: Activation
        public var layerNormEpsilon: Float
        /// σ of transformers' initialization of this config (`initializer_range`).
        public var initializerRange: Float
        /// The padding token (`pad_token_id`), whose word embedding a fresh model has at 0.
        public var padToken: Int?

        public init(vocabulary: Int, positions: Int, types: Int, dimension: Int, heads: Int, layers: Int, intermediate: Int,
                    activation: Activation = .gelu, layerNormEpsilon: Float = 1e-12, initializerRange: Float = 0.02, padToken: Int? = 0) {
            self.padToken = padToken
            self.vocabulary = vocabulary
            self.positions = positions
            self.types = types
            self.dimension = dimension
            self.heads = heads
            self.layers = layers
            self.intermediate = intermediate
            self.activation = activation
            self.layerNormEpsilon = layerNormEpsilon
            self.initializerRange = initializerRange
        }
    }

    /// One encoder layer (`encoder.layer.i`).
    public struct Layer: Sendable, Equatable {
        public var query: Linear
        public var key: Linear
        public var value: Linear
        public var attentionOutput: Linear
        public var attentionNorm: LayerNorm
        public var intermediate: Linear
        public var output: Linear
        public var outputNorm: LayerNorm

        public init(query: Linear, key: Linear, value: Linear, attentionOutput: Linear, attentionNorm: LayerNorm,
                    intermediate: Linear, output: Linear, outputNorm: LayerNorm) {
            self.query = query
            self.key = key
            self.value = value
            self.attentionOutput = attentionOutput
            self.attentionNorm = attentionNorm
            self.intermediate = intermediate
            self.output = output
            self.outputNorm = outputNorm
        }
    }

    public var configuration: Configuration
    public var wordEmbedding: Embedding
    public var positionEmbedding: Embedding
    public var typeEmbedding: Embedding
    public var embeddingNorm: LayerNorm
    public var layers: [Layer]
    /// The pooler (`pooler.dense`), when the checkpoint has one.
    public var pooler: Linear?

    public init(configuration: Configuration, wordEmbedding: Embedding, positionEmbedding: Embedding, typeEmbedding: Embedding,
                embeddingNorm: LayerNorm, layers: [Layer], pooler: Linear?) {
        self.configuration = configuration
        self.wordEmbedding = wordEmbedding
        self.positionEmbedding = positionEmbedding
        self.typeEmbedding = typeEmbedding
        self.embeddingNorm = embeddingNorm
        self.layers = layers
        self.pooler = pooler
    }

    /// A fresh encoder as transformers' `BertPreTrainedModel._init_weights` draws one (v4.x–5.x):
    /// every linear weight and embedding N(0, initializer_range²), biases 0, LayerNorms 1 and 0,
    /// the padding token's word embedding 0 (checked in distribution against transformers 5.25,
    /// `BertCheckpointTests`). Deterministic for a stream; each part from its own derived stream.
    public init(configuration c: Configuration, pooler hasPooler: Bool = true, stream: RandomStream) {
        let sigma = c.initializerRange
        let normal = Initializer.normal(standardDeviation: sigma)
        func norm() -> LayerNorm { LayerNorm(features: c.dimension, epsilon: c.layerNormEpsilon) }
        var e = stream.derived("embeddings")
        var words = Embedding(count: c.vocabulary, dimension: c.dimension, standardDeviation: sigma, stream: &e)
        if let pad = c.padToken, (0..<c.vocabulary).contains(pad) {
            for j in 0..<c.dimension { words.weight.scalars[pad * c.dimension + j] = 0 }
        }
        let positions = Embedding(count: c.positions, dimension: c.dimension, standardDeviation: sigma, stream: &e)
        let types = Embedding(count: c.types, dimension: c.dimension, standardDeviation: sigma, stream: &e)
        let layers = (0..<c.layers).map { i -> Layer in
            var l = stream.derived("layers", .index(i))
            return Layer(query: Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: normal, stream: &l),
                         key: Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: normal, stream: &l),
                         value: Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: normal, stream: &l),
                         attentionOutput: Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: normal, stream: &l),
                         attentionNorm: norm(),
                         intermediate: Linear(inFeatures: c.dimension, outFeatures: c.intermediate, initializer: normal, stream: &l),
                         output: Linear(inFeatures: c.intermediate, outFeatures: c.dimension, initializer: normal, stream: &l),
                         outputNorm: norm())
        }
        var p = stream.derived("pooler")
        self.init(configuration: c, wordEmbedding: words, positionEmbedding: positions, typeEmbedding: types, embeddingNorm: norm(),
                  layers: layers, pooler: hasPooler ? Linear(inFeatures: c.dimension, outFeatures: c.dimension, initializer: normal, stream: &p) : nil)
    }

    /// A random-init null model of this encoder: a fresh one of its configuration (with a pooler
    /// when it has one), drawn from `stream`.
    public func reinitialized(stream: RandomStream) -> BertEncoder {
        BertEncoder(configuration: configuration, pooler: pooler != nil, stream: stream)
    }

    /// The hidden states of `batch` sequences of `length` tokens (batch-major): the embeddings'
    /// output and every layer's, `configuration.layers + 1` tensors `[batch·length, d]`.
    /// - Parameters:
    ///   - types: token types (segment ids), 0 for every token when nil.
    ///   - mask: 1 for a token, 0 for padding; every token when nil.
    ///   - running: how many layers to run, from the first (nil: all); the states returned are
    ///     then the embeddings' and those layers', `running + 1` tensors.
    /// - Precondition: shapes as stated; ids inside the vocabulary, types inside `types`,
    ///   `length` ≤ positions (the caller checks what it read).
    public func hiddenStates(tokens: [Int], types: [Int]? = nil, mask: [Int]? = nil, batch: Int, length: Int, running: Int? = nil) -> [Tensor] {
        let c = configuration, rows = batch * length
        precondition(running.map { (0...layers.count).contains($0) } ?? true, "running: 0 … layers")
        precondition(tokens.count == rows && length <= c.positions, "tokens: batch × length ≤ positions")
        precondition(types.map { $0.count == rows } ?? true && mask.map { $0.count == rows } ?? true, "types and mask: batch × length")
        var x = wordEmbedding.forward(tokens)
        Transformer.add(&x, typeEmbedding.forward(types ?? [Int](repeating: 0, count: rows)))
        Transformer.add(&x, positionEmbedding.forward((0..<rows).map { $0 % length }))
        var states = [embeddingNorm.forward(x).0]
        for layer in layers.prefix(running ?? layers.count) {
            let input = states[states.count - 1]
            var attended = layer.attentionOutput.forward(attention(layer, input, mask: mask, batch: batch, length: length))
            Transformer.add(&attended, input)
            let middle = layer.attentionNorm.forward(attended).0
            let u = layer.intermediate.forward(middle)
            var g = Tensor(zeros: u.shape)
            c.activation.apply(u.scalars, into: &g.scalars)
            var out = layer.output.forward(g)
            Transformer.add(&out, middle)
            states.append(layer.outputNorm.forward(out).0)
        }
        return states
    }

    /// The pooler's output, tanh(W h + b) of each sequence's first position in `last` (the last
    /// hidden state), `[batch, d]`; nil without a pooler.
    public func pooled(_ last: Tensor, batch: Int, length: Int) -> Tensor? {
        guard let pooler else { return nil }
        let first = last.rows((0..<batch).map { $0 * length })
        var out = pooler.forward(first)
        for k in 0..<out.scalars.count { out.scalars[k] = Foundation.tanh(out.scalars[k]) }
        return out
    }

    /// Multi-head attention of one layer: the heads' outputs concatenated, `[rows, d]`, before the
    /// output projection.
    func attention(_ layer: Layer, _ x: Tensor, mask: [Int]?, batch: Int, length t: Int) -> Tensor {
        let d = configuration.dimension, h = configuration.heads, dh = d / h
        let q = layer.query.forward(x), k = layer.key.forward(x), v = layer.value.forward(x)
        let scale = 1 / Float(dh).squareRoot()
        var out = Tensor(zeros: [batch * t, d])
        var scores = [Float](repeating: 0, count: t * t)
        // Which keys each position may attend to, once (not a closure per score).
        let attends = mask.map { $0.map { $0 != 0 } } ?? [Bool](repeating: true, count: batch * t)
        q.scalars.withUnsafeBufferPointer { qp in
            k.scalars.withUnsafeBufferPointer { kp in
                v.scalars.withUnsafeBufferPointer { vp in
                    out.scalars.withUnsafeMutableBufferPointer { op in
                        scores.withUnsafeMutableBufferPointer { sp in
                            guard let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress,
                                  let ob = op.baseAddress, let s = sp.baseAddress else { return }
                            for b in 0..<batch {
                                for head in 0..<h {
                                    let offset = b * t * d + head * dh
                                    BLAS.gemm(transposeB: true, m: t, n: t, k: dh, alpha: scale, a: qb + offset, lda: d,
                                              b: kb + offset, ldb: d, c: s, ldc: t)
                                    for i in 0..<t {
                                        let row = s + i * t
                                        var maximum = -Float.infinity
                                        for j in 0..<t where attends[b * t + j] { maximum = max(maximum, row[j]) }
                                        var total: Float = 0
                                        for j in 0..<t {
                                            if attends[b * t + j] {
                                                row[j] = Foundation.exp(row[j] - maximum)
                                                total += row[j]
                                            } else {
                                                row[j] = 0
                                            }
                                        }
                                        if total > 0 { for j in 0..<t { row[j] /= total } }
                                    }
                                    BLAS.gemm(m: t, n: dh, k: t, a: s, lda: t, b: vb + offset, ldb: d, c: ob + offset, ldc: d)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
