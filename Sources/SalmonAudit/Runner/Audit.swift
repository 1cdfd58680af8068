import Foundation
import SalmonNetworks

/// The audit as one call: spec → subject → units (parallel, resumable, sharded) → result.
public enum Audit {
    /// The subject a spec describes. Relative paths in the spec resolve against `specDirectory`.
    public static func subject(for spec: AuditSpec, specDirectory: String, jobs: Int) throws -> any AuditSubject {
        if spec.model.activations != nil { return try ActivationSubject(spec: spec, baseDirectory: specDirectory) }
        if spec.model.stateDict != nil { return try NetworkSubject(fileSpec: spec, baseDirectory: specDirectory) }
        return try NetworkSubject(spec: spec, jobs: jobs)
    }

    /// Runs every unit of the audit (or one shard's) and, for a whole run, assembles the result.
    /// - Returns: the records and, unless sharded, the result.
    public static func run(spec: AuditSpec, subject: any AuditSubject, jobs: Int, shard: Shard = .whole,
                           store: RecordStore? = nil, resume: Bool = false,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> (result: AuditResult?, outcome: AuditRunner.Outcome) {
        let runner = AuditRunner(spec: spec, subject: subject, jobs: jobs, shard: shard, store: store, resume: resume, progress: progress)
        let outcome = try await runner.run()
        guard shard.count == 1 else { return (nil, outcome) }
        let result = try AuditAssembler.assemble(spec: spec, records: outcome.records, model: subject.modelDescription,
                                                 dataHash: subject.dataHash, evaluationHash: subject.evaluationHash, jobs: jobs)
        return (result, outcome)
    }
}
