import Foundation
import Testing
import SalmonNetworks
import SalmonStatistics

/// The null models of a BERT encoder: parameters in state-dict order, cascades nested and drawn
/// from one fresh encoder, a component re-initialized alone, permutation and moment redraw per tensor.
@Suite struct EncoderNullModelsTests {
    static let configuration = BertEncoder.Configuration(vocabulary: 30, positions: 8, types: 2, dimension: 8, heads: 2, layers: 3,
                                                         intermediate: 16, activation: .gelu, layerNormEpsilon: 1e-12,
                                                         initializerRange: 0.02, padToken: 0)
    static let trained = BertEncoder(configuration: configuration, stream: RandomStream(seed: 1, path: ["trained"]))

    @Test func parametersRoundTripInStateDictOrder() {
        let arrays = Self.trained.parameterArrays
        #expect(arrays.count == 5 + 16 * 3 + 2)
        #expect(arrays[0].count == 30 * 8 && arrays[5].count == 8 * 8 && arrays[5 + 10].count == 16 * 8 && arrays[arrays.count - 2].count == 64)
        var copy = BertEncoder(configuration: Self.configuration, stream: RandomStream(seed: 2, path: ["other"]))
        copy.parameterArrays = arrays
        #expect(copy == Self.trained)
    }

    @Test func cascadesAreNestedStagesOfOneFreshEncoder() {
        let stream = RandomStream(seed: 3, path: ["null"])
        let fresh = Self.trained.reinitialized(stream: stream)
        let topAll = NullModels.cascaded(Self.trained, topDown: true, through: .embeddings, stream: stream)
        #expect(topAll == fresh)
        let bottom = NullModels.cascaded(Self.trained, topDown: false, through: .layer(1), stream: stream)
        #expect(bottom.wordEmbedding == fresh.wordEmbedding && bottom.embeddingNorm == fresh.embeddingNorm)
        #expect(bottom.layers[0] == fresh.layers[0] && bottom.layers[1] == fresh.layers[1])
        #expect(bottom.layers[2] == Self.trained.layers[2] && bottom.pooler == Self.trained.pooler)
        let top = NullModels.cascaded(Self.trained, topDown: true, through: .layer(2), stream: stream)
        #expect(top.pooler == fresh.pooler && top.layers[2] == fresh.layers[2] && top.layers[1] == Self.trained.layers[1])
        let alone = NullModels.independentComponent(Self.trained, .pooler, stream: stream)
        #expect(alone.pooler == fresh.pooler && alone.layers == Self.trained.layers && alone.wordEmbedding == Self.trained.wordEmbedding)
    }

    @Test func permutationAndMomentRedrawActPerTensor() {
        let stream = RandomStream(seed: 4, path: ["null"])
        let permuted = NullModels.permutedWithinLayers(Self.trained, stream: stream).parameterArrays
        let original = Self.trained.parameterArrays
        #expect(zip(permuted, original).allSatisfy { $0.sorted() == $1.sorted() })
        #expect(permuted[5] != original[5])
        let redrawn = NullModels.redrawnFromMoments(Self.trained, stream: stream)
        let except = NullModels.redrawnFromMomentsExceptEmbeddings(Self.trained, stream: stream)
        #expect(except.layers == redrawn.layers && except.pooler == redrawn.pooler)
        #expect(except.wordEmbedding == Self.trained.wordEmbedding && except.typeEmbedding == Self.trained.typeEmbedding)
        #expect(redrawn.wordEmbedding != Self.trained.wordEmbedding)
        // A LayerNorm weight of 1s (sd 0) keeps its values; a weight matrix's draws have its moments.
        #expect(redrawn.layers[0].outputNorm.weight == Self.trained.layers[0].outputNorm.weight)
        let w = redrawn.layers[1].intermediate.weight.scalars.map(Double.init)
        let sd = Descriptive.standardDeviation(w, ddof: 0)
        #expect(abs(sd - 0.02) < 0.004, "sd \(sd)")
    }
}
