import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Behaviour of the probe pieces that the scikit-learn fixtures do not pin down: optimality of the
/// logistic fit against an independent Float64 objective, fold and control-task invariants,
/// the probe estimator's statistics, and input validation.

// MARK: - Data

/// `[rows, columns]` standard Gaussian activations.
private func gaussianMatrix(rows: Int, columns: Int, stream: RandomStream) -> Tensor {
    var s = stream
    return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(s.gaussian()) })
}

/// Row i of `x` as Float64.
private func row(_ x: Tensor, _ i: Int) -> [Double] {
    let d = x.shape[1]
    return x.scalars[(i * d)..<((i + 1) * d)].map(Double.init)
}

private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

private func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

/// Labels from a noisy linear rule: 1 when x·w + 0.1 ε > 0.
private func linearLabels(_ x: Tensor, weights w: [Double], stream: RandomStream) -> [Int] {
    var s = stream
    return (0..<x.shape[0]).map { dot(row(x, $0), w) + 0.1 * s.gaussian() > 0 ? 1 : 0 }
}

// MARK: - Logistic regression

@Suite struct LogisticRegressionBehaviourTests {
    /// The scaled objective of ``LogisticRegression``'s doc comment, re-implemented in Float64 on
    /// the Float32 activations: θ = weights (row-major, 1 × d or K × d) then intercepts.
    static func objective(_ theta: [Double], x: Tensor, labels: [Int], classes: Int, c: Double) -> Double {
        let n = x.shape[0], d = x.shape[1], outputs = classes == 2 ? 1 : classes
        let weights = Array(theta[0..<(outputs * d)]), intercepts = Array(theta[(outputs * d)...])
        var loss = 0.0
        for i in 0..<n {
            let xi = row(x, i)
            if outputs == 1 {
                let t = dot(xi, weights) + intercepts[0]
                let st = labels[i] == 1 ? t : -t
                loss += log1p(exp(-abs(st))) + max(-st, 0)  // log(1 + e^{−st}), stably
            } else {
                let z = (0..<outputs).map { k in dot(xi, Array(weights[(k * d)..<((k + 1) * d)])) + intercepts[k] }
                let top = z.max()!
                let logSum = top + log(z.reduce(0) { $0 + exp($1 - top) })
                loss += logSum - z[labels[i]]
            }
        }
        return loss / Double(n) + dot(weights, weights) / (2 * c * Double(n))
    }

    /// ∇ of ``objective`` by central differences (h = 1e-5: truncation ~1e-10, rounding ~1e-9).
    static func finiteDifferenceGradient(_ theta: [Double], x: Tensor, labels: [Int], classes: Int, c: Double) -> [Double] {
        let h = 1e-5
        return theta.indices.map { j in
            var plus = theta, minus = theta
            plus[j] += h
            minus[j] -= h
            return (objective(plus, x: x, labels: labels, classes: classes, c: c)
                - objective(minus, x: x, labels: labels, classes: classes, c: c)) / (2 * h)
        }
    }

    /// Binary labels from a logistic model; multinomial labels from a softmax model: overlapping
    /// classes, so the optimum is finite and interior.
    static func overlappingData(classes: Int, n: Int, d: Int, seed: UInt64) -> (x: Tensor, labels: [Int]) {
        let root = RandomStream(seed: seed)
        let x = gaussianMatrix(rows: n, columns: d, stream: root.derived("x"))
        var s = root.derived("labels")
        let truth = (0..<(classes * d)).map { _ in s.gaussian() }
        let labels = (0..<n).map { i -> Int in
            let xi = row(x, i)
            if classes == 2 {
                let p = 1 / (1 + exp(-dot(xi, Array(truth[0..<d])) - 0.3))
                return s.uniform() < p ? 1 : 0
            }
            let z = (0..<classes).map { k in exp(dot(xi, Array(truth[(k * d)..<((k + 1) * d)]))) }
            var u = s.uniform() * z.reduce(0, +), k = 0
            while k < classes - 1 && u >= z[k] { u -= z[k]; k += 1 }
            return k
        }
        return (x, labels)
    }

    @Test(arguments: [2, 3])
    func fitIsTheOptimumOfTheDocumentedObjective(classes: Int) {
        let (x, labels) = Self.overlappingData(classes: classes, n: 240, d: 4, seed: 11 + UInt64(classes))
        #expect(Set(labels).count == classes)
        // C ≠ 1, so a penalty scaled by 1/C instead of 1/(Cn) (or not at all) shows up below.
        let c = 0.05
        let model = LogisticRegression(inverseRegularization: c, tolerance: 1e-7, maxIterations: 1000, functionTolerance: 0)
            .fit(x, labels: labels, classes: classes)
        #expect(model.converged, "\(model.stop) after \(model.iterations) iterations")
        #expect(model.weights.count == model.outputs * 4 && model.intercepts.count == model.outputs)
        let theta = model.weights + model.intercepts
        let gradient = Self.finiteDifferenceGradient(theta, x: x, labels: labels, classes: classes, c: c)
        let largest = gradient.map(abs).max()!
        // Measured 1e-6 to 3e-6: the Float32 data products set the floor (see the type's doc).
        #expect(largest <= 2e-5, "max |∇f| at the fit = \(largest)")
        let ours = Self.objective(theta, x: x, labels: labels, classes: classes, c: c)
        #expect(abs(model.objective - ours) <= 1e-6 * abs(ours), "objective \(model.objective) vs Float64 \(ours)")
        // Away from the optimum the same check is large: the test can tell a fit from a non-fit.
        let zero = [Double](repeating: 0, count: theta.count)
        #expect(Self.finiteDifferenceGradient(zero, x: x, labels: labels, classes: classes, c: c).map(abs).max()! > 1e-2)
        if classes > 2 {
            // Documented: the multinomial intercepts keep summing to zero.
            #expect(abs(model.intercepts.reduce(0, +)) <= 1e-9, "Σ intercepts = \(model.intercepts.reduce(0, +))")
        }
    }

    @Test func separableDataStaysFiniteAndIsClassifiedPerfectly() {
        // Two clusters on either side of x₀ = 0 with a gap of at least 4: linearly separable, so
        // only the C = 1 penalty keeps the weights finite.
        var s = RandomStream(seed: 5)
        let n = 120, d = 3
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0..<n {
            let label = i % 2
            labels.append(label)
            scalars.append(Float((label == 1 ? 1 : -1) * (2 + abs(s.gaussian()))))
            for _ in 1..<d { scalars.append(Float(s.gaussian())) }
        }
        let x = Tensor(shape: [n, d], scalars: scalars)
        let model = LogisticRegression().fit(x, labels: labels, classes: 2)
        #expect(model.converged, "\(model.stop)")
        #expect((model.weights + model.intercepts).allSatisfy(\.isFinite) && model.objective.isFinite)
        #expect(model.weights[0] > 0, "the separating direction is x₀")
        #expect(model.predict(x) == labels)
        #expect(model.probabilities(x).enumerated().allSatisfy { $0.element[labels[$0.offset]] > 0.5 })
    }

    @Test(arguments: [2, 4])
    func predictIsTheArgmaxOfTheProbabilities(classes: Int) {
        let (x, labels) = Self.overlappingData(classes: classes, n: 200, d: 3, seed: 40 + UInt64(classes))
        let model = LogisticRegression().fit(x, labels: labels, classes: classes)
        let predictions = model.predict(x)
        let probabilities = model.probabilities(x)
        #expect(probabilities.count == 200 && probabilities.allSatisfy { $0.count == classes })
        for (i, p) in probabilities.enumerated() {
            #expect(abs(p.reduce(0, +) - 1) <= 1e-12 && p.allSatisfy { $0 >= 0 && $0 <= 1 })
            let argmax = p.indices.max { p[$0] < p[$1] }!
            #expect(predictions[i] == argmax, "row \(i): predict \(predictions[i]), probabilities \(p)")
        }
        // Not a degenerate constant predictor.
        #expect(Set(predictions).count == classes)
        let accuracy = Double(zip(predictions, labels).filter { $0 == $1 }.count) / 200
        #expect(accuracy > 1 / Double(classes) + 0.2, "training accuracy \(accuracy)")
    }
}

// MARK: - Cross-validation folds

@Suite struct CrossValidationFoldsTests {
    /// 103 rows in three unbalanced classes (59, 29, 15), in a fixed pattern.
    static let labels: [Int] = (0..<103).map { i in i % 7 < 4 ? 0 : (i % 7 < 6 ? 1 : 2) }

    static func checkPartition(_ folds: CrossValidationFolds, rows n: Int, k: Int) {
        #expect(folds.count == k && folds.fold.count == n)
        #expect(folds.fold.allSatisfy { (0..<k).contains($0) })
        var heldOut = [Int](repeating: 0, count: n)
        for f in 0..<k {
            let (train, test) = folds.split(f)
            #expect(train.count + test.count == n && Set(train).isDisjoint(with: test))
            #expect(train == train.sorted() && test == test.sorted())
            for row in test { heldOut[row] += 1 }
        }
        #expect(heldOut.allSatisfy { $0 == 1 }, "every row held out exactly once")
        let sizes = (0..<k).map { f in folds.fold.filter { $0 == f }.count }
        #expect(sizes.max()! - sizes.min()! <= 1, "fold sizes \(sizes)")
    }

    @Test func stratifiedFoldsHoldEveryRowOutOnceAndBalanceClasses() {
        let folds = CrossValidationFolds(labels: Self.labels, folds: 5, stream: RandomStream(seed: 1))
        Self.checkPartition(folds, rows: 103, k: 5)
        for label in 0..<3 {
            let perFold = (0..<5).map { f in zip(folds.fold, Self.labels).filter { $0.0 == f && $0.1 == label }.count }
            #expect(perFold.max()! - perFold.min()! <= 1, "class \(label) per fold: \(perFold)")
        }
    }

    @Test func unstratifiedFoldsHoldEveryRowOutOnce() {
        for n in [10, 103, 104] {
            Self.checkPartition(CrossValidationFolds(rows: n, folds: 5, stream: RandomStream(seed: 2)), rows: n, k: 5)
        }
        Self.checkPartition(CrossValidationFolds(rows: 7, folds: 7, stream: RandomStream(seed: 2)), rows: 7, k: 7)
    }

    @Test func foldsAreAFunctionOfTheStream() {
        let a = RandomStream(seed: 9).derived("folds"), b = RandomStream(seed: 9).derived("other")
        #expect(CrossValidationFolds(labels: Self.labels, folds: 5, stream: a)
            == CrossValidationFolds(labels: Self.labels, folds: 5, stream: a))
        #expect(CrossValidationFolds(labels: Self.labels, folds: 5, stream: a)
            != CrossValidationFolds(labels: Self.labels, folds: 5, stream: b))
        #expect(CrossValidationFolds(rows: 103, folds: 5, stream: a) == CrossValidationFolds(rows: 103, folds: 5, stream: a))
        #expect(CrossValidationFolds(rows: 103, folds: 5, stream: a) != CrossValidationFolds(rows: 103, folds: 5, stream: b))
    }
}

// MARK: - Control task

@Suite struct ControlTaskTests {
    @Test func rowsOfOneTypeShareALabelDrawnFromTheTaskLabels() {
        var s = RandomStream(seed: 3)
        let n = 600
        let types = (0..<n).map { _ in 1000 + 7 * s.index(below: 60) }
        // Task labels use 0, 2 and 4 of 0..<5: a control label of 1 or 3 would not be a draw.
        let task = (0..<n).map { _ in 2 * s.index(below: 3) }
        let control = ControlTask.labels(types: types, taskLabels: task, stream: RandomStream(seed: 4))
        #expect(control.count == n)
        #expect(Set(control).isSubset(of: [0, 2, 4]))
        var seen: [Int: Int] = [:]
        for (type, label) in zip(types, control) {
            if let previous = seen[type] { #expect(previous == label, "type \(type)") } else { seen[type] = label }
        }
        #expect(seen.count == 60)
        #expect(Set(seen.values).count > 1, "60 types do not all draw the same label")
        #expect(ControlTask.labels(types: types, taskLabels: task, stream: RandomStream(seed: 4)) == control)
        #expect(ControlTask.labels(types: types, taskLabels: task, stream: RandomStream(seed: 5)) != control)
    }

    @Test func controlLabelsFollowTheEmpiricalLabelDistribution() {
        // 8,000 rows, two per type for 4,000 types; exactly 30 % of rows carry class 1, so each
        // type's draw is Bernoulli(0.3) and the count of class-1 types is Binomial(4000, 0.3).
        let types = 4000, n = 2 * types
        var s = RandomStream(seed: 6)
        var typeOfRow = (0..<n).map { $0 % types }
        typeOfRow.shuffle(using: &s)
        let task = (0..<n).map { $0 < n * 3 / 10 ? 1 : 0 }
        let control = ControlTask.labels(types: typeOfRow, taskLabels: task, stream: RandomStream(seed: 7))
        var labelOfType = [Int](repeating: -1, count: types)
        for (type, label) in zip(typeOfRow, control) { labelOfType[type] = label }
        let ones = labelOfType.filter { $0 == 1 }.count
        #expect(labelOfType.allSatisfy { $0 == 0 || $0 == 1 })
        let band = BinomialDistribution.centralBand(level: 0.999, trials: types, probability: 0.3)
        #expect(band.contains(ones), "\(ones) class-1 types of \(types); 99.9 % band \(band)")
        // The band is tight enough to reject a uniform draw over the two classes.
        #expect(!band.contains(types / 2))
    }
}

// MARK: - Probe estimator

@Suite struct ProbeEstimatorTests {
    static let linearWeights: [Double] = [1, -0.8, 0.6, 0, 0.4]

    static func linearData(seed: UInt64, withTypes: Bool = false) throws -> ProbeData {
        let root = RandomStream(seed: seed)
        let x = gaussianMatrix(rows: 400, columns: 5, stream: root.derived("x"))
        let labels = linearLabels(x, weights: linearWeights, stream: root.derived("noise"))
        var s = root.derived("types")
        let types = withTypes ? (0..<400).map { _ in s.index(below: 40) } : nil
        return try ProbeData(activations: x, target: .classes(labels, count: 2), types: types)
    }

    @Test func logisticProbeRecoversALinearLabel() throws {
        let probe = Probe(.logistic(LogisticRegression()), folds: 5)
        let explanation = try probe.explain(try Self.linearData(seed: 100), stream: RandomStream(seed: 1))
        let accuracy = try #require(explanation.scalars["accuracy"])
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
        #expect(explanation.method == "logistic-probe" && explanation.shape == .scalar)
        #expect(explanation.scalars["selectivity"] == nil, "no control task without types")
        #expect(explanation.diagnostics["task.foldsNotConverged"] == 0)
        let perRow = try #require(explanation.perExample["accuracy"])
        #expect(perRow.count == 400 && perRow.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(mean(perRow) == accuracy)
        #expect(try ExplanationStatistic("accuracy", direction: .larger, summary: "").value(in: explanation) == accuracy)
    }

    @Test func logisticProbeIsAtChanceOnNoiseLabels() throws {
        let root = RandomStream(seed: 200)
        let x = gaussianMatrix(rows: 400, columns: 5, stream: root.derived("x"))
        var s = root.derived("labels")
        let labels = (0..<400).map { _ in s.index(below: 2) }
        let data = try ProbeData(activations: x, target: .classes(labels, count: 2))
        let accuracy = try #require(try Probe(.logistic(LogisticRegression()), folds: 5)
            .explain(data, stream: RandomStream(seed: 2)).scalars["accuracy"])
        // A Binomial(400, ½) proportion has sd 0.025; ±0.1 is four of them (and cross-validated
        // accuracy on noise is, if anything, slightly below ½).
        #expect(abs(accuracy - 0.5) <= 0.1, "held-out accuracy on noise \(accuracy)")
    }

    @Test func selectivityIsAccuracyMinusControlAccuracy() throws {
        let probe = Probe(.logistic(LogisticRegression()), folds: 5)
        let data = try Self.linearData(seed: 300, withTypes: true)
        let explanation = try probe.explain(data, stream: RandomStream(seed: 3))
        let accuracy = try #require(explanation.scalars["accuracy"])
        let control = try #require(explanation.scalars["controlAccuracy"])
        let selectivity = try #require(explanation.scalars["selectivity"])
        // Each scalar is the mean of its per-row scores; selectivity, the mean of the per-row
        // differences, equals a/n − c/n up to the rounding of the two divisions (not bit for bit).
        let perAccuracy = try #require(explanation.perExample["accuracy"])
        let perControl = try #require(explanation.perExample["controlAccuracy"])
        let perSelectivity = try #require(explanation.perExample["selectivity"])
        #expect(abs(selectivity - (accuracy - control)) <= 4 * Double.ulpOfOne)
        #expect(mean(perAccuracy) == accuracy && mean(perControl) == control && mean(perSelectivity) == selectivity)
        #expect(perSelectivity.count == 400)
        for i in 0..<400 { #expect(perSelectivity[i] == perAccuracy[i] - perControl[i], "row \(i)") }
        // Control labels are random per type and the types are unrelated to the activations:
        // the linear probe cannot fit them, so selectivity is large.
        #expect(accuracy >= 0.95 && selectivity >= 0.25, "accuracy \(accuracy), control \(control)")
        #expect(explanation.diagnostics["control.meanIterations"] != nil)
    }

    @Test func explanationsAreAFunctionOfTheStream() throws {
        let probe = Probe(.logistic(LogisticRegression()), folds: 5)
        let data = try Self.linearData(seed: 400, withTypes: true)
        let first = try probe.explain(data, stream: RandomStream(seed: 4))
        let second = try probe.explain(data, stream: RandomStream(seed: 4))
        #expect(first == second)
        let other = try probe.explain(data, stream: RandomStream(seed: 5))
        #expect(other.perExample["controlAccuracy"] != first.perExample["controlAccuracy"])
    }

    @Test func mlpProbeLearnsXORThatALinearProbeCannot() throws {
        // Label = sign(x₀) XOR sign(x₁): no better than chance for any linear rule.
        let root = RandomStream(seed: 500)
        let x = gaussianMatrix(rows: 400, columns: 2, stream: root.derived("x"))
        let labels = (0..<400).map { i in (x[i, 0] > 0) != (x[i, 1] > 0) ? 1 : 0 }
        let data = try ProbeData(activations: x, target: .classes(labels, count: 2))
        let stream = RandomStream(seed: 6)
        let mlp = try Probe(.mlp(MLPProbe(hidden: 16, epochs: 200, learningRate: 0.05)), folds: 5).explain(data, stream: stream)
        let linear = try Probe(.logistic(LogisticRegression()), folds: 5).explain(data, stream: stream)
        let mlpAccuracy = try #require(mlp.scalars["accuracy"]), linearAccuracy = try #require(linear.scalars["accuracy"])
        #expect(mlp.method == "mlp-probe")
        #expect(mlpAccuracy >= 0.9, "MLP held-out accuracy \(mlpAccuracy)")
        #expect(linearAccuracy <= 0.7, "logistic held-out accuracy \(linearAccuracy)")
    }

    @Test func ridgeProbeRecoversALinearTarget() throws {
        let root = RandomStream(seed: 600)
        let x = gaussianMatrix(rows: 300, columns: 4, stream: root.derived("x"))
        var s = root.derived("noise")
        let w = [2.0, -1, 0.5, 1.5]
        let y = (0..<300).map { dot(row(x, $0), w) + 3 + 0.1 * s.gaussian() }
        let explanation = try Probe(.ridge(RidgeRegression(alpha: 1)), folds: 5)
            .explain(try ProbeData(activations: x, target: .continuous(y)), stream: RandomStream(seed: 7))
        let r2 = try #require(explanation.scalars["r2"])
        #expect(r2 >= 0.95, "held-out R² \(r2)")
        #expect(r2 < 1)
        let squaredError = try #require(explanation.perExample["squaredError"])
        #expect(explanation.perExample["target"] == y)
        #expect(Probe.rSquared(squaredError: squaredError, target: y) == r2)
        // The residual variance is about the noise's, 0.01.
        #expect(mean(squaredError) < 0.02, "mean squared error \(mean(squaredError))")
    }

    @Test func probesRefuseTheWrongKindOfTarget() throws {
        let data = try Self.linearData(seed: 700)
        let error = #expect(throws: MethodError.self) {
            try Probe(.ridge(RidgeRegression()), folds: 5).explain(data, stream: RandomStream(seed: 8))
        }
        #expect(error?.message.contains("continuous target") == true, "\(String(describing: error))")
        let continuous = try ProbeData(activations: data.activations, target: .continuous((0..<400).map(Double.init)))
        #expect(throws: MethodError.self) {
            try Probe(.logistic(LogisticRegression()), folds: 5).explain(continuous, stream: RandomStream(seed: 8))
        }
    }
}

// MARK: - Validation

@Suite struct ProbeDataValidationTests {
    static let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))

    static func message(_ build: () throws -> ProbeData) -> String {
        do {
            _ = try build()
            Issue.record("expected a MethodError")
            return ""
        } catch let error as MethodError {
            return error.message
        } catch {
            Issue.record("expected a MethodError, got \(error)")
            return ""
        }
    }

    @Test func aNonFiniteActivationIsNamedByIndexRowAndColumn() {
        var scalars = Self.x.scalars
        scalars[7] = .nan
        let nan = Self.message { try ProbeData(activations: Tensor(shape: [4, 3], scalars: scalars), target: .classes([0, 1, 0, 1], count: 2)) }
        #expect(nan.contains("index 7") && nan.contains("row 2, column 1"), "\(nan)")
        scalars[7] = 1
        scalars[11] = -.infinity
        let infinite = Self.message { try ProbeData(activations: Tensor(shape: [4, 3], scalars: scalars), target: .continuous([0, 1, 2, 3])) }
        #expect(infinite.contains("index 11") && infinite.contains("row 3, column 2"), "\(infinite)")
    }

    @Test func mismatchedRowCountsAreNamed() {
        let labels = Self.message { try ProbeData(activations: Self.x, target: .classes([0, 1, 0, 1, 1], count: 2)) }
        #expect(labels.contains("4") && labels.contains("5"), "\(labels)")
        let targets = Self.message { try ProbeData(activations: Self.x, target: .continuous([0, 1, 2])) }
        #expect(targets.contains("4") && targets.contains("3"), "\(targets)")
        let types = Self.message { try ProbeData(activations: Self.x, target: .classes([0, 1, 0, 1], count: 2), types: [1, 2]) }
        #expect(types.contains("4") && types.contains("2") && types.contains("types"), "\(types)")
    }

    @Test func labelProblemsAreNamed() {
        let single = Self.message { try ProbeData(activations: Self.x, target: .classes([1, 1, 1, 1], count: 2)) }
        #expect(single.contains("single class"), "\(single)")
        let outside = Self.message { try ProbeData(activations: Self.x, target: .classes([0, 1, 3, 2], count: 3)) }
        #expect(outside.contains("label 3") && outside.contains("index 2") && outside.contains("0..<3"), "\(outside)")
        let negative = Self.message { try ProbeData(activations: Self.x, target: .classes([0, -1, 1, 0], count: 2)) }
        #expect(negative.contains("label -1") && negative.contains("index 1"), "\(negative)")
        let oneClass = Self.message { try ProbeData(activations: Self.x, target: .classes([0, 0, 0, 0], count: 1)) }
        #expect(oneClass.contains("at least 2 classes"), "\(oneClass)")
    }

    @Test func aNonMatrixIsRefused() {
        let vector = Self.message { try ProbeData(activations: Tensor(shape: [12], scalars: Self.x.scalars), target: .continuous([0])) }
        #expect(vector.contains("[12]"), "\(vector)")
    }

    @Test func validDataIsKept() throws {
        let data = try ProbeData(activations: Self.x, target: .classes([0, 1, 0, 1], count: 2), types: [3, 3, 4, 4])
        #expect(data.rowCount == 4 && data.types == [3, 3, 4, 4] && data.activations == Self.x)
    }
}

// MARK: - Principal component correlation

@Suite struct PrincipalComponentCorrelationTests {
    @Test func theLabelOfTheLargestVarianceDirectionCorrelatesFully() throws {
        // x = 3a·u + 0.5 Σ bₖ vₖ with (u, v₁, v₂, v₃) an orthonormal basis (a Householder
        // reflection of the standard one), and the label a: the top component is u.
        let n = 300, d = 4
        var s = RandomStream(seed: 800)
        let h = [1.0, 2, -1, 0.5], hh = dot(h, h)
        let basis = (0..<d).map { k in (0..<d).map { j in (k == j ? 1 : 0) - 2 * h[k] * h[j] / hh } }
        var scalars: [Float] = [], labels: [Double] = []
        for _ in 0..<n {
            let a = s.gaussian()
            let coordinates = [3 * a, 0.5 * s.gaussian(), 0.5 * s.gaussian(), 0.5 * s.gaussian()]
            for j in 0..<d { scalars.append(Float((0..<d).reduce(0.0) { $0 + coordinates[$1] * basis[$1][j] })) }
            labels.append(a)
        }
        let data = try ProbeData(activations: Tensor(shape: [n, d], scalars: scalars), target: .continuous(labels))
        let explanation = try PrincipalComponentCorrelation(components: 3).explain(data, stream: RandomStream(seed: 9))
        let top = try #require(explanation.scalars["maxAbsCorrelation"])
        #expect(top >= 0.999, "max |correlation| \(top)")
        let vector = try #require(explanation.vector)
        #expect(vector.count == 3 && vector[0] == top)
        #expect(vector.dropFirst().allSatisfy { $0 < 0.2 }, "\(vector)")
        #expect(explanation.diagnostics["degenerateComponents"] == 0)
        // Variance 9 of 9.75 lies along u.
        let explained = try #require(explanation.diagnostics["explainedVarianceTopK"])
        #expect(explained > 0.9 && explained <= 1)
    }

    /// A constant representation (a dead layer) carries no label information: every component is
    /// degenerate, the statistic is 0 and the diagnostic counts them — not an error that would end
    /// an audit because one null model has a dead layer.
    @Test func constantActivationsGiveZeroWithADiagnostic() throws {
        for value: Float in [0, 0.1, -3.7] {
            let data = try ProbeData(activations: Tensor(repeating: value, shape: [50, 3]),
                                     target: .continuous((0..<50).map(Double.init)))
            let e = try PrincipalComponentCorrelation(components: 2).explain(data, stream: RandomStream(seed: 10))
            #expect(e.scalars["maxAbsCorrelation"] == 0 && e.vector == [0, 0], "value \(value)")
            #expect(e.diagnostics["degenerateComponents"] == 2)
        }
    }

    @Test func aConstantLabelThrows() throws {
        let data = try ProbeData(activations: gaussianMatrix(rows: 20, columns: 3, stream: RandomStream(seed: 11)),
                                 target: .continuous([Double](repeating: 2, count: 20)))
        #expect(throws: MethodError.self) { try PrincipalComponentCorrelation().explain(data, stream: RandomStream(seed: 12)) }
    }
}
