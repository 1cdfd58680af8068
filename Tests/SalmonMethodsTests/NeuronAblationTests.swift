import Foundation
import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Neuron ablation and Doshi et al.'s Fourier IPR against `Fixtures/causal/doshi.json`, made by
/// `generate_doshi.py` with PyTorch and numpy in the setting of `d-doshi/Grokking` (one-hot
/// modular addition, bias-free square MLP, MSE to one-hot, AdamW with β₂ = 0.98): the training
/// steps, the IPR of every neuron, the units pruned and the accuracies after pruning.
@Suite struct NeuronAblationTests {
    struct Reference: Decodable {
        struct Pruned: Decodable {
            let units: [Int]
            let trainCorrect: Int
            let allCorrect: Int
        }
        let modulus: Int, hidden: Int, steps: Int, weightDecay: Double
        let trainRows: [Int], trainLabels: [Int], labels: [Int]
        let initial1: [Float], initial2: [Float], trained1: [Float], trained2: [Float]
        let ipr: [Double]
        let pruned: [String: Pruned]
        let spectrumOf: [Double], spectrum: [Double]
    }

    static func reference() throws -> Reference { try Fixture.load("causal/doshi.json") }

    static func network(_ r: Reference, first: [Float], second: [Float]) -> MLP {
        let p = r.modulus, n = r.hidden
        return MLP(layers: [Linear(weight: Tensor(shape: [n, 2 * p], scalars: first), bias: Tensor(zeros: [n])),
                            Linear(weight: Tensor(shape: [p, n], scalars: second), bias: Tensor(zeros: [p]))],
                   hiddenActivation: .square, outputActivation: .identity, hasBias: false)
    }

    /// The one-hot codes of every pair (a, b), row a·p + b.
    static func inputs(_ p: Int) -> Tensor {
        var x = [Float](repeating: 0, count: p * p * 2 * p)
        for a in 0..<p { for b in 0..<p { x[(a * p + b) * 2 * p + a] = 1; x[(a * p + b) * 2 * p + p + b] = 1 } }
        return Tensor(shape: [p * p, 2 * p], scalars: x)
    }

    @Test func spectrumAndIPRMatchNumpy() throws {
        let r = try Self.reference()
        let ipr = FourierParticipation(length: r.modulus)
        let spectrum = ipr.spectrum(r.spectrumOf)
        #expect(spectrum.count == r.spectrum.count)
        #expect(maxScaledDifference(spectrum, r.spectrum) < 1e-12)
        let scores = try ipr.modularAdditionScores(Self.network(r, first: r.trained1, second: r.trained2))
        #expect(maxScaledDifference(scores, r.ipr) < 1e-12)
        // A single frequency has IPR 1; a zero vector is defined as 0.
        let pure = (0..<r.modulus).map { cos(2 * Double.pi * 3 * Double($0) / Double(r.modulus)) }
        #expect(abs(ipr.inverseParticipationRatio(pure) - 1) < 1e-12)
        #expect(ipr.inverseParticipationRatio([Double](repeating: 0, count: r.modulus)) == 0)
        #expect(throws: MethodError.self) { try FourierParticipation(length: r.modulus + 1).modularAdditionScores(Self.network(r, first: r.trained1, second: r.trained2)) }
    }

    @Test func bareSquareNetworkTrainsAsPyTorchDoes() throws {
        let r = try Self.reference()
        var model = Self.network(r, first: r.initial1, second: r.initial2)
        #expect(model.parameterArrays.count == 2, "a bias-free MLP's parameters are its weights")
        let x = Self.inputs(r.modulus).rows(r.trainRows)
        let targets = Tensor(shape: [r.trainLabels.count], scalars: r.trainLabels.map(Float.init))
        let plan = TrainingPlan(loss: .meanSquaredErrorToOneHot,
                                optimizer: .adamW(learningRate: 1e-2, beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: Float(r.weightDecay)),
                                batchSize: r.trainRows.count, maxEpochs: r.steps, seed: 1)
        model.train(inputs: x, targets: targets, plan: plan)
        let trained = model.layers[0].weight.scalars + model.layers[1].weight.scalars
        let expected = r.trained1 + r.trained2
        let worst = zip(trained, expected).map { abs(Double($0) - Double($1)) }.max() ?? 0
        #expect(worst < 2e-5, "largest weight difference after \(r.steps) AdamW steps: \(worst)")
        #expect(model.layers.allSatisfy { $0.bias.scalars.allSatisfy { $0 == 0 } }, "biases stay zero")
    }

    @Test func pruningTheLowestIPRUnitsMatchesZeroingTheirWeights() throws {
        let r = try Self.reference()
        let model = Self.network(r, first: r.trained1, second: r.trained2)
        let scores = try FourierParticipation(length: r.modulus).modularAdditionScores(model)
        let ablation = try NeuronAblation(model: model, layer: 0)
        let all = Self.inputs(r.modulus)
        let train = all.rows(r.trainRows)
        for (key, pruned) in r.pruned {
            let n = try #require(Int(key))
            let units = NeuronAblation.units(scores: scores, count: n, selection: .lowest)
            #expect(units == pruned.units, "n = \(n)")
            let trainCorrect = try ablation.correctness(inputs: train, labels: r.trainLabels, ablating: units)
            let allCorrect = try ablation.correctness(inputs: all, labels: r.labels, ablating: units)
            #expect(trainCorrect.reduce(0, +) == Double(pruned.trainCorrect), "n = \(n)")
            #expect(allCorrect.reduce(0, +) == Double(pruned.allCorrect), "n = \(n)")
        }
        #expect(throws: MethodError.self) { try NeuronAblation(model: model, layer: 1) }
    }

    @Test func selectionsAreStableAndRandomUnitsAreDistinct() {
        #expect(NeuronAblation.units(scores: [3, 1, 1, 2, 0.5], count: 3, selection: .lowest) == [1, 2, 4])
        #expect(NeuronAblation.units(scores: [3, 1, 1, 2, 0.5], count: 2, selection: .highest) == [0, 3])
        #expect(NeuronAblation.units(scores: [1, 1, 1], count: 2, selection: .highest) == [0, 1])
        let a = NeuronAblation.randomUnits(width: 50, count: 20, stream: RandomStream(seed: 3, path: ["u"]))
        #expect(a == NeuronAblation.randomUnits(width: 50, count: 20, stream: RandomStream(seed: 3, path: ["u"])))
        #expect(Set(a).count == 20 && a.allSatisfy { (0..<50).contains($0) })
        #expect(a != NeuronAblation.randomUnits(width: 50, count: 20, stream: RandomStream(seed: 4, path: ["u"])))
        // Every unit equally likely: over 2,000 draws of 5 of 10, each unit is chosen 1,000 times
        // in expectation (binomial sd ≈ 22; 99.9 % band ± 75).
        var counts = [Int](repeating: 0, count: 10)
        for i in 0..<2000 {
            for u in NeuronAblation.randomUnits(width: 10, count: 5, stream: RandomStream(seed: 5, path: [.index(i)])) { counts[u] += 1 }
        }
        #expect(counts.allSatisfy { abs($0 - 1000) <= 75 }, "\(counts)")
    }
    /// On a transformer, removing units of a block's MLP through the node mask at
    /// `blocks.ℓ.mlp.hidden` is the same network as zeroing those columns of the block's output
    /// projection (their whole contribution), at every position; predictions are the logits'
    /// argmax at the last position, and the weight-norm score is the units' rows of `mlpIn` and
    /// columns of `mlpOut` together.
    @Test func aTransformersMLPUnitsAreRemovedAsTheirOutputWeightsWouldBe() throws {
        let c = TransformerConfiguration(vocabulary: 13, context: 4, dimension: 8, heads: 2, layers: 2, hidden: 20)
        let model = Transformer(c, stream: RandomStream(seed: 71))
        var s = RandomStream(seed: 72)
        let sequences = (0..<50).map { _ in (0..<3).map { _ in s.index(below: 13) } }
        let inputs = Tensor(shape: [50, 3], scalars: sequences.flatMap { $0 }.map(Float.init))
        let units = [2, 7, 11, 19]
        var surgery = model
        for u in units { for i in 0..<c.dimension { surgery.blocks[1].mlpOut.weight.scalars[i * c.hidden + u] = 0 } }
        let masked = model.forward(tokens: sequences.flatMap { $0 }, batch: 50, length: 3,
                                   hooks: Hooks(nodeMasks: ["blocks.1.mlp.hidden": (0..<20).map { units.contains($0) ? 0 : 1 }])).logits
        let cut = surgery.forward(tokens: sequences.flatMap { $0 }, batch: 50, length: 3, hooks: .none).logits
        #expect(zip(masked.scalars, cut.scalars).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        func lastArgmax(_ logits: Tensor) -> [Int] {
            (0..<50).map { r in
                let row = Array(logits.scalars[((r * 3 + 2) * 13)..<((r * 3 + 3) * 13)])
                return row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0
            }
        }
        let labels = lastArgmax(cut)
        let ablation = try NeuronAblation(model: model, layer: 1)
        #expect(ablation.site == "blocks.1.mlp.hidden" && ablation.width == 20)
        #expect(try ablation.correctness(inputs: inputs, labels: labels, ablating: units) == Array(repeating: 1.0, count: 50))
        let intact = try ablation.correctness(inputs: inputs, labels: lastArgmax(model.forward(tokens: sequences.flatMap { $0 }, batch: 50, length: 3, hooks: .none).logits), ablating: [])
        #expect(intact == Array(repeating: 1.0, count: 50))
        let norms = model.unitWeightNorms(layer: 1)
        let w1 = model.blocks[1].mlpIn.weight.scalars, w2 = model.blocks[1].mlpOut.weight.scalars
        for u in [0, 5, 19] {
            let direct = ((0..<8).reduce(0.0) { $0 + Double(w1[u * 8 + $1]) * Double(w1[u * 8 + $1]) }
                          + (0..<8).reduce(0.0) { $0 + Double(w2[$1 * 20 + u]) * Double(w2[$1 * 20 + u]) }).squareRoot()
            #expect(abs(norms[u] - direct) < 1e-12)
        }
        // Inputs it cannot read: a token outside the vocabulary, a block it does not have.
        let bad = Tensor(shape: [1, 3], scalars: [1, 13, 2])
        #expect(throws: MethodError.self) { try ablation.correctness(inputs: bad, labels: [0], ablating: []) }
        #expect(throws: MethodError.self) { try NeuronAblation(model: model, layer: 2) }
        #expect(throws: MethodError.self) { try ablation.correctness(inputs: inputs, labels: labels, ablating: [20]) }
    }

    /// A network whose outputs are not finite has no prediction: refused, not read as class 0.
    @Test func aNetworkWithNonFiniteOutputsIsRefused() throws {
        var model = MLP(sizes: [4, 3, 2], stream: RandomStream(seed: 73))
        model.layers[1].weight.scalars[0] = .nan
        let ablation = try NeuronAblation(model: model, layer: 0)
        #expect(throws: MethodError.self) { try ablation.correctness(inputs: Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 1, 0, 0, 1]), labels: [0, 1], ablating: []) }
    }
}
