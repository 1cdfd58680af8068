import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks
import Testing

/// Distributed alignment search on an MLP's hidden layer (Geiger et al. 2024's hierarchical
/// equality on vectors): the task, the loss's gradient through the frozen network against finite
/// differences, a full-width swap equal to running the source, and the variable `left` found on
/// a trained network where an untrained map finds chance.
@Suite struct MLPAlignmentSearchTests {
    /// Pairs of rows (base r, source (r + shift) mod n) of `data` and the answers when `left` of
    /// the base takes the source's value: 1 when left(source) = right(base).
    static func leftPairs(_ data: Dataset, rows: Range<Int>, shift: Int) -> (base: Tensor, source: Tensor, correct: [Int], wrong: [Int]) {
        let v = data.groundTruth["variables"]!.scalars
        let base = Array(rows), source = rows.map { rows.lowerBound + ($0 - rows.lowerBound + shift) % rows.count }
        let correct = zip(base, source).map { b, s in v[2 * s] == v[2 * b + 1] ? 1 : 0 }
        return (data.inputs.rows(base), data.inputs.rows(source), correct, correct.map { 1 - $0 })
    }

    @Test func theTaskIsBalancedAndItsLabelIsTheEqualityOfItsVariables() {
        let data = SyntheticTasks.hierarchicalEqualityVectors(examples: 2000, dimension: 4, stream: RandomStream(seed: 81))
        #expect(data.inputs.shape == [2000, 16] && data.classes == 2)
        let v = data.groundTruth["variables"]!.scalars, x = data.inputs.scalars
        var ones = 0
        for e in 0..<2000 {
            let row = Array(x[(e * 16)..<(e * 16 + 16)])
            #expect(v[2 * e] == (Array(row[0..<4]) == Array(row[4..<8]) ? 1 : 0) && v[2 * e + 1] == (Array(row[8..<12]) == Array(row[12..<16]) ? 1 : 0))
            #expect(data.targets.scalars[e] == (v[2 * e] == v[2 * e + 1] ? 1 : 0))
            ones += Int(data.targets.scalars[e])
            #expect(row.allSatisfy { (-1...1).contains($0) })
        }
        #expect((900...1100).contains(ones), "\(ones) of 2000 labels are 1")
    }

    /// The loss's parameter gradient through the frozen MLP (`layers.1.pre` and `layers.0.post`),
    /// for a rotation and a RevNet, against central differences of the `Float` forward pass.
    @Test func theGradientThroughTheNetworkIsTheFiniteDifference() throws {
        let model = MLP(sizes: [16, 12, 10, 2], stream: RandomStream(seed: 82))
        let data = SyntheticTasks.hierarchicalEqualityVectors(examples: 12, dimension: 4, stream: RandomStream(seed: 83))
        let p = Self.leftPairs(data, rows: 0..<12, shift: 5)
        for site in ["layers.0.post", "layers.1.pre"] {
            let search = try MLPAlignmentSearch(model: model, site: site)
            let runs = try search.runs(base: p.base, source: p.source, correct: p.correct, wrong: p.wrong)
            let width = search.width
            let rotation = RotationAlignment(dimension: width, intervened: 3, stream: RandomStream(seed: 84))
            let revnet = RevNetAlignment(dimension: width, intervened: 3, hidden: 6, couplings: 2, center: runs.base.prefix(width).map { _ in 0 },
                                         scale: Array(repeating: 1, count: width), stream: RandomStream(seed: 85))
            func check(_ map: some AlignmentMap, _ name: String) {
                let (_, analytic) = runs.lossAndGradient(map)
                let largest = analytic.map(abs).max() ?? 0
                #expect(largest > 0, "\(name) at \(site)")
                for i in stride(from: 0, to: map.parameters.count, by: max(1, map.parameters.count / 25)) {
                    var plus = map, minus = map
                    plus.parameters[i] += 1e-2
                    minus.parameters[i] -= 1e-2
                    let numeric = (runs.lossAndGradient(plus).loss - runs.lossAndGradient(minus).loss) / 2e-2
                    #expect(abs(numeric - analytic[i]) <= 0.02 * largest + 1e-5, "\(name) at \(site), parameter \(i): \(analytic[i]) vs \(numeric)")
                }
            }
            check(rotation, "rotation")
            check(revnet, "RevNet")
        }
    }

    /// Swapping every coordinate (k = d) puts the source's row in the base run: the network then
    /// answers as on the source input (the layer is all that flows on).
    @Test func aFullWidthSwapRunsTheSource() throws {
        let model = MLP(sizes: [16, 12, 10, 2], stream: RandomStream(seed: 86))
        let data = SyntheticTasks.hierarchicalEqualityVectors(examples: 40, dimension: 4, stream: RandomStream(seed: 87))
        let p = Self.leftPairs(data, rows: 0..<40, shift: 7)
        let search = try MLPAlignmentSearch(model: model, site: "layers.1.post")
        let runs = try search.runs(base: p.base, source: p.source, correct: p.correct, wrong: p.wrong)
        let swapped = try runs.logitDifferences(RotationAlignment(dimension: 10, intervened: 10, stream: RandomStream(seed: 88)))
        let out = model.forward(p.source).output
        let direct = (0..<40).map { r -> Double in
            let right: Float = out.scalars[2 * r + p.correct[r]], other: Float = out.scalars[2 * r + p.wrong[r]]
            return Double(right) - Double(other)
        }
        #expect(zip(swapped, direct).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
        // Malformed runs are refused.
        #expect(throws: MethodError.self) { try search.runs(base: p.base, source: p.source, correct: p.correct, wrong: p.correct.map { _ in 2 }) }
        #expect(throws: MethodError.self) { try MLPAlignmentSearch(model: model, site: "layers.2.post") }
    }

    /// On an MLP trained on the task, a rotation aligned with `left` at the first hidden layer
    /// reaches a high IIA on held-out pairs; the same rotation untrained stays near chance, and the
    /// rotation stays orthogonal through training.
    @Test func leftIsFoundOnATrainedNetworkAndNotByAnUntrainedMap() throws {
        let data = SyntheticTasks.hierarchicalEqualityVectors(examples: 6000, dimension: 4, stream: RandomStream(seed: 89))
        var model = MLP(sizes: [16, 32, 32, 2], stream: RandomStream(seed: 90))
        let train = data.inputs.rows(0..<4000), targets = Tensor(shape: [4000], scalars: Array(data.targets.scalars[0..<4000]))
        _ = model.train(inputs: train, targets: targets, plan: TrainingPlan(loss: .crossEntropy, optimizer: .adamW(learningRate: 0.003, weightDecay: 0),
                                                                            batchSize: 100, maxEpochs: 60, seed: 91))
        let held = data.inputs.rows(4000..<6000)
        let predictions = model.forward(held).output
        let accuracy = Double((0..<2000).filter { r in
            (predictions.scalars[2 * r + 1] > predictions.scalars[2 * r] ? 1 : 0) == Int(data.targets.scalars[4000 + r])
        }.count) / 2000
        let search = try MLPAlignmentSearch(model: model, site: "layers.0.post")
        let fitPairs = Self.leftPairs(data, rows: 0..<4000, shift: 13), testPairs = Self.leftPairs(data, rows: 4000..<6000, shift: 17)
        let fitting = try search.runs(base: fitPairs.base, source: fitPairs.source, correct: fitPairs.correct, wrong: fitPairs.wrong)
        let testing = try search.runs(base: testPairs.base, source: testPairs.source, correct: testPairs.correct, wrong: testPairs.wrong)
        let initial = RotationAlignment(dimension: 32, intervened: 16, stream: RandomStream(seed: 92))
        let (fitted, losses) = try fitting.fit(initial, training: AlignmentTraining(epochs: 10, batchSize: 64, learningRate: 0.01), stream: RandomStream(seed: 93))
        let iia = DistributedAlignmentSearch.interchangeAccuracy(try testing.logitDifferences(fitted))
        let untrained = DistributedAlignmentSearch.interchangeAccuracy(try testing.logitDifferences(initial))
        print("MLP DAS: held-out task accuracy \(accuracy), IIA of left at layers.0.post \(iia) (untrained map \(untrained)), loss \(losses.first ?? .nan) → \(losses.last ?? .nan)")
        #expect(fitted.orthogonalityError <= 1e-6)
        #expect(accuracy >= 0.9)
        #expect(iia >= 0.8 && iia - untrained >= 0.2, "IIA \(iia), untrained \(untrained)")
    }
}
