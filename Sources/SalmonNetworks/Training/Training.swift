import SalmonStatistics

/// How to train a network: loss, optimizer, minibatches, stopping rule, and the random stream.
public struct TrainingPlan: Sendable {
    public var loss: Loss
    public var optimizer: OptimizerKind
    /// Examples per minibatch (the whole set when larger than it).
    public var batchSize: Int
    /// The most passes over the data.
    public var maxEpochs: Int
    /// Stop once the loss over the whole training set, measured after an epoch, is below this.
    public var lossTarget: Double?
    /// Minibatch order comes from `RandomStream(seed:path:)`, epoch e from `.derived(index: e)`.
    public var seed: UInt64
    public var path: StreamPath
    /// When set, minibatch order comes from this stream instead (epoch e from `.derived(index: e)`):
    /// for training that is itself one step of a larger seeded computation (a probe inside an audit).
    public var stream: RandomStream?

    /// A plan whose minibatch order comes from `stream`.
    public init(loss: Loss, optimizer: OptimizerKind, batchSize: Int = 100, maxEpochs: Int = 1000,
                lossTarget: Double? = nil, stream: RandomStream) {
        self.init(loss: loss, optimizer: optimizer, batchSize: batchSize, maxEpochs: maxEpochs, lossTarget: lossTarget,
                  seed: stream.seed)
        self.stream = stream
    }

    public init(loss: Loss, optimizer: OptimizerKind, batchSize: Int = 100, maxEpochs: Int = 1000,
                lossTarget: Double? = nil, seed: UInt64, path: StreamPath = ["training"]) {
        self.loss = loss
        self.optimizer = optimizer
        self.batchSize = batchSize
        self.maxEpochs = maxEpochs
        self.lossTarget = lossTarget
        self.seed = seed
        self.path = path
    }
}

/// What training did.
public struct TrainingReport: Sendable {
    public var epochs: Int
    public var steps: Int
    /// The loss over the whole training set after each epoch when the plan has a loss target,
    /// else after the last epoch only.
    public var lossHistory: [Double]
    /// Whether ``TrainingPlan/lossTarget`` was reached (false when there is none).
    public var reachedTarget: Bool
    public var finalLoss: Double { lossHistory.last ?? .nan }
}

/// The minibatches of each epoch: example order shuffled by `plan`'s stream, epoch e drawn from
/// `RandomStream(seed:path:).derived(index: e)`, cut into batches of `plan.batchSize`.
struct MinibatchSchedule {
    let stream: RandomStream
    let batch: Int
    private var order: [Int]

    init(examples n: Int, plan: TrainingPlan) {
        stream = plan.stream ?? RandomStream(seed: plan.seed, path: plan.path)
        batch = max(1, min(plan.batchSize, n))
        order = Array(0..<n)
    }

    /// The batches of `epoch`, each a slice of example indices.
    mutating func batches(epoch: Int) -> [ArraySlice<Int>] {
        var s = stream.derived(index: epoch)
        order.shuffle(using: &s)
        return stride(from: 0, to: order.count, by: batch).map { order[$0..<min($0 + batch, order.count)] }
    }
}

extension TrainingReport {
    /// Records an epoch's loss; true when training should stop (the plan's target is reached).
    mutating func record(_ loss: Double, steps: Int, plan: TrainingPlan) -> Bool {
        lossHistory.append(loss)
        skip(steps: steps)
        if let target = plan.lossTarget, loss < target { reachedTarget = true }
        return reachedTarget
    }

    /// Counts an epoch whose loss is not measured.
    mutating func skip(steps: Int) {
        epochs += 1
        self.steps += steps
    }

    static let empty = TrainingReport(epochs: 0, steps: 0, lossHistory: [], reachedTarget: false)
}

extension MLP {
    /// The parameters as flat arrays, in state-dict order: layer 0 weight, layer 0 bias, layer 1 …
    /// (without biases, the weights alone).
    public var parameterArrays: [[Float]] {
        get { hasBias ? layers.flatMap { [$0.weight.scalars, $0.bias.scalars] } : layers.map(\.weight.scalars) }
        set {
            let perLayer = hasBias ? 2 : 1
            precondition(newValue.count == perLayer * layers.count, "\(perLayer) array\(perLayer == 1 ? "" : "s") per layer")
            for i in layers.indices {
                layers[i].weight.scalars = newValue[perLayer * i]
                if hasBias { layers[i].bias.scalars = newValue[2 * i + 1] }
            }
        }
    }

    /// Trains in place by minibatch gradient descent; bit-for-bit reproducible for a given plan
    /// (minibatch order from the plan's seeded stream; no other randomness).
    ///
    /// - Parameters:
    ///   - inputs: `[examples, in]`.
    ///   - targets: `[examples, out]` for MSE, `[examples]` class indices for cross-entropy.
    @discardableResult
    public mutating func train(inputs: Tensor, targets: Tensor, plan: TrainingPlan) -> TrainingReport {
        trainSupervised(inputs: inputs, targets: targets, plan: plan, output: { $0($1) }, backpropagate: { model, x, lossGradient in
            let pass = model.forward(x)
            let g = model.backward(pass, outputGradient: lossGradient(pass.output))
            return model.hasBias ? zip(g.weights, g.biases).flatMap { [$0.scalars, $1.scalars] } : g.weights.map(\.scalars)
        })
    }
}
