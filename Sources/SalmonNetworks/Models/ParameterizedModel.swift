/// A model whose parameters can be read and written as flat arrays, one per tensor, in a fixed
/// order (the state-dict order): what optimizers, training and parameter-level null models work on.
public protocol ParameterizedModel: Sendable {
    var parameterArrays: [[Float]] { get set }
}

extension MLP: ParameterizedModel {}
extension Transformer: ParameterizedModel {}

extension ParameterizedModel {
    /// The minibatch training loop every model shares: for each epoch, the plan's minibatches;
    /// for each batch, `gradients(model, batch)` (one array per parameter, in
    /// ``parameterArrays`` order) and an optimizer step; `loss(model)` over the whole training
    /// set after each epoch when the plan has a target (stopping there), else after the last
    /// epoch only (a forward pass over every example, which no one reads in between).
    mutating func train(examples n: Int, plan: TrainingPlan,
                        gradients: (Self, ArraySlice<Int>) -> [[Float]], loss: (Self) -> Double) -> TrainingReport {
        var schedule = MinibatchSchedule(examples: n, plan: plan)
        var optimizer = Optimizer(plan.optimizer)
        var report = TrainingReport.empty
        for epoch in 0..<plan.maxEpochs {
            let batches = schedule.batches(epoch: epoch)
            for indices in batches {
                let g = gradients(self, indices)
                var parameters = parameterArrays
                optimizer.update(&parameters, gradients: g)
                parameterArrays = parameters
            }
            if plan.lossTarget == nil && epoch < plan.maxEpochs - 1 {
                report.skip(steps: batches.count)
                continue
            }
            if report.record(loss(self), steps: batches.count, plan: plan) { break }
        }
        return report
    }
}

extension ParameterizedModel {
    /// Supervised training on `inputs` `[examples, in]` and `targets` (`[examples]` class indices
    /// for cross-entropy, `[examples, out]` for MSE) with the plan's loss: the shared loop of
    /// ``train(examples:plan:gradients:loss:)``, given how the model maps a batch to its outputs
    /// and how it backpropagates dL/d(output) to its parameter gradients.
    /// - Parameters:
    ///   - output: the model's outputs for a batch (the loss after each epoch).
    ///   - backpropagate: for a batch and a function from the batch's outputs to dL/d(output), the
    ///     parameter gradients in ``parameterArrays`` order (one forward pass serves both).
    mutating func trainSupervised(inputs: Tensor, targets: Tensor, plan: TrainingPlan,
                                  output: (Self, Tensor) -> Tensor,
                                  backpropagate: (Self, Tensor, (Tensor) -> Tensor) -> [[Float]]) -> TrainingReport {
        let n = inputs.shape[0]
        precondition(n > 0 && targets.shape[0] == n, "inputs and targets must have the same number of rows")
        let rows = targets.reshaped([n, targets.count / n])
        return train(examples: n, plan: plan, gradients: { model, indices in
            let t = rows.rows(indices)
            let batchTargets = plan.loss.takesClassIndices ? t.reshaped([indices.count]) : t
            return backpropagate(model, inputs.rows(indices)) { plan.loss.evaluate(output: $0, targets: batchTargets).gradient }
        }, loss: { model in plan.loss.evaluate(output: output(model, inputs), targets: targets).value })
    }
}
