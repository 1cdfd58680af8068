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
        try ReportDirectory.requireOutputDirectory(out)
        let (data, source) = try InputFile.readData(results)
        struct Header: Decodable { var schema: String? }
        if (try? JSONDecoder().decode(Header.self, from: data))?.schema?.hasPrefix("deadsalmon.identifiability-result/") == true {
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
        try ReportDirectory.requireOutputDirectory(out)
        guard !shards.isEmpty else { throw UsageError(option: "SHARD", expected: "at least one shard directory") }
        let (result, records) = try ShardManifest.merge(shards)
        let store = try recordStore(in: out)
        for r in records { try store.save(r) }
        try writeReports(result, to: out)
        try exitForClaims(result)
    }
}
