extension Transformer {
    /// Cross-entropy at the last position of each sequence: the loss and dL/d(logits) (zero at
    /// every other position).
    public func lastPositionLoss(_ pass: TransformerPass, targets: [Int]) -> (value: Double, gradient: Tensor) {
        let v = configuration.vocabulary, t = pass.length
        precondition(targets.count == pass.batch, "one target per sequence")
        var rows = [Float](repeating: 0, count: pass.batch * v)
        for b in 0..<pass.batch {
            for j in 0..<v { rows[b * v + j] = pass.logits.scalars[(b * t + t - 1) * v + j] }
        }
        let (value, g) = Loss.crossEntropy.evaluate(output: Tensor(shape: [pass.batch, v], scalars: rows),
                                                    targets: Tensor(shape: [pass.batch], scalars: targets.map(Float.init)))
        var gradient = Tensor(zeros: pass.logits.shape)
        for b in 0..<pass.batch {
            for j in 0..<v { gradient.scalars[(b * t + t - 1) * v + j] = g.scalars[b * v + j] }
        }
        return (value, gradient)
    }

    /// The predicted token at the last position of each sequence.
    public func predictions(_ sequences: [[Int]]) -> [Int] {
        guard let length = sequences.first?.count else { return [] }
        let pass = forward(tokens: sequences.flatMap { $0 }, batch: sequences.count, length: length)
        let v = configuration.vocabulary
        return (0..<sequences.count).map { b in
            let row = (b * length + length - 1) * v
            var best = 0
            for j in 1..<v where pass.logits.scalars[row + j] > pass.logits.scalars[row + best] { best = j }
            return best
        }
    }

    /// Trains in place to predict `targets[i]` at the last position of `sequences[i]` (all of one
    /// length), by minibatch gradient descent; reproducible for a given plan, whatever the thread
    /// count (each minibatch's gradient is the sum of two slices' in a fixed order). The plan's
    /// loss is ignored: this is cross-entropy at the last position.
    @discardableResult
    public mutating func train(sequences: [[Int]], targets: [Int], plan: TrainingPlan) -> TrainingReport {
        let n = sequences.count
        precondition(n > 0 && targets.count == n, "one target per sequence")
        let length = sequences[0].count
        return train(examples: n, plan: plan, gradients: { model, indices in
            // The minibatch in two slices on the machine's threads (``gradients(tokens:batch:length:slices:threads:logitsGradient:)``);
            // each slice's mean loss is weighted by its share of the minibatch.
            let batchTargets = indices.map { targets[$0] }
            let count = Float(indices.count)
            return model.gradients(tokens: indices.flatMap { sequences[$0] }, batch: indices.count, length: length) { pass, range in
                var g = model.lastPositionLoss(pass, targets: Array(batchTargets[range])).gradient
                let share = Float(range.count) / count
                g.scalars.withUnsafeMutableBufferPointer { s in for i in 0..<s.count { s[i] *= share } }
                return g
            }
        }, loss: { model in
            let full = model.forward(tokens: sequences.flatMap { $0 }, batch: n, length: length)
            return model.lastPositionLoss(full, targets: targets).value
        })
    }
}
