import Foundation
import SalmonNetworks

/// The audit as one call: spec → subject → units (parallel, resumable, sharded) → result.
public enum Audit {
    /// The subject a spec describes. Relative paths in the spec resolve against `specDirectory`.
    /// Activation files, a state dict (an MLP, a GPT-2-layout transformer or a BERT encoder, as its
    /// architecture says), or a built-in task (a transformer for a sequence task, else an MLP).
    public static func subject(for spec: AuditSpec, specDirectory: String, jobs: Int) throws -> any AuditSubject {
        let subject = try unchecked(for: spec, specDirectory: specDirectory, jobs: jobs)
        if let file = spec.model.referenceOutputs {
            try ReferenceOutputs.check(subject, file: file.hasPrefix("/") ? file : specDirectory + "/" + file)
        }
        return subject
    }

    /// The subject, before its reference outputs (if any) are checked.
    static func unchecked(for spec: AuditSpec, specDirectory: String, jobs: Int) throws -> any AuditSubject {
        if spec.model.activations != nil { return try ActivationSubject(spec: spec, baseDirectory: specDirectory) }
        if spec.model.maps != nil { return try AttributionMapSubject(spec: spec, baseDirectory: specDirectory) }
        if let files = spec.model.stateDict, let architecture = spec.model.architecture {
            func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : specDirectory + "/" + p }
            if HuggingFaceConfiguration.modelType(path: resolve(architecture)) == "bert" {
                if spec.model.counterfactuals != nil || spec.model.trainingInputs != nil || spec.model.referenceOutputs != nil {
                    let field = spec.model.counterfactuals != nil ? "model.counterfactuals" : spec.model.trainingInputs != nil ? "model.trainingInputs" : "model.referenceOutputs"
                    throw SpecError(file: resolve(architecture), field: field, "applies to a GPT-2-layout transformer or an MLP; a BERT checkpoint is audited on its activations")
                }
                let encoders = try files.paths.map { try BertCheckpoint.load(path: resolve($0), configPath: resolve(architecture)) }
                return try EncoderSubject(fileSpec: spec, loaded: encoders, architecture: architecture, baseDirectory: specDirectory)
            }
            let loaded = try files.paths.map { try StateDict.load(path: resolve($0), architecturePath: resolve(architecture)) }
            let mlps = loaded.compactMap { if case .mlp(let m) = $0 { return m } else { return nil } }
            let transformers = loaded.compactMap { if case .transformer(let t) = $0 { return t } else { return nil } }
            if transformers.count != loaded.count,
               let field = [("model.text", spec.model.text), ("model.tokenizer", spec.model.tokenizer), ("model.truncation", spec.model.truncation),
                            ("model.pooling", spec.model.pooling)].first(where: { $0.1 != nil })?.0 {
                throw SpecError(file: resolve(architecture), field: field, "applies to a checkpoint of token sequences (a BERT or GPT-2 config.json); this architecture is not one")
            }
            if spec.model.counterfactuals != nil && transformers.count != loaded.count {
                throw SpecError(file: resolve(architecture), field: "model.counterfactuals", "clean/corrupted pairs apply to a transformer (architecture type gpt2); this architecture is not one")
            }
            if mlps.count == loaded.count { return try NetworkSubject(fileSpec: spec, loaded: mlps, baseDirectory: specDirectory) }
            let cnns = loaded.compactMap(ConvNet.loaded)
            if cnns.count == loaded.count { return try ConvNetSubject(fileSpec: spec, loaded: cnns, baseDirectory: specDirectory) }
            if transformers.count == loaded.count {
                return try TransformerSubject(fileSpec: spec, loaded: transformers, baseDirectory: specDirectory)
            }
            throw SpecError(field: "model.stateDict", "the state dicts of one audit are trained seeds of one architecture")
        }
        if spec.model.transformer != nil { return try TransformerSubject(spec: spec, jobs: jobs) }
        if spec.model.convolutions != nil { return try ConvNetSubject(spec: spec, jobs: jobs) }
        return try NetworkSubject(spec: spec, jobs: jobs)
    }

    /// Runs the trained units only and tests them against a baseline's stored null distributions
    /// (`salmon audit --baseline`): no null model is computed.
    /// - Throws: ``SpecError`` when the baseline was recorded from another spec or evaluation data.
    public static func run(spec: AuditSpec, subject: any AuditSubject, against baseline: Baseline, jobs: Int, store: RecordStore? = nil,
                           resume: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> AuditResult {
        try baseline.requireCompatible(spec, evaluationHash: subject.evaluationHash, source: "spec")
        let runner = AuditRunner(spec: spec, subject: subject, jobs: jobs, store: store, resume: resume, progress: progress, trainedOnly: true)
        let outcome = try await runner.run()
        return try AuditAssembler.assemble(spec: spec, records: outcome.records, model: subject.modelDescription,
                                           dataHash: subject.dataHash, evaluationHash: subject.evaluationHash, jobs: jobs, baseline: baseline)
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
