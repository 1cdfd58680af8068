import SalmonNetworks

/// What a probe reads: activations at one site, the target for each row, and optionally each
/// row's *type* for control tasks (Hewitt & Liang 2019: the word type of a token; here any
/// integer grouping of inputs that should share a control label).
public struct ProbeData: Sendable {
    /// The probe's target.
    public enum Target: Sendable {
        /// Class labels in `0..<count`.
        case classes([Int], count: Int)
        /// A continuous target (ridge probe; R²).
        case continuous([Double])

        public var rowCount: Int {
            switch self {
            case .classes(let labels, _): return labels.count
            case .continuous(let values): return values.count
            }
        }
    }

    /// `[n, d]`.
    public var activations: Tensor
    public var target: Target
    /// One type per row for the control task, or nil for none.
    public var types: [Int]?

    /// Validated probe data.
    /// - Throws: ``MethodError`` naming what disagrees: row counts, a non-matrix, an empty matrix,
    ///   labels outside `0..<count`, a single class, or a non-finite activation (with its row and column).
    public init(activations: Tensor, target: Target, types: [Int]? = nil) throws {
        guard activations.rank == 2, activations.shape[0] > 0, activations.shape[1] > 0 else {
            throw MethodError("activations must be a non-empty [rows, features] matrix, found shape \(activations.shape)")
        }
        let n = activations.shape[0], d = activations.shape[1]
        guard target.rowCount == n else {
            throw MethodError("activations have \(n) rows but the labels have \(target.rowCount)")
        }
        if let types, types.count != n {
            throw MethodError("activations have \(n) rows but the control types have \(types.count)")
        }
        if let bad = activations.scalars.firstIndex(where: { !$0.isFinite }) {
            throw MethodError("activations contain \(activations.scalars[bad]) at index \(bad) (row \(bad / d), column \(bad % d)); expected finite values")
        }
        switch target {
        case .classes(let labels, let count):
            guard count >= 2 else { throw MethodError("labels need at least 2 classes, found \(count)") }
            if let i = labels.firstIndex(where: { $0 < 0 || $0 >= count }) {
                throw MethodError("label \(labels[i]) at index \(i) is outside 0..<\(count)")
            }
            if Set(labels).count < 2 {
                throw MethodError("labels hold a single class (\(labels.first ?? 0)); a probe needs at least two")
            }
        case .continuous(let values):
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw MethodError("targets contain \(values[i]) at index \(i); expected finite values")
            }
        }
        self.activations = activations
        self.target = target
        self.types = types
    }

    public var rowCount: Int { activations.shape[0] }
}

extension ProbeData {
    /// The data restricted to `rows` (with repetition, in that order): a bootstrap resample.
    public func resampled(rows: [Int]) throws -> ProbeData {
        let target: Target
        switch self.target {
        case .classes(let labels, let count): target = .classes(rows.map { labels[$0] }, count: count)
        case .continuous(let values): target = .continuous(rows.map { values[$0] })
        }
        return try ProbeData(activations: activations.rows(rows), target: target, types: types.map { t in rows.map { t[$0] } })
    }
}
