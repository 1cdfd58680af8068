/// One model an audit evaluates: a trained network (seed s of K_t) or null model k of a family.
///
/// Units are the grain of parallelism, sharding and resumption: each is a pure function of the
/// spec and its own address, so it gives the same record whichever worker, shard or run makes it.
public enum AuditUnit: Sendable, Hashable, Codable, CustomStringConvertible {
    case trained(seed: Int)
    case null(family: String, index: Int)

    /// `trained/0`, `null/random-init/17`: the unit's address in records and stream paths.
    public var description: String {
        switch self {
        case .trained(let s): return "trained/\(s)"
        case .null(let family, let k): return "null/\(family)/\(k)"
        }
    }

    public var isTrained: Bool { if case .trained = self { return true } else { return false } }

    /// Every unit of an audit in its fixed order: trained seeds, then each family's nulls in spec order.
    public static func all(trainedSeeds: Int, nulls: [NullSpec]) -> [AuditUnit] {
        (0..<trainedSeeds).map { AuditUnit.trained(seed: $0) }
            + nulls.flatMap { spec in (0..<spec.K).map { AuditUnit.null(family: spec.family, index: $0) } }
    }
}

/// Which slice of the units a run computes: shard `index` of `count` takes the units whose
/// position in ``AuditUnit/all(trainedSeeds:nulls:)`` is ≡ index (mod count).
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "shard index in 0..<count")
        self.index = index
        self.count = count
    }

    public static let whole = Shard(index: 0, count: 1)

    /// Parses `i/n` (0-based i).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(position: Int) -> Bool { position % count == index }
}
