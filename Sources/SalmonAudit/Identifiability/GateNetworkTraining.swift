import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// How one network of an identifiability audit is made: the recipe of Méloux et al. (ICLR 2025) —
/// LeakyReLU(0.01) after every layer (the output included, as their code does), MSE, AdamW,
/// minibatches of `batchSize`, trained until the loss over the training rows is below the target —
/// from a seed-addressed initialization, on the gate's rows or on a bootstrap resample of them.
///
/// Streams (``RandomStream``, path below the master seed):
/// - initialization of seed s at width w: `identifiability → w → s → init`; minibatch order
///   `identifiability → w → s → training` — the same paths as ``IdentifiabilityStudy``, so an
///   audit and the study with the same seed train the same networks;
/// - resample r of the training rows: `identifiability → w → resample → r` (n row indices drawn
///   uniformly with replacement from the n = 4 × repeats rows). A resampled network keeps its
///   seed's initialization *and* minibatch-order stream, so the data are the only difference; and
///   resample r is the same rows for every seed, so seeds and data are crossed.
/// - a permuted-labels null network j (``permutedLabels``): everything under
///   `identifiability → w → permuted-labels → j` — its labels (the gate's four outputs permuted
///   across the four inputs uniformly, neither the gate nor its complement, `… → j → labels`),
///   initialization (`… → j → init`) and
///   minibatches (`… → j → training`) — so null networks are independent of the seed networks.
public struct GateNetworkTraining: Sendable {
    public var gate: BooleanGate
    public var sizes: [Int]
    public var training: IdentifiabilityTrainingSpec
    public var masterSeed: UInt64
    /// Whether the networks are permuted-labels nulls: trained on the gate's outputs permuted
    /// across its inputs (the same number of ones, a random assignment of them), one permutation
    /// per network.
    public var permutedLabels: Bool

    public init(gate: BooleanGate, sizes: [Int], training: IdentifiabilityTrainingSpec, masterSeed: UInt64, permutedLabels: Bool = false) {
        self.gate = gate; self.sizes = sizes; self.training = training; self.masterSeed = masterSeed
        self.permutedLabels = permutedLabels
    }

    /// The gate's outputs on (0, 0), (0, 1), (1, 0), (1, 1).
    public var gateTable: [Float] {
        [(false, false), (false, true), (true, false), (true, true)].map { gate($0, $1) ? 1 : 0 }
    }

    /// The truth table network `seed` is trained on: the gate's, or for a permuted-labels null
    /// network the gate's outputs in a uniformly random order (Fisher–Yates from `… → labels`),
    /// drawn again while it is the gate or the gate's complement (XNOR is XOR read upside down) —
    /// so a null network learns a task with the gate's label balance and none of its structure:
    /// for XOR, A, ¬A, B or ¬B, each with probability ¼; for AND, one of the other three gates with
    /// a single 1.
    public func table(seed: Int) -> [Float] {
        let gate = gateTable
        guard permutedLabels else { return gate }
        let complement = gate.map { 1 - $0 }
        var s = stream(seed: seed).derived("labels")
        var table = gate
        // Every two-input gate of the family has a permutation that is neither (the loop ends
        // with probability 1; at most 2 of the 4 distinct orders of XOR's outputs are excluded).
        repeat {
            table = gate
            for i in stride(from: 3, to: 0, by: -1) { table.swapAt(i, s.index(below: i + 1)) }
        } while table == gate || table == complement
        return table
    }

    /// The training rows of network `seed`: the four inputs repeated `training.repeats` times with
    /// its table's outputs.
    public func rows(seed: Int) -> Dataset {
        guard permutedLabels else { return rows }
        let table = self.table(seed: seed)
        var data = rows
        for r in 0..<data.targets.count { data.targets.scalars[r] = table[r % 4] }
        return data
    }

    var width: Int { sizes[1] }

    /// The training rows: the four inputs repeated `training.repeats` times.
    public var rows: Dataset { gate.dataset(repeats: training.repeats) }

    /// The row indices of bootstrap resample `r` (with replacement, as many as there are rows).
    public func resampleIndices(_ r: Int) -> [Int] {
        let n = 4 * training.repeats
        var stream = RandomStream(seed: masterSeed, path: ["identifiability", .index(width), "resample", .index(r)])
        return (0..<n).map { _ in stream.index(below: n) }
    }

    /// Network `seed`'s stream address: `identifiability → width → [permuted-labels →] seed`.
    public func streamPath(seed: Int) -> StreamPath {
        permutedLabels ? ["identifiability", .index(width), "permuted-labels", .index(seed)] : ["identifiability", .index(width), .index(seed)]
    }

    func stream(seed: Int) -> RandomStream {
        RandomStream(seed: masterSeed, path: streamPath(seed: seed))
    }

    /// Network `seed` before training (the same for the rows and for every resample).
    public func initialModel(seed: Int) -> MLP {
        MLP(sizes: sizes, hiddenActivation: .leakyReLU(slope: 0.01), outputActivation: .leakyReLU(slope: 0.01),
            stream: stream(seed: seed).derived("init"))
    }

    /// Trains network `seed` on the rows, or on resample `resample` of them.
    /// - Returns: the network and what training did.
    public func train(seed: Int, resample: Int?) -> (MLP, TrainingReport) {
        let base = stream(seed: seed)
        var model = initialModel(seed: seed)
        var data = rows(seed: seed)
        if let resample {
            let indices = resampleIndices(resample)
            data = Dataset(name: data.name, inputs: data.inputs.rows(indices), targets: data.targets.rows(indices), classes: nil)
        }
        let plan = TrainingPlan(loss: .meanSquaredError, optimizer: .adamW(learningRate: Float(training.learningRate)),
                                batchSize: training.batchSize, maxEpochs: training.maxEpochs, lossTarget: training.lossTarget,
                                stream: base.derived("training"))
        let report = model.train(inputs: data.inputs, targets: data.targets, plan: plan)
        return (model, report)
    }
}
