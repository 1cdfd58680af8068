import SalmonStatistics

extension MapSimilarity {
    /// Spearman's ρ of two rows (of their absolute values when `absolute`): Pearson's r of the
    /// average ranks, through ``Correlation/spearman(_:_:)``. NaN when either row is constant.
    static func spearman(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, absolute: Bool) -> Double {
        let x = absolute ? a.map { abs($0) } : Array(a)
        let y = absolute ? b.map { abs($0) } : Array(b)
        // Equal lengths are checked by the caller, so this cannot throw.
        return (try? Correlation.spearman(x, y)) ?? .nan
    }
}
