import SalmonStatistics

extension NullModels {
    /// The parts of a BERT encoder the layer-wise null families re-initialize one at a time,
    /// bottom to top: the embeddings (word, position and token-type tables and their LayerNorm),
    /// each layer, the pooler (when the encoder has one).
    public enum EncoderComponent: Sendable, Equatable {
        case embeddings
        case layer(Int)
        case pooler
    }

    /// The encoder with `component` taken from `fresh`, everything else kept.
    static func replacing(_ component: EncoderComponent, of model: BertEncoder, from fresh: BertEncoder) -> BertEncoder {
        var out = model
        switch component {
        case .embeddings:
            out.wordEmbedding = fresh.wordEmbedding
            out.positionEmbedding = fresh.positionEmbedding
            out.typeEmbedding = fresh.typeEmbedding
            out.embeddingNorm = fresh.embeddingNorm
        case .layer(let i):
            out.layers[i] = fresh.layers[i]
        case .pooler:
            out.pooler = fresh.pooler
        }
        return out
    }

    /// The components of `model` bottom to top: embeddings, layers 0 … L − 1, the pooler if any.
    public static func components(of model: BertEncoder) -> [EncoderComponent] {
        [.embeddings] + model.layers.indices.map { .layer($0) } + (model.pooler == nil ? [] : [.pooler])
    }

    /// Cascading randomization of an encoder (Adebayo et al. 2018) at the stage that has just
    /// re-initialized `component`: top-down, `component` and every component above it taken from
    /// a fresh encoder of its configuration drawn from `stream` (``BertEncoder/reinitialized(stream:)``,
    /// transformers' initialization) — the pooler (when there is one), then the last layer, …,
    /// the embeddings; bottom-up, `component` and every one below it. The fresh encoder is the same
    /// for every stage of a stream, so the stages of one stream are nested.
    public static func cascaded(_ model: BertEncoder, topDown: Bool, through component: EncoderComponent, stream: RandomStream) -> BertEncoder {
        let order = components(of: model)
        guard let position = order.firstIndex(of: component) else { return model }
        let fresh = model.reinitialized(stream: stream)
        var out = model
        for replaced in topDown ? Array(order[position...]) : Array(order[...position]) {
            out = replacing(replaced, of: out, from: fresh)
        }
        return out
    }

    /// `component` re-initialized alone (from a fresh encoder drawn from `stream`), everything
    /// else trained.
    public static func independentComponent(_ model: BertEncoder, _ component: EncoderComponent, stream: RandomStream) -> BertEncoder {
        replacing(component, of: model, from: model.reinitialized(stream: stream))
    }

    /// Heap et al. 2025's moment redraw excluding the embeddings: every parameter tensor redrawn
    /// as ``redrawnFromMoments(_:stream:)`` does (the same draws, from the same stream), then the
    /// trained word, position and token-type tables and their LayerNorm put back.
    public static func redrawnFromMomentsExceptEmbeddings(_ model: BertEncoder, stream: RandomStream) -> BertEncoder {
        replacing(.embeddings, of: redrawnFromMoments(model, stream: stream), from: model)
    }
}
