import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// The models of the sanity checks: a ReLU MLP or CNN (``DigitsNetwork``) classifying the bundled
/// 8 × 8 digits, trained with cross-entropy and AdamW on a seeded held-out split.
///
/// Streams (below the study's master seed):
/// - the split: `seed → "data" → "split"` shuffles the 1,797 row indices; the first
///   `testExamples` (sorted back into file order) are the test split, the rest train;
/// - trained network s: initialization `seed → "trained" → s → "init"`, minibatch order
///   `seed → "trained" → s → "training"` (the convention of ``NetworkSubject``);
/// - permuted-label network k: ``NullModels/retrainedOnPermutedLabels(like:inputs:targets:plan:initializer:stream:)``
///   with `seed → "null" → "permuted-labels" → k` (initialization from its `"init"` child, the
///   permutation from its `"labels"` child), minibatch order from its `"training"` child.
public enum DigitsClassifier {
    /// The train and test splits of the digits.
    public struct Split: Sendable {
        public var train: Dataset
        public var test: Dataset
    }

    /// Splits `digits` into train and test at random.
    public static func split(_ digits: Dataset, testExamples: Int, seed: UInt64) -> Split {
        var order = Array(0..<digits.count)
        var stream = RandomStream(seed: seed, path: ["data", "split"])
        order.shuffle(using: &stream)
        let test = order.prefix(testExamples).sorted(), train = order.dropFirst(testExamples).sorted()
        return Split(train: subset(digits, train), test: subset(digits, test))
    }

    static func subset(_ d: Dataset, _ rows: [Int]) -> Dataset {
        Dataset(name: d.name, inputs: d.inputs.rows(rows), targets: d.targets.reshaped([d.count, 1]).rows(rows).reshaped([rows.count]),
                classes: d.classes)
    }

    /// The training plan of a network whose minibatch order comes from `stream`.
    static func plan(_ c: SanityCheckConfiguration, epochs: Int, stream: RandomStream) -> TrainingPlan {
        TrainingPlan(loss: .crossEntropy, optimizer: .adamW(learningRate: Float(c.learningRate), weightDecay: Float(c.weightDecay)),
                     batchSize: c.batchSize, maxEpochs: epochs, stream: stream)
    }

    /// Trained network `s` (s = 0 is the study's trained model).
    public static func trained(_ c: SanityCheckConfiguration, split: Split, index s: Int) -> DigitsNetwork {
        var model = DigitsNetwork(c, stream: RandomStream(seed: c.seed, path: ["trained", .index(s), "init"]))
        model.train(inputs: split.train.inputs, targets: split.train.targets,
                    plan: plan(c, epochs: c.epochs, stream: RandomStream(seed: c.seed, path: ["trained", .index(s), "training"])))
        return model
    }

    /// Permuted-label network `k`, with its accuracy on the permuted training labels it was fit
    /// to (how far it memorized them).
    public static func permutedLabels(_ c: SanityCheckConfiguration, like model: DigitsNetwork, split: Split,
                                      index k: Int) -> (model: DigitsNetwork, memorizedAccuracy: Double) {
        let stream = NullModels.stream(seed: c.seed, family: .permutedLabels, index: k)
        let fitted = model.retrainedOnPermutedLabels(inputs: split.train.inputs, targets: split.train.targets,
                                                     plan: plan(c, epochs: c.permutedLabelEpochs, stream: stream.derived("training")),
                                                     stream: stream)
        // The labels retrainedOnPermutedLabels trained on.
        let permuted = NullModels.permutedTargets(split.train.targets, stream: stream.derived("labels")).scalars.map { Int($0) }
        return (fitted, accuracy(fitted.model, inputs: split.train.inputs, labels: permuted))
    }

    /// The fraction of rows whose largest logit is the label (ties to the lower class).
    public static func accuracy(_ model: any AttributableModel, inputs: Tensor, labels: [Int]) -> Double {
        let predicted = predictions(model, inputs: inputs)
        let correct = zip(predicted, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(max(labels.count, 1))
    }

    /// The class of largest output for every row (ties to the lower class).
    public static func predictions(_ model: any AttributableModel, inputs: Tensor) -> [Int] {
        let out = model.outputs(inputs)
        let k = out.shape[1]
        return (0..<out.shape[0]).map { r in
            var best = 0
            for j in 1..<k where out.scalars[r * k + j] > out.scalars[r * k + best] { best = j }
            return best
        }
    }
}
