import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks

/// Activations exported from any framework (`salmon probe`): the trained model's activation
/// matrix and one per null model (family `supplied`), all on the same evaluation inputs, with the
/// labels (and optionally control types) as arrays. The single site is called `activations`.
///
/// Files are read when a unit needs them (null model k reads only its own file), and each is
/// checked: a 2-D array with the trained file's shape and finite values — a NaN or ±Inf is
/// reported with its file and first index.
public struct ActivationSubject: AuditSubject {
    public static let site = "activations"

    public let spec: AuditSpec
    public let trainedFile: String
    public let nullFiles: [String]
    let trainedActivations: Tensor
    let targets: [String: ProbeData.Target]
    let types: [String: [Int]]
    public let dataHash: String
    public let evaluationHash: String

    /// Reads the trained activations and each claim's labels (`target`) and control types, and
    /// checks that their row counts agree. Relative paths resolve against `baseDirectory`. The
    /// null files are read once here for the data hash (so that records made from other files are
    /// never reused) and again by their units.
    public init(spec: AuditSpec, baseDirectory: String = ".") throws {
        guard let files = spec.model.activations else { throw SpecError(field: "model.activations", "missing") }
        func resolve(_ p: String) -> String { p.hasPrefix("/") || baseDirectory == "." ? p : baseDirectory + "/" + p }
        self.spec = spec
        trainedFile = resolve(files.trained)
        nullFiles = files.nulls.map(resolve)
        trainedActivations = try ArrayInput.activations(trainedFile)
        let rows = trainedActivations.shape[0]
        var targets: [String: ProbeData.Target] = [:], types: [String: [Int]] = [:]
        var hashed = trainedActivations.scalars
        for claim in spec.claims where !claim.requirements.isDisjoint(with: [.classLabels, .realValuedTargets]) {
            let read = try ClaimTargetFile(claim: claim, rows: rows, of: "activation rows in \(files.trained)", resolve: resolve)
            targets[claim.name] = read.target
            types[claim.name] = read.types
            hashed += read.hashed
        }
        self.targets = targets
        self.types = types
        evaluationHash = FNV1a.hex(floats: Array(hashed.dropFirst(trainedActivations.count)))
        var all = FNV1a.hex(floats: hashed)
        for file in nullFiles {
            let data = (try? InputFile.readData(file).data) ?? Data()
            all = FNV1a.hex(Array(all.utf8) + [UInt8](data))
        }
        dataHash = all
    }

    public var trainedSeeds: Int { 1 }
    public func sites(for claim: ClaimSpec) -> [String] { [Self.site] }
    public var modelDescription: String {
        "activations supplied from files: trained \(trainedFile) (\(trainedActivations.shape[0]) rows × \(trainedActivations.shape[1]) features), \(nullFiles.count) null models"
    }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        switch unit {
        case .trained:
            return [Self.site: trainedActivations]
        case .null(_, let k):
            let a = try ArrayInput.activations(nullFiles[k])
            guard a.shape[0] == trainedActivations.shape[0] else {
                throw SpecError(file: nullFiles[k], field: "", "\(a.shape[0]) rows, but the trained activations have \(trainedActivations.shape[0]); every file must hold the same evaluation inputs")
            }
            guard a.shape[1] == trainedActivations.shape[1] else {
                throw SpecError(file: nullFiles[k], field: "", "\(a.shape[1]) features per row, but the trained activations have \(trainedActivations.shape[1]); null models must share the architecture")
            }
            return [Self.site: a]
        }
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        guard let target = targets[claim.name] else { throw AuditError("no labels for claim \(claim.name)") }
        return try ProbeData(activations: activations, target: target, types: types[claim.name])
    }
}
