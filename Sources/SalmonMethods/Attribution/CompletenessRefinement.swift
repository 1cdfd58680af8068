/// The step refinement both Integrated Gradients implementations share: integrate with `steps`
/// nodes; while the relative completeness gap (mean |Σ attributions − (F(x) − F(b))| over mean
/// |F(x) − F(b)|) exceeds `tolerance`, double the steps, up to `maximumFactor` × the first count.
///
/// A NaN gap (F(x) = F(b) on every row: nothing to integrate) counts as within tolerance. With a
/// nil tolerance the first integration is returned as is (Captum's fixed steps).
enum CompletenessRefinement {
    static let maximumFactor = 64

    /// Checks that a tolerance, if given, is a positive finite number.
    static func validate(_ tolerance: Double?) throws {
        if let tolerance, !(tolerance > 0 && tolerance.isFinite) {
            throw MethodError("integrated gradients: the completeness tolerance must be a positive number, found \(tolerance)")
        }
    }

    /// Runs `integrate(steps)` and refines it; returns the result and the steps it used.
    static func refine<T>(steps: Int, tolerance: Double?, relativeGap: (T) -> Double,
                          _ integrate: (Int) throws -> T) rethrows -> (result: T, steps: Int) {
        var used = steps
        var result = try integrate(used)
        guard let tolerance else { return (result, used) }
        while case let gap = relativeGap(result), gap.isFinite, gap > tolerance, used < maximumFactor * steps {
            used *= 2
            result = try integrate(used)
        }
        return (result, used)
    }
}
