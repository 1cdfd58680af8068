import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Probes and PCA against scikit-learn 1.9 on the committed fixtures (`generate_probes.py`).
@Suite struct ProbeReferenceTests {
    struct LogisticCase: Decodable {
        var name: String; var n: Int; var d: Int; var classes: Int; var C: Double
        var X: [Double]; var y: [Int]; var coef: [Double]; var intercept: [Double]
        var intercept_centered: [Double]?; var probabilities: [Double]; var objective: Double
    }
    struct RidgeCase: Decodable {
        var name: String; var n: Int; var d: Int; var alpha: Double
        var X: [Double]; var y: [Double]; var coef: [Double]; var intercept: Double; var r2_train: Double
    }
    struct PCACase: Decodable {
        var name: String; var n: Int; var d: Int; var k: Int
        var X: [Double]; var labels: [Double]; var componentCorrelations: [Double]; var maxAbsCorrelation: Double
    }
    struct File: Decodable { var logistic: [LogisticCase]; var ridge: [RidgeCase]; var pcaCorrelation: [PCACase] }

    static let file: File = {
        do { return try Fixture.load("probes.json") } catch { fatalError("probes.json: \(error)") }
    }()

    /// Float64 products: the fit agrees with scikit-learn's (itself within ~1e-7 of the exact
    /// optimum) to 1e-6 in every coefficient and probability.
    @Test(arguments: file.logistic.map(\.name))
    func logisticRegressionMatchesScikitLearn(_ name: String) throws {
        let c = try #require(Self.file.logistic.first { $0.name == name })
        let x = Tensor(shape: [c.n, c.d], scalars: c.X.map(Float.init))
        let fit = LogisticRegression(inverseRegularization: c.C, tolerance: 1e-9, maxIterations: 10_000, functionTolerance: 0,
                                     precision: .float64).fit(x, labels: c.y, classes: c.classes)
        #expect(fit.converged, "\(name): \(fit.stop) after \(fit.iterations) iterations")
        #expect(maxScaledDifference(fit.weights, c.coef) < 1e-6, "\(name): weights differ by \(maxScaledDifference(fit.weights, c.coef))")
        let intercepts = c.intercept_centered ?? c.intercept
        #expect(maxScaledDifference(Self.centered(fit, classes: c.classes), intercepts) < 1e-6,
                "\(name): intercepts differ by \(maxScaledDifference(Self.centered(fit, classes: c.classes), intercepts))")
        let probabilities = fit.probabilities(x).flatMap { $0 }
        #expect(maxScaledDifference(probabilities, c.probabilities) < 1e-6, "\(name): \(maxScaledDifference(probabilities, c.probabilities))")
        // The objective, in scikit-learn's sum form (ours is divided by n).
        #expect(abs(fit.objective * Double(c.n) - c.objective) <= 1e-9 * max(1, c.objective),
                "\(name): objective \(fit.objective * Double(c.n)) vs \(c.objective)")
    }

    /// Float32 products (the fast default): the objective value agrees to 1e-6 relative; the
    /// coefficients only to the Float32 floor (objective differences below ~1e-7 relative cannot be
    /// resolved, so the iteration ends anywhere in that flat neighbourhood: measured up to 5e-4 on
    /// the 5-class case), which moves probabilities by at most ¼ of the score change.
    @Test(arguments: file.logistic.map(\.name))
    func singlePrecisionFitReachesTheSameObjective(_ name: String) throws {
        let c = try #require(Self.file.logistic.first { $0.name == name })
        let x = Tensor(shape: [c.n, c.d], scalars: c.X.map(Float.init))
        let fit = LogisticRegression(inverseRegularization: c.C, tolerance: 1e-5, maxIterations: 10_000, functionTolerance: 0)
            .fit(x, labels: c.y, classes: c.classes)
        #expect(fit.converged, "\(name): \(fit.stop) after \(fit.iterations) iterations")
        #expect(abs(fit.objective * Double(c.n) - c.objective) <= 1e-6 * max(1, c.objective),
                "\(name): objective \(fit.objective * Double(c.n)) vs \(c.objective)")
        #expect(maxScaledDifference(fit.weights, c.coef) < 1e-3)
        #expect(maxScaledDifference(Self.centered(fit, classes: c.classes), c.intercept_centered ?? c.intercept) < 1e-3)
        #expect(maxScaledDifference(fit.probabilities(x).flatMap { $0 }, c.probabilities) < 5e-4)
    }

    static func centered(_ fit: LogisticRegression.Model, classes: Int) -> [Double] {
        guard classes > 2 else { return fit.intercepts }
        let mean = fit.intercepts.reduce(0, +) / Double(fit.intercepts.count)
        return fit.intercepts.map { $0 - mean }
    }

    @Test(arguments: file.ridge.map(\.name))
    func ridgeMatchesScikitLearn(_ name: String) throws {
        let c = try #require(Self.file.ridge.first { $0.name == name })
        let x = Tensor(shape: [c.n, c.d], scalars: c.X.map(Float.init))
        let fit = try RidgeRegression(alpha: c.alpha).fit(x, targets: c.y)
        #expect(maxScaledDifference(fit.weights, c.coef) < 1e-5, "\(name): \(maxScaledDifference(fit.weights, c.coef))")
        #expect(abs(fit.intercept - c.intercept) < 1e-5 * max(1, abs(c.intercept)))
        let predictions = fit.predict(x)
        let errors = zip(predictions, c.y).map { ($0 - $1) * ($0 - $1) }
        let r2 = try #require(Probe.rSquared(squaredError: errors, target: c.y))
        #expect(abs(r2 - c.r2_train) < 1e-6)
    }

    @Test(arguments: file.pcaCorrelation.map(\.name))
    func principalComponentCorrelationMatchesScikitLearn(_ name: String) throws {
        let c = try #require(Self.file.pcaCorrelation.first { $0.name == name })
        let data = try ProbeData(activations: Tensor(shape: [c.n, c.d], scalars: c.X.map(Float.init)),
                                 target: .continuous(c.labels))
        let e = try PrincipalComponentCorrelation(components: c.k).explain(data, stream: RandomStream(seed: 1))
        let vector = try #require(e.vector)
        #expect(maxScaledDifference(vector, c.componentCorrelations) < 1e-6, "\(name): \(vector) vs \(c.componentCorrelations)")
        #expect(abs(try #require(e.scalars["maxAbsCorrelation"]) - c.maxAbsCorrelation) < 1e-6)
    }

    /// A label of more than two classes has no numeric order: refused, naming the class count
    /// (it was correlated with the class indices as if they were numbers).
    @Test func principalComponentCorrelationRefusesAMulticlassLabel() throws {
        let x = Tensor(shape: [6, 2], scalars: [0, 1, 1, 0, 2, 2, 3, 1, 4, 0, 5, 2])
        let three = try ProbeData(activations: x, target: .classes([0, 1, 2, 0, 1, 2], count: 3))
        #expect(throws: MethodError.self) { try PrincipalComponentCorrelation(components: 1).explain(three, stream: RandomStream(seed: 1)) }
        let two = try ProbeData(activations: x, target: .classes([0, 1, 1, 0, 1, 0], count: 2))
        #expect(try PrincipalComponentCorrelation(components: 1).explain(two, stream: RandomStream(seed: 1)).scalars["maxAbsCorrelation"] != nil)
    }
}
