/// Attribution maps computed elsewhere (Captum, Quantus, JAX): the trained networks' maps and one
/// file per null model, every file one method's maps of the same inputs in the same order and
/// shape (one map per row: `[n, d]`, `[n, h, w]`, Captum's `[n, 1, h, w]`).
///
/// ```yaml
/// maps:
///   trained: [seed0.npy, seed1.npy]   # trained network 0 (the anchor) first; K_t = their count (≥ 2)
///   nulls: "random/*.npy"             # a list, or a glob (the files it matches, in byte order)
/// ```
///
/// The claim (`method: {name: supplied-maps, similarity: …}`, ``SuppliedMapsFamily``) compares
/// every other file with trained network 0's maps: the other trained seeds give the estimate, the
/// null files (family `supplied`) the null draws.
public struct AttributionMapFiles: Sendable, Codable, Equatable {
    /// The trained networks' map files, network 0 first.
    public var trained: [String]
    public var nulls: ActivationFiles.NullFiles

    enum CodingKeys: String, CodingKey, CaseIterable { case trained, nulls }

    public init(trained: [String], nulls: ActivationFiles.NullFiles) {
        self.trained = trained
        self.nulls = nulls
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .trained) { trained = [one] } else { trained = try c.decode([String].self, forKey: .trained) }
        nulls = try c.decode(ActivationFiles.NullFiles.self, forKey: .nulls)
    }

    /// The one site of a maps model: the maps themselves.
    public static let site = "maps"

    func validate() throws {
        guard !trained.isEmpty, trained.count <= 10_000, !trained.contains(where: \.isEmpty) else {
            throw SpecError(field: "model.maps.trained", "expected the trained networks' map files (network 0 first), 1 … 10,000 of them")
        }
        switch nulls {
        case .list(let l):
            guard !l.isEmpty, !l.contains(where: \.isEmpty) else { throw SpecError(field: "model.maps.nulls", "expected at least one null map file") }
        case .pattern(let p):
            guard !p.isEmpty else { throw SpecError(field: "model.maps.nulls", "expected a glob pattern or a list of files, found an empty string") }
        }
    }
}
