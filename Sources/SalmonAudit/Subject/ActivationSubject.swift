import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks

/// Activations exported from any framework (`salmon probe`, or `model.activations` in a spec):
/// per site, the trained model's activation matrix and one per null model (family `supplied`), all
/// on the same evaluation inputs, with the labels (and optionally control types) as arrays. With
/// one site (`trained` and `nulls`) the site is called `activations`; with `sites`, every named
/// site is audited in one run, so the correction spans them all.
///
/// Null files are given as a list or as a glob (expanded here, in byte order of the paths). Files
/// are read when a unit needs them (null model k reads only its own files), and each is checked:
/// a 2-D array with the trained file's shape at that site and finite values — a NaN or ±Inf is
/// reported with its file and first index.
public struct ActivationSubject: AuditSubject {
    /// The name of the single site of the one-site form.
    public static let site = ActivationFiles.singleSite

    public let spec: AuditSpec
    /// Per site, the trained file and the null files (resolved, globs expanded).
    public let files: [String: (trained: String, nulls: [String])]
    let trainedActivations: [String: Tensor]
    let targets: [String: ProbeData.Target]
    let types: [String: [Int]]
    public let dataHash: String
    public let evaluationHash: String

    /// The trained file of the single site (the one-site form).
    public var trainedFile: String { files[Self.site]?.trained ?? files.values.first?.trained ?? "" }
    /// The null files of the single site (the one-site form).
    public var nullFiles: [String] { files[Self.site]?.nulls ?? files.values.first?.nulls ?? [] }

    /// Reads the trained activations of every site and each claim's labels (`target`) and control
    /// types, expands the null files' globs, and checks that counts and row counts agree. Relative
    /// paths resolve against `baseDirectory`. The null files are read once here for the data hash
    /// (so that records made from other files are never reused) and again by their units.
    public init(spec: AuditSpec, baseDirectory: String = ".") throws {
        guard let declared = spec.model.activations else { throw SpecError(field: "model.activations", "missing") }
        func resolve(_ p: String) -> String { p.hasPrefix("/") || baseDirectory == "." ? p : baseDirectory + "/" + p }
        self.spec = spec
        var files: [String: (trained: String, nulls: [String])] = [:]
        var trained: [String: Tensor] = [:]
        var rows: Int?
        var nullCount: Int?
        for (site, given) in declared.bySite.sorted(by: { $0.key < $1.key }) {
            let field = declared.sites == nil ? "model.activations.nulls" : "model.activations.sites.\(site).nulls"
            let nulls: [String]
            switch given.nulls {
            case nil: nulls = []
            case .list(let l)?: nulls = l.map(resolve)
            case .pattern(let p)?:
                // The spec's folder is a literal path: its glob characters are escaped.
                let literal = { (s: String) in s.map { "*?[]\\".contains($0) ? "\\\($0)" : String($0) }.joined() }
                nulls = try Self.expand(p.hasPrefix("/") || baseDirectory == "." ? p : literal(baseDirectory) + "/" + p)
                guard !nulls.isEmpty else { throw SpecError(field: field, "the glob '\(p)' matches no file") }
            }
            if let nullCount, nulls.count != nullCount {
                throw SpecError(field: field, "\(nulls.count) null files, but another site has \(nullCount); every site needs the same null models")
            }
            nullCount = nulls.count
            let file = resolve(given.trained)
            let a = try ArrayInput.activations(file)
            if let rows, a.shape[0] != rows {
                throw SpecError(file: file, field: "", "\(a.shape[0]) rows, but another site's trained activations have \(rows); every site must hold the same evaluation inputs")
            }
            rows = a.shape[0]
            files[site] = (file, nulls)
            trained[site] = a
        }
        guard let rows, let nullCount else { throw SpecError(field: "model.activations", "expected at least one site") }
        if let k = spec.nulls.first(where: { $0.family == NullSpec.Family.supplied.rawValue })?.K, k != nullCount {
            throw SpecError(field: "nulls[0].K", "expected K = \(nullCount), the number of null activation files, found \(k)")
        }
        self.files = files
        trainedActivations = trained
        let first = declared.siteNames.first.flatMap { files[$0]?.trained } ?? ""
        let read = try ClaimTargetFile.targets(of: spec, rows: rows, of: "activation rows in \(first)", typesRefusal: nil, resolve: resolve)
        let hashed = read.hashed
        targets = read.targets
        types = read.types
        evaluationHash = FNV1a.hex(floats: hashed)
        var all = FNV1a.hex(floats: declared.siteNames.flatMap { trained[$0]?.scalars ?? [] } + hashed)
        for site in declared.siteNames {
            if declared.sites != nil { all = FNV1a.hex(Array(all.utf8) + Array(site.utf8)) }
            for file in files[site]?.nulls ?? [] {
                let data = (try? InputFile.readData(file).data) ?? Data()
                all = FNV1a.hex(Array(all.utf8) + [UInt8](data))
            }
        }
        dataHash = all
    }

    /// The paths a glob pattern matches, in byte order.
    static func expand(_ pattern: String) throws -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = glob(pattern, 0, nil, &matches)
        guard status == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(matches.gl_pathc) {
            if let p = matches.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public var trainedSeeds: Int { 1 }
    public func sites(for claim: ClaimSpec) -> [String] { AuditPlan.sites(for: claim, in: spec) }
    public var modelDescription: String {
        let sites = files.keys.sorted()
        let first = sites.first.flatMap { trainedActivations[$0] }
        let shape = first.map { "\($0.shape[0]) rows" } ?? ""
        if sites == [Self.site], let a = first {
            return "activations supplied from files: trained \(trainedFile) (\(a.shape[0]) rows × \(a.shape[1]) features), \(nullFiles.count) null models"
        }
        let widths = sites.map { "\($0) (\(trainedActivations[$0]?.shape[1] ?? 0) features)" }.joined(separator: ", ")
        return "activations supplied from files at \(sites.count) sites: \(widths); \(shape), \(files.values.first?.nulls.count ?? 0) null models"
    }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        if let drawn = try ActivationLevelNull.activations(unit, sites: sites, trainedSeeds: trainedSeeds, seed: spec.seed,
                                                           trained: activations) { return drawn }
        var out: [String: Tensor] = [:]
        for site in sites {
            guard let trained = trainedActivations[site], let siteFiles = files[site] else {
                throw AuditError("\(unit): no activation files for site '\(site)'")
            }
            switch unit {
            case .trained:
                out[site] = trained
            case .null(_, let k):
                guard siteFiles.nulls.indices.contains(k) else { throw AuditError("\(unit): no null file \(k) for site '\(site)'") }
                let file = siteFiles.nulls[k]
                let a = try ArrayInput.activations(file)
                guard a.shape[0] == trained.shape[0] else {
                    throw SpecError(file: file, field: "", "\(a.shape[0]) rows, but the trained activations have \(trained.shape[0]); every file must hold the same evaluation inputs")
                }
                guard a.shape[1] == trained.shape[1] else {
                    throw SpecError(file: file, field: "", "\(a.shape[1]) features per row, but the trained activations have \(trained.shape[1]); null models must share the architecture")
                }
                out[site] = a
            }
        }
        return out
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        guard let target = targets[claim.name] else { throw AuditError("no labels for claim \(claim.name)") }
        return try ProbeData(activations: activations, target: target, types: types[claim.name])
    }
}
