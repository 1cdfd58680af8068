import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks

/// Attribution maps computed elsewhere (`model.maps`, `salmon attribution`): trained network s is
/// the s-th trained file, null model k of the family `supplied` the k-th null file (a list, or a
/// glob expanded in byte order). There is no network and no activation; claims read the maps
/// (``SuppliedMapsFamily``).
///
/// Every file is checked when it is read: maps of trained network 0's shape (the same inputs in the
/// same order), finite values (a NaN is reported with its file, index, row and feature). The
/// trained files are read here; a null file when its unit needs it, and once here for the data hash.
public struct AttributionMapSubject: AuditSubject {
    public let spec: AuditSpec
    public let trainedFiles: [String]
    public let nullFiles: [String]
    let trained: [(values: [Double], shape: [Int], source: String)]
    public let dataHash: String
    public let evaluationHash: String

    /// Reads the trained maps and expands the null files. Relative paths resolve against `baseDirectory`.
    /// - Throws: ``SpecError`` or ``InputError`` naming the file or field.
    public init(spec: AuditSpec, baseDirectory: String = ".") throws {
        guard let declared = spec.model.maps else { throw SpecError(field: "model.maps", "missing") }
        func resolve(_ p: String) -> String { p.hasPrefix("/") || baseDirectory == "." ? p : baseDirectory + "/" + p }
        self.spec = spec
        trainedFiles = declared.trained.map(resolve)
        switch declared.nulls {
        case .list(let l): nullFiles = l.map(resolve)
        case .pattern(let p):
            let literal = { (s: String) in s.map { "*?[]\\".contains($0) ? "\\\($0)" : String($0) }.joined() }
            nullFiles = try ActivationSubject.expand(p.hasPrefix("/") || baseDirectory == "." ? p : literal(baseDirectory) + "/" + p)
            guard !nullFiles.isEmpty else { throw SpecError(field: "model.maps.nulls", "the glob '\(p)' matches no file") }
        }
        if let k = spec.nulls.first(where: { $0.family == NullSpec.Family.supplied.rawValue })?.K, k != nullFiles.count {
            throw SpecError(field: "nulls[0].K", "expected K = \(nullFiles.count), the number of null map files, found \(k)")
        }
        let first = try ArrayInput.attributionMaps(trainedFiles[0])
        try Self.requireVarying(first)
        var trained = [first]
        for file in trainedFiles.dropFirst() { trained.append(try Self.read(file, like: first)) }
        self.trained = trained
        evaluationHash = FNV1a.hex(floats: first.values.map(Float.init))
        var all = FNV1a.hex(floats: trained.flatMap { $0.values.map(Float.init) })
        for file in nullFiles {
            let data = (try? InputFile.readData(file).data) ?? Data()
            all = FNV1a.hex(Array(all.utf8) + [UInt8](data))
        }
        dataHash = all
    }

    /// The maps in `file`, which must have the shape of `anchor` (trained network 0's).
    static func read(_ file: String, like anchor: (values: [Double], shape: [Int], source: String)) throws -> (values: [Double], shape: [Int], source: String) {
        let maps = try ArrayInput.attributionMaps(file)
        guard maps.shape == anchor.shape else {
            throw InputError(file: maps.source, expected: "maps of the trained maps' shape \(anchor.shape) (same inputs, same order), found \(maps.shape)")
        }
        try requireVarying(maps)
        return maps
    }

    /// Refuses a file whose every map is constant: the similarity of a constant map is undefined
    /// (no ranks, no direction) on every input, and counting all of them as 0 would make a
    /// constant null file look like a perfect randomization and a constant trained file like no
    /// agreement. A file with some constant maps is read; those inputs count as 0 and are named in
    /// the report's notes.
    static func requireVarying(_ maps: (values: [Double], shape: [Int], source: String)) throws {
        guard let rows = maps.shape.first, rows > 0, maps.values.count % rows == 0 else { return }
        let width = maps.values.count / rows
        for r in 0..<rows {
            let row = maps.values[(r * width)..<((r + 1) * width)]
            if let first = row.first, row.contains(where: { $0 != first }) { return }
        }
        throw InputError(file: maps.source, expected: "maps that vary: every one of its \(rows) maps is constant, so its similarity to any map is undefined")
    }

    public var trainedSeeds: Int { trained.count }
    public func sites(for claim: ClaimSpec) -> [String] { [AttributionMapFiles.site] }
    public var modelDescription: String {
        let shape = trained[0].shape
        return "attribution maps supplied from files: trained \(trainedFiles.joined(separator: ", ")) (\(shape[0]) inputs, maps of shape \(shape.dropFirst().map(String.init).joined(separator: " × "))), \(nullFiles.count) null models"
    }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        guard sites.isEmpty else { throw AuditError("\(unit): supplied maps have no activations") }
        return [:]
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        throw AuditError("claim \(claim.name): supplied maps have no activations to probe")
    }

    public func attributionMaps(_ unit: AuditUnit) throws -> (values: [Double], shape: [Int], source: String) {
        switch unit {
        case .trained(let s):
            guard trained.indices.contains(s) else { throw AuditError("\(unit): no trained map file \(s)") }
            return trained[s]
        case .null(_, let k):
            guard nullFiles.indices.contains(k) else { throw AuditError("\(unit): no null map file \(k)") }
            return try Self.read(nullFiles[k], like: trained[0])
        }
    }
}
