import Testing
import SalmonStatistics

/// Monte Carlo and permutation tests: formulas, determinism and validation.
@Suite struct TestingBehaviourTests {
    @Test func monteCarloPValueFormula() throws {
        let null: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        let greater = try MonteCarloTest.pValue(observed: 8, null: null, alternative: .greater)
        #expect(greater.extremeCount == 3 && greater.pValue == 4.0 / 11)
        let less = try MonteCarloTest.pValue(observed: 8, null: null, alternative: .less)
        #expect(less.extremeCount == 8 && less.pValue == 9.0 / 11)
        let two = try MonteCarloTest.pValue(observed: 8, null: null, alternative: .twoSided)
        #expect(two.pValue == 8.0 / 11)
        let never = try MonteCarloTest.pValue(observed: 100, null: null)
        #expect(never.pValue == 1.0 / 11 && never.pValue > 0)
        // The interval brackets b / B and is the Clopper–Pearson interval.
        let cp = try ClopperPearson.interval(successes: 3, trials: 10)
        #expect(greater.interval == cp)
        #expect(try MonteCarloTest.pValue(observed: 0, null: null, alternative: .twoSided).pValue == 2.0 / 11)
        #expect(throws: StatisticsError.self) { try MonteCarloTest.pValue(observed: .nan, null: null) }
        #expect(throws: StatisticsError.self) { try MonteCarloTest.pValue(observed: 1, null: []) }
    }

    @Test func permutationMonteCarloIsDeterministicAcrossWorkers() throws {
        var s = RandomStream(seed: 21)
        let a = (0..<40).map { _ in s.gaussian() }
        let b = (0..<45).map { _ in s.gaussian() + 0.3 }
        let one = try PermutationTest(resamples: 2000, seed: 5, workers: 1).independent(a, b)
        let two = try PermutationTest(resamples: 2000, seed: 5, workers: 2).independent(a, b)
        #expect(!one.isExact && one.test.nullCount == 2000)
        #expect(one.pValue == two.pValue && one.test.extremeCount == two.test.extremeCount)
        #expect(one.test.interval.contains(one.pValue))
        let pairedOne = try PermutationTest(resamples: 2000, seed: 5, workers: 1).paired(a, Array(b.prefix(40)))
        let pairedTwo = try PermutationTest(resamples: 2000, seed: 5, workers: 3).paired(a, Array(b.prefix(40)))
        #expect(pairedOne.pValue == pairedTwo.pValue)
    }

    /// With many arrangements the Monte Carlo p-value approaches the exact one.
    @Test func monteCarloApproachesExact() throws {
        let a: [Double] = [1.1, 2.3, 0.4, 3.9, 2.2, 5.1, 4.4]
        let b: [Double] = [0.2, -1.0, 1.5, 0.9, 0.3, -0.4, 1.2]
        let exact = try PermutationTest(resamples: 5000, seed: 1).independent(a, b)
        #expect(exact.isExact && exact.test.nullCount == 3432)
        let mc = try PermutationTest(resamples: 3000, seed: 1).independent(a, b)
        #expect(!mc.isExact)
        #expect(abs(mc.pValue - exact.pValue) < 4 * (exact.pValue * (1 - exact.pValue) / 3000).squareRoot() + 1.0 / 3001)
        let pairedExact = try PermutationTest(resamples: 200, seed: 1).paired(a, b)
        #expect(pairedExact.isExact && pairedExact.test.nullCount == 128)
    }

    @Test func permutationValidation() throws {
        let t = try PermutationTest(resamples: 10, seed: 1)
        #expect(throws: StatisticsError.self) { try t.independent([], [1]) }
        #expect(throws: StatisticsError.self) { try t.independent([1, .infinity], [1]) }
        #expect(throws: StatisticsError.self) { try t.paired([1, 2], [1]) }
        #expect(throws: StatisticsError.self) { try PermutationTest(resamples: 0, seed: 1) }
    }
}
