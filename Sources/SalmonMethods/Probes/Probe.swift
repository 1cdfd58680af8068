import SalmonNetworks
import SalmonStatistics

/// A probe as an estimator: fits a classifier (or regressor) from a layer's activations to a
/// target with k-fold cross-validation and reports its held-out performance.
///
/// Statistics (all held-out, every row predicted exactly once by the fold that did not train on it):
/// - `accuracy` — fraction of rows classified correctly (classification), with per-row
///   correctness in ``Explanation/perExample`` so the audit can bootstrap it cheaply;
/// - `controlAccuracy`, `selectivity` — with control types: the same probe and folds on the
///   control-task labels (``ControlTask``), and accuracy − control accuracy (per-row differences
///   kept, so selectivity bootstraps as a paired mean);
/// - `r2` — for a ridge probe: 1 − Σ(y − ŷ)² / Σ(y − ȳ)² pooled over held-out predictions
///   (per-row squared errors and targets kept as `squaredError` and `target`).
///
/// Randomness: folds from `stream.derived("folds")`, control labels from
/// `stream.derived("control")`, MLP probe fits from `stream.derived("fit", f)` (task) and
/// `stream.derived("control-fit").derived("fit", f)` (control task).
public struct Probe: Estimator {
    public enum Kind: Sendable, Hashable, Codable {
        case logistic(LogisticRegression)
        case ridge(RidgeRegression)
        case mlp(MLPProbe)
    }

    public var kind: Kind
    public var folds: Int

    public init(_ kind: Kind, folds: Int = 5) {
        precondition(folds >= 2, "a probe needs at least 2 folds")
        self.kind = kind
        self.folds = folds
    }

    public var name: String {
        switch kind {
        case .logistic: return "logistic-probe"
        case .ridge: return "ridge-probe"
        case .mlp: return "mlp-probe"
        }
    }

    public var requirements: Set<EstimatorRequirement> { [.activations, .labels] }

    public var statistics: [ExplanationStatistic] {
        if case .ridge = kind {
            return [ExplanationStatistic("r2", direction: .larger, summary: "held-out R² of the ridge probe")]
        }
        return [
            ExplanationStatistic("accuracy", direction: .larger, summary: "held-out probe accuracy"),
            ExplanationStatistic("controlAccuracy", direction: .larger, summary: "held-out accuracy on the control task"),
            ExplanationStatistic("selectivity", direction: .larger, summary: "accuracy − control accuracy (Hewitt & Liang 2019)"),
        ]
    }

    public func explain(_ data: ProbeData, stream: RandomStream) throws -> Explanation {
        try validateSettings()
        switch data.target {
        case .continuous(let targets):
            guard case .ridge(let ridge) = kind else {
                throw MethodError("\(name) needs class labels; a continuous target needs the ridge probe")
            }
            return try explainRegression(data, targets: targets, ridge: ridge, stream: stream)
        case .classes(let labels, let count):
            if case .ridge = kind {
                throw MethodError("the ridge probe needs a continuous target, found class labels")
            }
            guard data.rowCount >= folds else {
                throw MethodError("\(data.rowCount) rows are too few for \(folds)-fold cross-validation")
            }
            let partition = CrossValidationFolds(labels: labels, folds: folds, stream: stream.derived("folds"))
            var diagnostics: [String: Double] = [:]
            let correct = try heldOutCorrectness(data.activations, labels: labels, classes: count, folds: partition,
                                                 stream: stream, tag: "task", diagnostics: &diagnostics)
            var scalars = ["accuracy": mean(correct)]
            var perExample = ["accuracy": correct]
            if let types = data.types {
                let control = ControlTask.labels(types: types, taskLabels: labels, stream: stream.derived("control"))
                let controlCorrect = try heldOutCorrectness(data.activations, labels: control, classes: count, folds: partition,
                                                            stream: stream.derived("control-fit"), tag: "control",
                                                            diagnostics: &diagnostics)
                let difference = zip(correct, controlCorrect).map { $0 - $1 }
                scalars["controlAccuracy"] = mean(controlCorrect)
                scalars["selectivity"] = mean(difference)
                perExample["controlAccuracy"] = controlCorrect
                perExample["selectivity"] = difference
            }
            return Explanation(method: name, shape: .scalar, scalars: scalars, perExample: perExample, diagnostics: diagnostics)
        }
    }

    /// Settings that would make a fit meaningless or trap, as a one-line error.
    private func validateSettings() throws {
        switch kind {
        case .logistic(let l):
            guard l.inverseRegularization > 0 && l.inverseRegularization.isFinite else {
                throw MethodError("logistic probe: C must be a positive number, found \(l.inverseRegularization)")
            }
            guard l.tolerance > 0, l.maxIterations >= 1 else { throw MethodError("logistic probe: tolerance > 0 and maxIterations ≥ 1 required") }
        case .ridge(let r):
            guard r.alpha > 0 && r.alpha.isFinite else { throw MethodError("ridge probe: alpha must be a positive number, found \(r.alpha)") }
        case .mlp(let m):
            guard m.hidden >= 1, m.epochs >= 1, m.batchSize >= 1, m.learningRate > 0, m.learningRate.isFinite,
                  m.weightDecay >= 0 else {
                throw MethodError("MLP probe: hidden, epochs and batch size ≥ 1, learning rate > 0 and weight decay ≥ 0 required")
            }
        }
    }

    private func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// 1 for each row its held-out fold predicts correctly, else 0.
    private func heldOutCorrectness(_ x: Tensor, labels: [Int], classes: Int, folds partition: CrossValidationFolds,
                                    stream: RandomStream, tag: String, diagnostics: inout [String: Double]) throws -> [Double] {
        var correct = [Double](repeating: 0, count: labels.count)
        var nonConverged = 0, iterations = 0
        for f in 0..<partition.count {
            let (train, test) = partition.split(f)
            let trainX = x.rows(train), testX = x.rows(test)
            let trainLabels = train.map { labels[$0] }
            let predictions: [Int]
            switch kind {
            case .logistic(let logistic):
                let model = logistic.fit(trainX, labels: trainLabels, classes: classes)
                if !model.converged { nonConverged += 1 }
                iterations += model.iterations
                predictions = model.predict(testX)
            case .mlp(let probe):
                let model = probe.fit(trainX, labels: trainLabels, classes: classes, stream: stream.derived("fit", .index(f)))
                predictions = MLPProbe.predict(model, testX)
            case .ridge:
                throw MethodError("the ridge probe does not classify")
            }
            for (k, row) in test.enumerated() where predictions[k] == labels[row] { correct[row] = 1 }
        }
        if case .logistic = kind {
            diagnostics["\(tag).foldsNotConverged"] = Double(nonConverged)
            diagnostics["\(tag).meanIterations"] = Double(iterations) / Double(partition.count)
        }
        return correct
    }

    private func explainRegression(_ data: ProbeData, targets: [Double], ridge: RidgeRegression,
                                   stream: RandomStream) throws -> Explanation {
        guard data.rowCount >= folds else {
            throw MethodError("\(data.rowCount) rows are too few for \(folds)-fold cross-validation")
        }
        let partition = CrossValidationFolds(rows: data.rowCount, folds: folds, stream: stream.derived("folds"))
        var squaredError = [Double](repeating: 0, count: targets.count)
        for f in 0..<partition.count {
            let (train, test) = partition.split(f)
            let model: RidgeRegression.Model
            do {
                model = try ridge.fit(data.activations.rows(train), targets: train.map { targets[$0] })
            } catch {
                throw MethodError("ridge probe, fold \(f): \(error)")
            }
            let predictions = model.predict(data.activations.rows(test))
            for (k, row) in test.enumerated() {
                let e = targets[row] - predictions[k]
                squaredError[row] = e * e
            }
        }
        guard let r2 = Probe.rSquared(squaredError: squaredError, target: targets) else {
            throw MethodError("the ridge probe's target is constant; R² is undefined")
        }
        return Explanation(method: name, shape: .scalar, scalars: ["r2": r2],
                           perExample: ["squaredError": squaredError, "target": targets])
    }

    /// Pooled R² = 1 − Σ e² / Σ (y − ȳ)², or nil when the targets are constant.
    public static func rSquared(squaredError: [Double], target: [Double]) -> Double? {
        let n = Double(target.count)
        let mean = target.reduce(0, +) / n
        let total = target.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard total > 0 else { return nil }
        return 1 - squaredError.reduce(0, +) / total
    }
}
