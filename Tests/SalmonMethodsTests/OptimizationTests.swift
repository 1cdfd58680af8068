import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// L-BFGS against problems with known minimizers, and the LAPACK-backed symmetric linear algebra
/// it is checked with.
@Suite struct LBFGSTests {
    /// A deterministic 5 × 5 SPD matrix A = MᵀM + I (M from a seeded stream) and b.
    static let quadratic: (a: [Double], b: [Double]) = {
        let n = 5
        var s = RandomStream(seed: 20_240_601)
        let m = (0..<(n * n)).map { _ in s.gaussian() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var v = i == j ? 1.0 : 0
                for r in 0..<n { v += m[r * n + i] * m[r * n + j] }
                a[i * n + j] = v
            }
        }
        return (a, (0..<n).map { Double($0) - 1.5 })
    }()

    /// f(x) = ½ xᵀAx − bᵀx, ∇f = Ax − b.
    static func quadraticObjective(_ x: [Double], _ g: inout [Double]) -> Double {
        let (a, b) = quadratic, n = b.count
        var f = 0.0
        for i in 0..<n {
            var ax = 0.0
            for j in 0..<n { ax += a[i * n + j] * x[j] }
            g[i] = ax - b[i]
            f += 0.5 * x[i] * ax - b[i] * x[i]
        }
        return f
    }

    static func exactMinimizer() throws -> [Double] {
        try SymmetricMatrix.choleskySolve(quadratic.a, n: 5, rightHandSides: quadratic.b)
    }

    @Test func minimizesAStrictlyConvexQuadraticToItsExactSolution() throws {
        let exact = try Self.exactMinimizer()
        let optimum = -0.5 * zip(Self.quadratic.b, exact).reduce(0) { $0 + $1.0 * $1.1 }  // f(x*) = −½ bᵀx*
        let result = LBFGS(gradientTolerance: 1e-11, functionTolerance: 0, maxIterations: 500)
            .minimize(from: [Double](repeating: 0, count: 5), objective: Self.quadraticObjective)
        #expect(result.stop.converged, "\(result.stop) after \(result.iterations) iterations")
        let error = zip(result.x, exact).map { abs($0 - $1) }.max() ?? .nan
        #expect(error <= 1e-8, "max |x − x*| = \(error)")
        #expect(abs(result.value - optimum) <= 1e-12 * abs(optimum))
        #expect(result.gradientMaxNorm <= 1e-9)
        #expect(result.iterations <= 50, "\(result.iterations) iterations for a 5-dimensional quadratic")
    }

    @Test func aShortMemoryStillReachesTheLineSearchFloor() throws {
        // memory 3 < dimension 5: the oldest correction pairs are evicted along the way. A
        // backtracking search on f stops resolving steps once f − f* ≲ ε|f*|, i.e. at
        // ‖x − x*‖ ≈ √(2ε|f*| / λ_min) (4.5e-8 here); within twice that is as good as f allows.
        let exact = try Self.exactMinimizer()
        let optimum = -0.5 * zip(Self.quadratic.b, exact).reduce(0) { $0 + $1.0 * $1.1 }
        let smallest = try #require(try SymmetricMatrix.eigen(Self.quadratic.a, n: 5).values.first)
        let floor = (2 * Double.ulpOfOne * abs(optimum) / smallest).squareRoot()
        let result = LBFGS(memory: 3, gradientTolerance: 1e-11, functionTolerance: 0, maxIterations: 500)
            .minimize(from: [Double](repeating: 0, count: 5), objective: Self.quadraticObjective)
        #expect(result.stop.converged, "\(result.stop) after \(result.iterations) iterations")
        let error = zip(result.x, exact).map { abs($0 - $1) }.max() ?? .nan
        #expect(error <= 2 * floor, "max |x − x*| = \(error), floor \(floor)")
        #expect(abs(result.value - optimum) <= 1e-12 * abs(optimum))
    }

    @Test func minimizesRosenbrockFromTheClassicalStart() {
        // f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
        let result = LBFGS(gradientTolerance: 1e-10, functionTolerance: 0, maxIterations: 10_000)
            .minimize(from: [-1.2, 1]) { x, g in
                let u = 1 - x[0], v = x[1] - x[0] * x[0]
                g[0] = -2 * u - 400 * x[0] * v
                g[1] = 200 * v
                return u * u + 100 * v * v
            }
        #expect(result.stop.converged, "\(result.stop) after \(result.iterations) iterations")
        #expect(abs(result.x[0] - 1) <= 1e-5 && abs(result.x[1] - 1) <= 1e-5, "x = \(result.x)")
        #expect(result.value <= 1e-10)
        #expect(result.iterations > 10, "Rosenbrock's valley takes more than a handful of steps")
    }

    @Test func reportsMaxIterationsWhenNoIterationIsAllowed() {
        var calls = 0
        let start = [1.0, -2, 3, 0.5, 0]
        let result = LBFGS(maxIterations: 0).minimize(from: start) { x, g in
            calls += 1
            return Self.quadraticObjective(x, &g)
        }
        #expect(result.stop == .maxIterations)
        #expect(!result.stop.converged)
        #expect(result.iterations == 0 && result.evaluations == 1 && calls == 1)
        #expect(result.x == start)
        var g = [Double](repeating: 0, count: 5)
        #expect(result.value == Self.quadraticObjective(start, &g))
        #expect(result.gradientMaxNorm == g.map(abs).max())
    }

    @Test func stopsAtOnceWhenStartedAtTheOptimum() throws {
        let exact = try Self.exactMinimizer()
        let result = LBFGS().minimize(from: exact, objective: Self.quadraticObjective)
        #expect(result.stop == .gradientTolerance)
        #expect(result.iterations == 0 && result.evaluations == 1)
        #expect(result.x == exact)
    }

    @Test func reportsANonFiniteStartingValue() {
        let result = LBFGS().minimize(from: [0, 0]) { _, g in
            g = [0, 0]
            return .nan
        }
        #expect(result.stop == .nonFinite && !result.stop.converged && result.iterations == 0)
    }
}

@Suite struct SymmetricMatrixTests {
    /// The second-difference matrix tridiag(−1, 2, −1): eigenvalues 2 − √2, 2, 2 + √2.
    static let secondDifference: [Double] = [2, -1, 0, -1, 2, -1, 0, -1, 2]

    @Test func eigenOfAKnownThreeByThreeMatrix() throws {
        let a = Self.secondDifference, n = 3
        let (values, vectors) = try SymmetricMatrix.eigen(a, n: n)
        let expected = [2 - 2.0.squareRoot(), 2, 2 + 2.0.squareRoot()]
        #expect(values.count == 3 && vectors.count == 9)
        for j in 0..<n { #expect(abs(values[j] - expected[j]) <= 1e-12, "λ\(j) = \(values[j])") }
        for j in 0..<n {
            // Row j is the eigenvector of values[j]: A v = λ v.
            let v = Array(vectors[(j * n)..<((j + 1) * n)])
            for i in 0..<n {
                let av = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * v[$1] }
                #expect(abs(av - values[j] * v[i]) <= 1e-12, "(A v − λ v)[\(i)] for λ\(j)")
            }
            for k in 0..<n {
                let dot = (0..<n).reduce(0.0) { $0 + vectors[j * n + $1] * vectors[k * n + $1] }
                #expect(abs(dot - (j == k ? 1 : 0)) <= 1e-12, "v\(j) · v\(k) = \(dot)")
            }
        }
        // The middle eigenvector is ±(1, 0, −1)/√2.
        let middle = Array(vectors[3..<6])
        #expect(abs(abs(middle[0]) - 0.5.squareRoot()) <= 1e-12 && abs(middle[1]) <= 1e-12
                && abs(middle[0] + middle[2]) <= 1e-12)
    }

    @Test func eigenReadsOnlyTheRowMajorLowerTriangle() throws {
        var garbled = Self.secondDifference
        for i in 0..<3 { for j in (i + 1)..<3 { garbled[i * 3 + j] = 1000 + Double(i + j) } }
        let clean = try SymmetricMatrix.eigen(Self.secondDifference, n: 3)
        let fromLower = try SymmetricMatrix.eigen(garbled, n: 3)
        #expect(maxScaledDifference(fromLower.values, clean.values) <= 1e-12)
    }

    @Test func choleskySolveReproducesKnownSolutions() throws {
        let (a, _) = LBFGSTests.quadratic, n = 5
        // Two right-hand sides, stored one after another.
        let xs: [[Double]] = [[1, -2, 0.5, 3, -0.25], [0, 1, 0, -1, 2]]
        var rhs: [Double] = []
        for x in xs {
            for i in 0..<n { rhs.append((0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] }) }
        }
        let solved = try SymmetricMatrix.choleskySolve(a, n: n, rightHandSides: rhs)
        #expect(solved.count == 10)
        #expect(maxScaledDifference(solved, xs.flatMap { $0 }) <= 1e-12, "\(solved)")
    }

    @Test func choleskySolveRejectsAMatrixThatIsNotPositiveDefinite() {
        // Eigenvalues 3 and −1: the second leading minor (1 − 4) is negative.
        let error = #expect(throws: SymmetricMatrix.Failure.self) {
            try SymmetricMatrix.choleskySolve([1, 2, 2, 1], n: 2, rightHandSides: [1, 1])
        }
        #expect(error?.routine == "dpotrf")
        #expect(error?.info == 2)
        #expect(error?.description.contains("not positive definite") == true)
        // Positive semidefinite but singular is not positive definite either.
        #expect(throws: SymmetricMatrix.Failure.self) {
            try SymmetricMatrix.choleskySolve([1, 1, 1, 1], n: 2, rightHandSides: [1, 1])
        }
    }

    @Test func centeredCrossProductMatchesADirectComputation() {
        let rows: [[Float]] = [[1, 2, -1], [3, 0, 0.5], [-2, 1, 4], [0.25, -1, 2]]
        let (matrix, means) = SymmetricMatrix.centeredCrossProduct(Tensor(rows: rows))
        let d = 3, n = 4
        for j in 0..<d {
            let mean = rows.reduce(0.0) { $0 + Double($1[j]) } / Double(n)
            #expect(abs(means[j] - mean) <= 1e-12)
        }
        for i in 0..<d {
            for j in 0..<d {
                let expected = rows.reduce(0.0) { $0 + (Double($1[i]) - means[i]) * (Double($1[j]) - means[j]) }
                #expect(abs(matrix[i * d + j] - expected) <= 1e-5 * max(1, abs(expected)), "(\(i), \(j))")
                #expect(matrix[i * d + j] == matrix[j * d + i])
            }
        }
    }
}
