import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// `ActivationStatistics` on matrices small enough to check by hand.
@Suite struct ActivationStatisticsTests {
    /// Rows × units:
    ///   row 0:  1   0  -1   0
    ///   row 1:  3   0   0   0.5
    ///   row 2:  0   0   2   0
    /// Unit 1 is 0 on every row: 1 of 4 units dead at threshold 0. Row means 0, 0.875, 0.5.
    static let x = Tensor(rows: [[1, 0, -1, 0], [3, 0, 0, 0.5], [0, 0, 2, 0]])

    @Test func meanAndDeadFractionByHand() throws {
        let e = try ActivationStatistics().explain(Self.x, stream: RandomStream(seed: 1))
        #expect(e.perExample["meanActivation"] == [0, 0.875, 0.5])
        #expect(abs((e.scalars["meanActivation"] ?? .nan) - 1.375 / 3) < 1e-15)
        #expect(e.scalars["deadUnitFraction"] == 0.25)
        // Active frequencies per unit: unit 0 on rows 0, 1; unit 2 on row 2; unit 3 on row 1.
        #expect(e.map?.values == [2.0 / 3, 0, 1.0 / 3, 1.0 / 3])
        #expect(ActivationStatistics().statistics.map(\.direction) == [.larger, .smaller])
    }

    @Test func thresholdCountsValuesAtItAsOff() throws {
        // At threshold 1: unit 0 is active on row 1 (3 > 1) only, unit 2 on row 2; units 1 and 3 are dead.
        let e = try ActivationStatistics(threshold: 1).explain(Self.x, stream: RandomStream(seed: 1))
        #expect(e.scalars["deadUnitFraction"] == 0.5)
    }

    @Test func deadFractionOnResampledRows() throws {
        let units = try ActiveUnits(Self.x, threshold: 0)
        func dead(_ rows: [Int]) -> Double { rows.withUnsafeBufferPointer { units.deadFraction(over: $0) } }
        #expect(dead([0, 1, 2]) == 0.25)
        #expect(dead([0, 0, 0]) == 0.75)     // only unit 0 is active on row 0
        #expect(dead([1, 1, 2]) == 0.25)     // units 0, 3 (row 1) and 2 (row 2)
        #expect(dead([2, 2, 2]) == 0.75)
        #expect(units.activeRowCounts == [2, 0, 1, 1])
    }

    @Test func nonFiniteActivationsNameRowAndUnit() {
        var bad = Self.x
        bad.scalars[6] = .nan   // row 1, unit 2
        #expect(throws: MethodError.self) { try ActivationStatistics().explain(bad, stream: RandomStream(seed: 1)) }
        do { _ = try ActiveUnits(bad, threshold: 0) } catch { #expect("\(error)".contains("row 1, unit 2")) }
    }
}
