import Testing
import SalmonNetworks
import SalmonStatistics

@Suite struct NullModelTests {
    static let trained: MLP = {
        var model = MLP(sizes: [4, 6, 5, 3], stream: RandomStream(seed: 1))
        // Give it structure no initialization has: scale every weight.
        for i in model.layers.indices { model.layers[i].weight.scalars = model.layers[i].weight.scalars.map { $0 * 3 + 0.1 } }
        return model
    }()

    @Test func cascadingChangesOneMoreLayerEachStep() {
        let stream = NullModels.stream(seed: 9, family: .cascadingTopDown, index: 0)
        let steps = NullModels.cascade(Self.trained, topDown: true, stream: stream)
        #expect(steps.count == 3)
        // Top-down: step 0 re-initializes layer 2, step 1 also layer 1, step 2 everything.
        #expect(steps[0].layers[2] != Self.trained.layers[2] && steps[0].layers[0] == Self.trained.layers[0])
        #expect(steps[1].layers[2] == steps[0].layers[2] && steps[1].layers[1] != Self.trained.layers[1])
        #expect(steps[1].layers[0] == Self.trained.layers[0])
        #expect(steps[2] == NullModels.reinitialized(Self.trained, stream: stream))
        let bottomUp = NullModels.cascade(Self.trained, topDown: false, stream: stream)
        #expect(bottomUp[0].layers[0] != Self.trained.layers[0] && bottomUp[0].layers[2] == Self.trained.layers[2])
    }

    @Test func independentLayerChangesOnlyThatLayer() {
        let null = NullModels.independentLayer(Self.trained, layer: 1, stream: RandomStream(seed: 2))
        #expect(null.layers[0] == Self.trained.layers[0] && null.layers[2] == Self.trained.layers[2])
        #expect(null.layers[1] != Self.trained.layers[1])
    }

    @Test func permutationKeepsEachLayersValues() {
        let null = NullModels.permutedWithinLayers(Self.trained, stream: RandomStream(seed: 3))
        for i in null.layers.indices {
            #expect(null.layers[i].weight.scalars.sorted() == Self.trained.layers[i].weight.scalars.sorted())
            #expect(null.layers[i].weight != Self.trained.layers[i].weight)
        }
    }

    @Test func momentRedrawKeepsMeanAndSpread() {
        let big = MLP(sizes: [200, 300], stream: RandomStream(seed: 4))
        var shifted = big
        shifted.layers[0].weight.scalars = big.layers[0].weight.scalars.map { $0 * 5 + 1 }
        let null = NullModels.redrawnFromMoments(shifted, stream: RandomStream(seed: 5))
        let before = shifted.layers[0].weight.scalars.map(Double.init), after = null.layers[0].weight.scalars.map(Double.init)
        // 60,000 draws: mean within 5 SE, SD within 2 %.
        let sd = Descriptive.standardDeviation(before, ddof: 0)
        #expect(abs(Descriptive.mean(after) - Descriptive.mean(before)) < 5 * sd / (60_000.0).squareRoot())
        #expect(abs(Descriptive.standardDeviation(after, ddof: 0) / sd - 1) < 0.02)
        #expect(after != before)
    }

    @Test func nullModelsAreAddressedBySeedFamilyAndIndex() {
        let a = NullModels.reinitialized(Self.trained, stream: NullModels.stream(seed: 7, family: .reinitialization, index: 3))
        let b = NullModels.reinitialized(Self.trained, stream: NullModels.stream(seed: 7, family: .reinitialization, index: 3))
        let c = NullModels.reinitialized(Self.trained, stream: NullModels.stream(seed: 7, family: .reinitialization, index: 4))
        #expect(a == b && a != c && a.sizes == Self.trained.sizes)
        #expect(NullFamily.cascadingTopDown.description == "cascading-top-down")
    }

    @Test func permutedLabelNullCannotLearnTheTask() {
        let (x, t) = NetworkBehaviourTests.xorData(repeats: 25)
        let plan = TrainingPlan(loss: .meanSquaredError, optimizer: .adamW(learningRate: 1e-2), batchSize: 20,
                                maxEpochs: 60, seed: 1)
        let (null, report) = NullModels.retrainedOnPermutedLabels(like: MLP(sizes: [2, 8, 1], stream: RandomStream(seed: 2)),
                                                                  inputs: x, targets: t, plan: plan, stream: RandomStream(seed: 3))
        #expect(report.epochs == 60)
        // Against the true labels it cannot beat chance by much: permuted labels carry no signal
        // about XOR, so each input is fitted to about the mean label.
        let accuracy = zip(null(x).scalars.map { $0.rounded() }, t.scalars).filter { $0 == $1 }.count
        #expect(accuracy <= 75, "\(accuracy) of 100")
    }
}

@Suite struct TransformerNullModelTests {
    static let model = Transformer(TransformerConfiguration(vocabulary: 9, context: 4, dimension: 8, heads: 2, layers: 3),
                                   stream: RandomStream(seed: 1))

    @Test func cascadeReplacesOneStageAtATime() {
        let steps = NullModels.cascade(Self.model, topDown: true, stream: RandomStream(seed: 2))
        #expect(steps.count == 5)  // unembedding + norm, three blocks, embeddings
        #expect(steps[0].unembedding != Self.model.unembedding && steps[0].blocks == Self.model.blocks)
        #expect(steps[1].blocks[2] != Self.model.blocks[2] && steps[1].blocks[1] == Self.model.blocks[1])
        #expect(steps[3].blocks[0] != Self.model.blocks[0] && steps[3].tokenEmbedding == Self.model.tokenEmbedding)
        #expect(steps[4] == NullModels.reinitialized(Self.model, stream: RandomStream(seed: 2)))
        let up = NullModels.cascade(Self.model, topDown: false, stream: RandomStream(seed: 2))
        #expect(up[0].tokenEmbedding != Self.model.tokenEmbedding && up[0].unembedding == Self.model.unembedding)
    }

    @Test func permutationAndRedrawKeepShapes() {
        let permuted = NullModels.permutedWithinLayers(Self.model, stream: RandomStream(seed: 3))
        for (a, b) in zip(permuted.parameterArrays, Self.model.parameterArrays) { #expect(a.sorted() == b.sorted()) }
        #expect(permuted != Self.model)
        let redrawn = NullModels.redrawnFromMoments(Self.model, stream: RandomStream(seed: 4))
        #expect(zip(redrawn.parameterArrays, Self.model.parameterArrays).allSatisfy { $0.count == $1.count })
        // LayerNorm γ is all ones: its SD is 0, so the redraw keeps it.
        #expect(redrawn.blocks[0].norm1.weight.scalars.allSatisfy { $0 == 1 })
        let single = NullModels.independentBlock(Self.model, block: 1, stream: RandomStream(seed: 5))
        #expect(single.blocks[0] == Self.model.blocks[0] && single.blocks[1] != Self.model.blocks[1])
    }
}
