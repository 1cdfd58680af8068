import SalmonNetworks
import SalmonStatistics

/// A one-hidden-layer MLP classifier probe (ReLU, cross-entropy, AdamW), the nonlinear probe that
/// control tasks were designed to keep honest (Hewitt & Liang 2019, §4).
///
/// Training is deterministic given its stream: initialization from `stream.derived("init")`,
/// minibatch order from `stream.derived("batches")`; a fixed number of epochs (no early
/// stopping, so no held-out data leaks into training).
public struct MLPProbe: Sendable, Hashable, Codable {
    public var hidden: Int
    public var epochs: Int
    public var learningRate: Double
    public var weightDecay: Double
    public var batchSize: Int

    public init(hidden: Int = 64, epochs: Int = 30, learningRate: Double = 1e-2, weightDecay: Double = 1e-4, batchSize: Int = 64) {
        self.hidden = hidden
        self.epochs = epochs
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.batchSize = batchSize
    }

    /// Fits the probe on `x` (`[n, d]`) and labels in `0..<classes`; returns the trained network.
    public func fit(_ x: Tensor, labels: [Int], classes: Int, stream: RandomStream) -> MLP {
        var model = MLP(sizes: [x.shape[1], hidden, classes], hiddenActivation: .relu, stream: stream.derived("init"))
        let plan = TrainingPlan(loss: .crossEntropy,
                                optimizer: .adamW(learningRate: Float(learningRate), weightDecay: Float(weightDecay)),
                                batchSize: batchSize, maxEpochs: epochs, stream: stream.derived("batches"))
        model.train(inputs: x, targets: Tensor(shape: [labels.count], scalars: labels.map(Float.init)), plan: plan)
        return model
    }

    /// The predicted classes of a trained probe.
    public static func predict(_ model: MLP, _ x: Tensor) -> [Int] {
        let out = model(x), k = out.shape[1]
        return (0..<x.shape[0]).map { i in
            var best = 0
            for c in 1..<k where out.scalars[i * k + c] > out.scalars[i * k + best] { best = c }
            return best
        }
    }
}
