/// Activations exported from any framework: for one site, the trained model's file and one file
/// per null model; or the same for several sites, audited together (so the correction spans every
/// layer).
///
/// ```yaml
/// activations: {trained: acts.npy, nulls: [null-0.npy, null-1.npy]}     # one site, "activations"
/// activations:
///   sites:
///     layer1: {trained: trained/l1.npy, nulls: "nulls/*/l1.npy"}       # a glob: the files it matches, in byte order
///     layer2: {trained: trained/l2.npy, nulls: "nulls/*/l2.npy"}
/// ```
///
/// `nulls` may be left out when the audit's null families keep the trained network
/// (`gaussian-activations`, an SAE's `frozen-decoder`): null files are the family `supplied`.
///
/// Every site has the same number of null files (null model k of each site is the k-th file, in
/// list order or, for a glob, in byte order of the paths) and the same rows (the evaluation
/// inputs); widths may differ from site to site.
public struct ActivationFiles: Sendable, Codable, Equatable {
    /// One site's files.
    public var trained: String?
    public var nulls: NullFiles?
    /// Several sites, by name.
    public var sites: [String: SiteFiles]?

    /// The trained and null files of one site.
    public struct SiteFiles: Sendable, Codable, Equatable {
        public var trained: String
        /// Absent: no null files (the null families keep the trained network).
        public var nulls: NullFiles?

        enum CodingKeys: String, CodingKey, CaseIterable { case trained, nulls }

        public init(trained: String, nulls: NullFiles?) { self.trained = trained; self.nulls = nulls }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            trained = try c.decode(String.self, forKey: .trained)
            nulls = try c.decodeIfPresent(NullFiles.self, forKey: .nulls)
        }
    }

    /// The null models' files: a list, or a glob pattern expanded when the audit reads them.
    public enum NullFiles: Sendable, Codable, Equatable {
        case list([String])
        case pattern(String)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let pattern = try? c.decode(String.self) {
                self = .pattern(pattern)
            } else {
                self = .list(try c.decode([String].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .list(let files): try c.encode(files)
            case .pattern(let pattern): try c.encode(pattern)
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case trained, nulls, sites }

    /// One site; `nulls` empty: no null files.
    public init(trained: String, nulls: [String]) { self.trained = trained; self.nulls = nulls.isEmpty ? nil : .list(nulls) }

    public init(sites: [String: SiteFiles]) { self.sites = sites }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trained = try c.decodeIfPresent(String.self, forKey: .trained)
        nulls = try c.decodeIfPresent(NullFiles.self, forKey: .nulls)
        sites = try c.decodeIfPresent([String: SiteFiles].self, forKey: .sites)
    }

    /// The single site's name when the files are given without `sites`.
    public static let singleSite = "activations"

    /// Each site's files, by name (the single-site form as the site `activations`).
    public var bySite: [String: SiteFiles] {
        if let sites { return sites }
        if let trained { return [Self.singleSite: SiteFiles(trained: trained, nulls: nulls)] }
        return [:]
    }

    /// The site names in the order claims use by default (byte order).
    public var siteNames: [String] { bySite.keys.sorted() }

    /// The number of null files when every site lists them (nil when some site gives a glob; 0
    /// when none gives any).
    public var listedNullCount: Int? {
        var counts = Set<Int>()
        for files in bySite.values {
            switch files.nulls {
            case .list(let l)?: counts.insert(l.count)
            case nil: counts.insert(0)
            case .pattern?: return nil
            }
        }
        return counts.count == 1 ? counts.first : nil
    }

    func validate() throws {
        let field = "model.activations"
        if let sites {
            guard trained == nil, nulls == nil else {
                throw SpecError(field: field, "give either 'trained' and 'nulls' (one site) or 'sites', not both")
            }
            guard !sites.isEmpty else { throw SpecError(field: field + ".sites", "expected at least one site") }
        } else {
            guard trained != nil else { throw SpecError(field: field + ".trained", "expected the trained model's activation file (or 'sites')") }
        }
        var counts: [String: Int] = [:]
        for (name, files) in bySite.sorted(by: { $0.key < $1.key }) {
            let at = sites == nil ? field : field + ".sites.\(name)"
            guard !name.isEmpty else { throw SpecError(field: field + ".sites", "a site needs a name") }
            switch files.nulls {
            case .list(let l)?:
                guard !l.isEmpty else { throw SpecError(field: at + ".nulls", "expected at least one null activation file (or no 'nulls')") }
                counts[name] = l.count
            case .pattern(let p)?:
                guard !p.isEmpty else { throw SpecError(field: at + ".nulls", "expected a glob pattern or a list of files, found an empty string") }
            case nil:
                counts[name] = 0
            }
        }
        let sorted = counts.sorted { $0.key < $1.key }
        if let a = sorted.first, let b = sorted.first(where: { $0.value != a.value }) {
            if a.value == 0 || b.value == 0 {
                let (without, with) = a.value == 0 ? (a.key, b.key) : (b.key, a.key)
                throw SpecError(field: field + ".sites.\(without).nulls", "expected null files, as site '\(with)' has (every site needs the same null models)")
            }
            throw SpecError(field: field + ".sites", "every site needs the same null models: \(a.key) lists \(a.value) files, \(b.key) \(b.value)")
        }
    }
}
