import SalmonStatistics

/// A null family drawn sequentially (`K: {max: 9999, sequential: true}` in a spec): its null
/// models are computed in rounds, and every test against the family stops drawing as soon as its
/// ``SequentialMonteCarloTest`` stops; the family stops when all its tests have. `K` is then the
/// most null models the family may use.
///
/// - `exceedances` (h, default 10): a test stops for acceptance when h draws have reached the
///   trained estimate (Besag & Clifford 1991);
/// - `rejectionDraws` (r, default: the fewest null draws at which the spec's correction rejects
///   a test with p = 1/(r + 1) whatever the other tests' p-values, ``AuditPowerPlan``): a test
///   stops for rejection after r draws none of which reached the estimate. An early rejection is
///   therefore a rejection after the correction, settled whatever the other tests do.
public struct SequentialDrawing: Sendable, Codable, Equatable {
    public var exceedances: Int
    public var rejectionDraws: Int?

    public static let defaultExceedances = 10

    public init(exceedances: Int = SequentialDrawing.defaultExceedances, rejectionDraws: Int? = nil) {
        self.exceedances = exceedances
        self.rejectionDraws = rejectionDraws
    }
}

/// `K` of a null family as a spec writes it: a number, or `{max: M, sequential: true,
/// exceedances: h, rejectionDraws: r}`.
struct NullCount: Codable {
    var K: Int
    var sequential: SequentialDrawing?

    enum CodingKeys: String, CodingKey, CaseIterable { case max, sequential, exceedances, rejectionDraws }

    init(K: Int, sequential: SequentialDrawing?) {
        self.K = K
        self.sequential = sequential
    }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let k = try? single.decode(Int.self) {
            K = k
            sequential = nil
            return
        }
        guard (try? decoder.container(keyedBy: CodingKeys.self)) != nil else {
            // A scalar that is not an integer: the integer's own error ("expected an integer, found …").
            K = try decoder.singleValueContainer().decode(Int.self)
            sequential = nil
            return
        }
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        K = try c.decode(Int.self, forKey: .max)
        let on = try c.decode(Bool.self, forKey: .sequential)
        let h = try c.decodeIfPresent(Int.self, forKey: .exceedances)
        let r = try c.decodeIfPresent(Int.self, forKey: .rejectionDraws)
        guard on else {
            if h != nil || r != nil {
                throw DecodingError.dataCorruptedError(forKey: .sequential, in: c, debugDescription: "expected true when exceedances or rejectionDraws are given (or write K: \(K))")
            }
            sequential = nil
            return
        }
        sequential = SequentialDrawing(exceedances: h ?? SequentialDrawing.defaultExceedances, rejectionDraws: r)
    }

    func encode(to encoder: any Encoder) throws {
        guard let sequential else {
            var single = encoder.singleValueContainer()
            try single.encode(K)
            return
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(K, forKey: .max)
        try c.encode(true, forKey: .sequential)
        try c.encode(sequential.exceedances, forKey: .exceedances)
        try c.encodeIfPresent(sequential.rejectionDraws, forKey: .rejectionDraws)
    }
}
