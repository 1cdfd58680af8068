import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon report RESULTS.json --out DIR`: re-renders every report from a results file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render report.md, figures, results.csv and junit.xml from a results.json (of an audit or an identifiability audit)."
    )

    @Argument(help: "A results.json written by 'salmon audit'.")
    var results: String

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        let (data, source) = try InputFile.readData(results)
        struct Header: Decodable { var schema: String? }
        if (try? JSONDecoder().decode(Header.self, from: data))?.schema == IdentifiabilityAuditResult.schemaIdentifier {
            let result = try IdentifiabilityAuditResult.read(data, source: source)
            try IdentifiabilityAuditWriter.write(result, to: out)
            emit("\(result.claims.filter(\.holds).count) of \(result.claims.count) claims hold\nreports: \(out)/report.md, results.csv, networks.csv, results.json, junit.xml\n")
            return
        }
        let result = try AuditResult.read(data, source: source)
        try writeReports(result, to: out)
    }
}

/// `salmon merge SHARD... --out DIR`: combines shard outputs into the result of one run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the output directories of 'salmon audit --shard i/n' runs into one result.",
        discussion: "The merged result is identical to a single run of the same spec. Exit codes as 'salmon audit'."
    )

    @Argument(help: "Shard output directories.")
    var shards: [String]

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        guard !shards.isEmpty else { throw UsageError(option: "SHARD", expected: "at least one shard directory") }
        var manifests: [ShardManifest] = []
        var records: [UnitRecord] = []
        for directory in shards {
            let path = directory + "/shard.json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(file: path, expected: "a shard manifest written by 'salmon audit --shard'")
            }
            guard let manifest = try? CanonicalSpecDecoding.jsonDecoder().decode(ShardManifest.self, from: data), manifest.format == ShardManifest.format else {
                throw InputError(file: path, expected: "a shard manifest (\(ShardManifest.format))")
            }
            manifests.append(manifest)
            records += try recordStore(in: directory).loadAll().filter { $0.specHash == manifest.specHash }
        }
        guard let first = manifests.first else { return }
        for (m, directory) in zip(manifests, shards) where m.specHash != first.specHash {
            throw InputError(file: directory + "/shard.json", expected: "a shard of the same spec (hash \(first.specHash)), found \(m.specHash)")
        }
        guard manifests.allSatisfy({ $0.dataHash == first.dataHash }) else {
            throw InputError(file: shards.joined(separator: ", "), expected: "shards computed on the same data (their data hashes differ)")
        }
        let result = try AuditAssembler.assemble(spec: first.spec, records: records, model: first.model, dataHash: first.dataHash,
                                                 evaluationHash: first.evaluationHash, jobs: first.jobs, shards: first.shard.count)
        let store = recordStore(in: out)
        for r in records { try store.save(r) }
        try writeReports(result, to: out)
        try exitForClaims(result)
    }
}
