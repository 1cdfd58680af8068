import Testing
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

@Suite struct TaskTests {
    @Test func booleanGatesHaveTheirTruthTables() {
        let xor = BooleanGate.xor.dataset(repeats: 50)
        #expect(xor.count == 200 && xor.features == 2)
        #expect(Array(xor.targets.scalars.prefix(4)) == [0, 1, 1, 0])
        #expect(Array(BooleanGate.and.dataset(repeats: 1).targets.scalars) == [0, 0, 0, 1])
        #expect(Array(BooleanGate.nor.dataset(repeats: 1).targets.scalars) == [1, 0, 0, 0])
    }

    @Test func sparseParityLabelsAreTheParityOfTheRelevantBits() throws {
        let d = SyntheticTasks.sparseParity(bits: 20, relevant: 3, examples: 500, stream: RandomStream(seed: 1))
        let relevant = try #require(d.groundTruth["relevant"]).scalars.map { Int($0) }
        #expect(relevant.count == 3 && Set(relevant).count == 3)
        for e in 0..<d.count {
            let parity = relevant.reduce(0) { $0 ^ Int(d.inputs[e, $1]) }
            #expect(Float(parity) == d.targets.scalars[e])
        }
        // Bits are fair coins: about half ones.
        let ones = d.inputs.scalars.reduce(0, +)
        #expect(abs(Double(ones) / 10_000 - 0.5) < 0.02)
    }

    @Test func modularAdditionCorruptsTheStatedFraction() throws {
        let d = SyntheticTasks.modularAddition(modulus: 13, corruption: 0.2, stream: RandomStream(seed: 2))
        #expect(d.count == 169 && d.classes == 13)
        let clean = try #require(d.groundTruth["clean"]), corrupted = try #require(d.groundTruth["corrupted"])
        #expect(corrupted.scalars.reduce(0, +) == Float((0.2 * 169).rounded()))
        for i in 0..<d.count {
            let (a, b) = (Int(d.inputs[i, 0]), Int(d.inputs[i, 1]))
            #expect(clean.scalars[i] == Float((a + b) % 13))
            // A corrupted label is always wrong; a clean one always right.
            #expect((d.targets.scalars[i] != clean.scalars[i]) == (corrupted.scalars[i] == 1))
        }
    }

    @Test func oneHotModularAdditionCorruptsOnlyTrainingLabels() throws {
        let d = SyntheticTasks.oneHotModularAddition(modulus: 11, trainingExamples: 60, corruption: 0.35, stream: RandomStream(seed: 4))
        #expect(d.count == 121 && d.features == 22 && d.classes == 11)
        let clean = try #require(d.groundTruth["clean"]), corrupted = try #require(d.groundTruth["corrupted"])
        let operands = try #require(d.groundTruth["operands"])
        // ⌊0.35 · 60⌋ = 21 corrupted rows, all among the 60 training rows, each with a wrong label.
        #expect(corrupted.scalars.reduce(0, +) == 21)
        #expect(corrupted.scalars[60...].allSatisfy { $0 == 0 })
        var pairs = Set<Int>()
        for i in 0..<d.count {
            let row = (0..<22).map { d.inputs[i, $0] }
            let (a, b) = (Int(operands[i, 0]), Int(operands[i, 1]))
            #expect(row.reduce(0, +) == 2 && row[a] == 1 && row[11 + b] == 1)
            pairs.insert(a * 11 + b)
            #expect(clean.scalars[i] == Float((a + b) % 11))
            #expect((d.targets.scalars[i] != clean.scalars[i]) == (corrupted.scalars[i] == 1))
        }
        #expect(pairs.count == 121, "every pair once")
    }

    @Test func inductionSequencesRepeatOneTokenAndAskForTheOneAfterIt() throws {
        let d = SyntheticTasks.induction(vocabulary: 12, half: 5, examples: 400, stream: RandomStream(seed: 5))
        #expect(d.count == 400 && d.features == 6 && d.classes == 12)
        let positions = try #require(d.groundTruth["answerPosition"])
        var firstTokens = [Int](repeating: 0, count: 12), answerPositions = [Int](repeating: 0, count: 6)
        for e in 0..<d.count {
            let s = (0..<6).map { Int(d.inputs[e, $0]) }
            #expect(Set(s[0..<5]).count == 5 && s[0..<5].allSatisfy { (0..<12).contains($0) })
            let j = try #require(s[0..<4].firstIndex(of: s[5]), "the last token is one of the first four")
            #expect(Int(d.targets.scalars[e]) == s[j + 1] && Int(positions.scalars[e]) == j + 1)
            firstTokens[s[0]] += 1
            answerPositions[j + 1] += 1
        }
        // The first token is uniform over the vocabulary (33 per token in expectation, sd ≈ 5.5), and
        // the answer's position over 1 … 4 (100 each, sd ≈ 8.7).
        #expect(firstTokens.allSatisfy { abs($0 - 33) <= 25 }, "\(firstTokens)")
        #expect(answerPositions[0] == 0 && answerPositions[5] == 0 && answerPositions[1...4].allSatisfy { abs($0 - 100) <= 35 }, "\(answerPositions)")
    }

    @Test func plantedConceptsCarryTheirConcepts() throws {
        let d = SyntheticTasks.plantedConcepts(examples: 2000, concepts: 4, dimension: 16, labelConcepts: [0, 2],
                                               noise: 0.3, stream: RandomStream(seed: 3))
        let z = try #require(d.groundTruth["concepts"])
        for i in 0..<d.count { #expect(d.targets.scalars[i] == Float(Int(z[i, 0]) ^ Int(z[i, 2]))) }
        // The projection of x on direction j separates z_j = 0 from z_j = 1.
        let u = try #require(d.groundTruth["directions"])
        for j in 0..<4 {
            var on: [Double] = [], off: [Double] = []
            for i in 0..<d.count {
                var dot = 0.0
                for k in 0..<16 { dot += Double(d.inputs[i, k] * u[j, k]) }
                if z[i, j] == 1 { on.append(dot) } else { off.append(dot) }
            }
            #expect(Descriptive.mean(on) - Descriptive.mean(off) > 0.7)
        }
    }

    @Test func toySuperpositionEmbedsSparseFeatures() throws {
        let d = SyntheticTasks.toySuperposition(features: 20, dimension: 5, sparsity: 0.9, examples: 1000,
                                                stream: RandomStream(seed: 4))
        #expect(d.inputs.shape == [1000, 5] && d.targets.shape == [1000, 20])
        let active = d.targets.scalars.filter { $0 != 0 }.count
        #expect(abs(Double(active) / 20_000 - 0.1) < 0.01)
        let w = try #require(d.groundTruth["embedding"])
        for j in 0..<20 {
            let norm = (0..<5).reduce(Float(0)) { $0 + w[$1, j] * w[$1, j] }
            #expect(abs(norm - 1) < 1e-5)
        }
        let reconstructed = BLAS.matmul(d.targets, w, transposeB: true)
        #expect(zip(reconstructed.scalars, d.inputs.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// Elhage et al.'s data: each feature nonzero with probability 1 − S (within 4 standard
    /// errors on 40,000 draws), then uniform on (0, 1) (mean ½, variance 1/12, within 4 SE); the
    /// target is the input; the directions are the unit vectors.
    @Test func sparseFeaturesAreZeroWithProbabilitySElseUniform() throws {
        let d = SyntheticTasks.sparseFeatures(features: 20, sparsity: 0.9, examples: 2000, stream: RandomStream(seed: 4))
        #expect(d.inputs.shape == [2000, 20] && d.targets.scalars == d.inputs.scalars && d.classes == nil)
        let active = d.inputs.scalars.filter { $0 != 0 }.map(Double.init)
        let p = Double(active.count) / 40_000
        #expect(abs(p - 0.1) < 4 * (0.1 * 0.9 / 40_000).squareRoot(), "\(p)")
        #expect(active.allSatisfy { $0 > 0 && $0 < 1 })
        let se = (1.0 / 12 / Double(active.count)).squareRoot()
        #expect(abs(Descriptive.mean(active) - 0.5) < 4 * se)
        #expect(abs(Descriptive.variance(active) - 1.0 / 12) < 4 * 0.075 / Double(active.count).squareRoot())
        let directions = try #require(d.groundTruth["directions"])
        #expect(directions.shape == [20, 20] && (0..<20).allSatisfy { i in (0..<20).allSatisfy { directions[i, $0] == (i == $0 ? 1 : 0) } })
        let again = SyntheticTasks.sparseFeatures(features: 20, sparsity: 0.9, examples: 2000, stream: RandomStream(seed: 4))
        #expect(again.inputs.scalars == d.inputs.scalars)
    }

    @Test func digitsLoad() throws {
        let d = try Digits.load()
        #expect(d.count == 1797 && d.features == 64 && d.classes == 10)
        #expect(d.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Class counts of load_digits: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
        var counts = [Int](repeating: 0, count: 10)
        for label in d.targets.scalars { counts[Int(label)] += 1 }
        #expect(counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        // The first image (a zero), as in scikit-learn.
        #expect(Array(d.inputs.scalars.prefix(8)).map { $0 * 16 } == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect(d.targets.scalars[0] == 0)
    }

    @Test func mlpLearnsSparseParity() {
        let d = SyntheticTasks.sparseParity(bits: 8, relevant: 3, examples: 256, stream: RandomStream(seed: 5))
        var model = MLP(sizes: [8, 32, 2], stream: RandomStream(seed: 6))
        model.train(inputs: d.inputs, targets: d.targets, plan: TrainingPlan(
            loss: .crossEntropy, optimizer: .adamW(learningRate: 1e-2, weightDecay: 0), batchSize: 32, maxEpochs: 300,
            lossTarget: 0.01, seed: 7))
        let out = model(d.inputs)
        let correct = (0..<256).filter { (out[$0, 1] > out[$0, 0] ? 1 : 0) == Int(d.targets.scalars[$0]) }.count
        #expect(correct == 256, "\(correct) of 256")
    }
}
