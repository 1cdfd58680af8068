import Foundation
import SalmonMethods

/// A probe claim's target and control types, read from the files a user brings
/// (`claims[].target`, `claims[].controlTypes`; `.npy`, `.npz#name` or `safetensors#name`).
///
/// Claims that need class labels (``ClaimRequirement/classLabels``: logistic and MLP probes,
/// PCA–label correlation) read integers, renumbered densely (``denseIDs(_:)``); claims that need
/// real-valued targets (the ridge probe) read real values, whose R² is undefined when they are
/// constant, so a constant target is refused here rather than in every null model.
struct ClaimTargetFile {
    var target: ProbeData.Target
    var types: [Int]?
    /// Every value read, exactly, for the data hash: labels and types as Float32 (integers below
    /// 2²⁴ are exact), real targets as the two halves of their Float64 bit patterns.
    var hashed: [Float]

    /// - Parameters:
    ///   - claim: a claim that reads class labels or real-valued targets.
    ///   - rows: the rows every file must have, one per evaluation input.
    ///   - rowsSource: what the rows are, for messages ("activation rows in a.npy", "input rows").
    ///   - resolve: the path of a file named in the spec (relative to the spec's folder).
    /// - Throws: ``SpecError`` or `InputError` naming the file and what was expected.
    init(claim: ClaimSpec, rows: Int, of rowsSource: String, resolve: (String) -> String) throws {
        let file = resolve(claim.target)
        // `label`, `concept:N`, `feature:N`, `operand:N` and `fourier:N` name a built-in task's targets; here the targets come
        // from a file, and reading `label` as a path would report a missing file the user never named.
        let builtIn = claim.target == "label" || ["concept:", "feature:", "operand:", "fourier:"].contains { claim.target.hasPrefix($0) && Int(claim.target.dropFirst($0.count)) != nil }
        if builtIn && !FileManager.default.fileExists(atPath: file) {
            let what = claim.requirements.contains(.realValuedTargets) ? "real-valued targets" : "class labels"
            throw SpecError(field: "claims.\(claim.name).target",
                            "expected a file of \(what) (.npy, .npz#NAME or .safetensors#NAME, one per row) for a model that is not a built-in task, found '\(claim.target)'\(claim.target == "label" ? " (the default when target is not given; it names a built-in task's labels)" : " (a built-in task's target)")")
        }
        if claim.requirements.contains(.realValuedTargets) {
            let values = try ArrayInput.reals(file, what: "targets")
            guard values.count == rows else {
                throw SpecError(file: file, field: "", "\(values.count) targets for \(rows) \(rowsSource); expected one target per row")
            }
            guard let first = values.first, values.contains(where: { $0 != first }) else {
                throw SpecError(file: file, field: "", "every target is \(values.first ?? 0); a ridge probe's R² needs targets that vary")
            }
            target = .continuous(values)
            hashed = values.flatMap { v in
                [Float(bitPattern: UInt32(truncatingIfNeeded: v.bitPattern)), Float(bitPattern: UInt32(truncatingIfNeeded: v.bitPattern >> 32))]
            }
        } else {
            let labels = try ArrayInput.integers(file, what: "labels")
            guard labels.count == rows else {
                throw SpecError(file: file, field: "", "\(labels.count) labels for \(rows) \(rowsSource); expected one label per row")
            }
            let (ids, classes) = denseIDs(labels)
            guard classes >= 2 else {
                throw SpecError(file: file, field: "", "every label is \(labels.first ?? 0); a probe needs at least two classes")
            }
            target = .classes(ids, count: classes)
            hashed = labels.map(Float.init)
        }
        if let typesFile = claim.controlTypes.map(resolve) {
            let t = try ArrayInput.integers(typesFile, what: "control types")
            guard t.count == rows else {
                throw SpecError(file: typesFile, field: "", "\(t.count) control types for \(rows) \(rowsSource); expected one per row")
            }
            types = t
            hashed += t.map(Float.init)
        } else {
            types = nil
        }
    }

    /// Every target file of `spec`'s claims that read labels or real-valued targets, keyed by claim.
    /// - Parameters:
    ///   - typesRefusal: what the subject says of control types (nil when it takes them: refused
    ///     otherwise, naming the claim's `controlTypes`).
    /// - Returns: targets and control types by claim, and every value read for the data hash.
    static func targets(of spec: AuditSpec, rows: Int, of rowsSource: String, typesRefusal: String?,
                        resolve: (String) -> String) throws -> (targets: [String: ProbeData.Target], types: [String: [Int]], hashed: [Float]) {
        var targets: [String: ProbeData.Target] = [:], types: [String: [Int]] = [:]
        var hashed: [Float] = []
        for claim in spec.claims where !claim.requirements.isDisjoint(with: [.classLabels, .realValuedTargets]) {
            let read = try ClaimTargetFile(claim: claim, rows: rows, of: rowsSource, resolve: resolve)
            if read.types != nil, let typesRefusal {
                throw SpecError(field: "claims.\(claim.name).controlTypes", typesRefusal)
            }
            targets[claim.name] = read.target
            types[claim.name] = read.types
            hashed += read.hashed
        }
        return (targets, types, hashed)
    }
}
