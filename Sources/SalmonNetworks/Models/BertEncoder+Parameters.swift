extension BertEncoder: ParameterizedModel {
    /// The parameter tensors in transformers' state-dict order: the word, position and token-type
    /// embeddings and the embeddings' LayerNorm (weight, bias); per layer the query, key, value
    /// and attention-output projections, the attention LayerNorm, the intermediate and output
    /// projections and the output LayerNorm (each weight then bias: 16 arrays); the pooler's
    /// weight and bias when there is one. What the parameter-level null models (within-layer
    /// permutation, moment redraw) act on, tensor by tensor.
    public var parameterArrays: [[Float]] {
        get {
            var arrays = [wordEmbedding.weight.scalars, positionEmbedding.weight.scalars, typeEmbedding.weight.scalars,
                          embeddingNorm.weight.scalars, embeddingNorm.bias.scalars]
            for l in layers {
                arrays += [l.query.weight.scalars, l.query.bias.scalars, l.key.weight.scalars, l.key.bias.scalars,
                           l.value.weight.scalars, l.value.bias.scalars, l.attentionOutput.weight.scalars, l.attentionOutput.bias.scalars,
                           l.attentionNorm.weight.scalars, l.attentionNorm.bias.scalars, l.intermediate.weight.scalars, l.intermediate.bias.scalars,
                           l.output.weight.scalars, l.output.bias.scalars, l.outputNorm.weight.scalars, l.outputNorm.bias.scalars]
            }
            if let pooler { arrays += [pooler.weight.scalars, pooler.bias.scalars] }
            return arrays
        }
        set {
            precondition(newValue.count == 5 + 16 * layers.count + (pooler == nil ? 0 : 2), "parameter array count")
            precondition(zip(newValue, parameterArrays).allSatisfy { $0.count == $1.count }, "parameter array sizes")
            wordEmbedding.weight.scalars = newValue[0]
            positionEmbedding.weight.scalars = newValue[1]
            typeEmbedding.weight.scalars = newValue[2]
            embeddingNorm.weight.scalars = newValue[3]
            embeddingNorm.bias.scalars = newValue[4]
            for i in layers.indices {
                let o = 5 + 16 * i
                layers[i].query.weight.scalars = newValue[o]
                layers[i].query.bias.scalars = newValue[o + 1]
                layers[i].key.weight.scalars = newValue[o + 2]
                layers[i].key.bias.scalars = newValue[o + 3]
                layers[i].value.weight.scalars = newValue[o + 4]
                layers[i].value.bias.scalars = newValue[o + 5]
                layers[i].attentionOutput.weight.scalars = newValue[o + 6]
                layers[i].attentionOutput.bias.scalars = newValue[o + 7]
                layers[i].attentionNorm.weight.scalars = newValue[o + 8]
                layers[i].attentionNorm.bias.scalars = newValue[o + 9]
                layers[i].intermediate.weight.scalars = newValue[o + 10]
                layers[i].intermediate.bias.scalars = newValue[o + 11]
                layers[i].output.weight.scalars = newValue[o + 12]
                layers[i].output.bias.scalars = newValue[o + 13]
                layers[i].outputNorm.weight.scalars = newValue[o + 14]
                layers[i].outputNorm.bias.scalars = newValue[o + 15]
            }
            if pooler != nil {
                let o = 5 + 16 * layers.count
                pooler?.weight.scalars = newValue[o]
                pooler?.bias.scalars = newValue[o + 1]
            }
        }
    }
}
