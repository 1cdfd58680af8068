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
    /// ``parameterArrays`` order) and an optimizer step; after each epoch, `loss(model)` over the
    /// whole training set, stopping at the plan's target.
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
            if report.record(loss(self), steps: batches.count, plan: plan) { break }
        }
        return report
    }
}
