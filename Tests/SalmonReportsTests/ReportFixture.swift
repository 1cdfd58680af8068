import Foundation
import SalmonAudit
import SalmonStatistics

/// A hand-written audit result with three tests, one of each verdict, and two claim outcomes, one
/// failing. The engine that produces real results is tested in SalmonAuditTests; here the
/// numbers only need to exercise the renderers.
///
/// - `label-concept@layers.0.post~random-init`: distinguishable, 999 null draws, numbers with
///   many digits (to check exact round-trips).
/// - `label-concept@layers.0.post~moment-redraw`: dead salmon; a degenerate null (all draws
///   equal) and no standardized effect.
/// - `shuffled-control@blocks.0/mlp out~random-init`: inconclusive because K = 9 cannot reach α;
///   no interval; an interval method with a comma and quotes.
///
/// Verdicts carry only their structured basis; the prose below is what ``AuditProse`` must say.
enum ReportFixture {
    static let specHash = "sha256:5f1c0ffee0ddba11e5a1m0n00000000000000000000000000000000000000001"
    static let failingMessage = "label-concept at layers.0.post: accuracy 0.974 [0.962, 0.984] was expected to be distinguishable "
        + "from every null, but against moment-redraw it is dead-salmon (null median 0.5, p_adj = 1)"
    static let inconclusiveReason = "K = 9 null draws cannot reach α: even p = 1/(K+1) = 0.1 gives p_adj = 0.3 after holm over 3 tests"
    static let inconclusiveIntervalMethod = #"two-level bootstrap (1 seed × 40 inputs, "crossed"), B = 2000"#

    /// 999 null draws between 0.50 and 0.536.
    static let nullDraws: [Double] = (0..<999).map { 0.5 + 0.001 * Double(($0 * 7) % 37) }

    static var json: String {
        """
        {
          "schema": "deadsalmon.audit-result/2",
          "name": "planted <concepts> & \\"probes\\"",
          "spec": {
            "name": "planted-concepts",
            "model": {"task": "planted-concepts"},
            "claims": [{"name": "label-concept", "method": {"name": "logistic-probe"}}],
            "nulls": [{"family": "random-init", "K": 9}]
          },
          "model": "MLP 16→32→32→2 (relu) trained on planted-concepts, 1 seed",
          "provenance": {
            "package": "deadsalmon", "packageVersion": "0.1.0", "masterSeed": 18446744073709551615,
            "generator": "xoshiro256**", "streamDerivation": "SplitMix64 over (seed, label path)",
            "specHash": "\(specHash)", "dataHash": "sha256:da7a", "evaluationHash": "e7a1",
            "shards": 1, "nullModels": 1017, "trainedModels": 1
          },
          "policy": {
            "alpha": 0.05, "correction": "holm", "testCount": 3, "minimumEffect": 0, "requireSignificance": true,
            "interval": "bca", "level": 0.95, "bootstrapResamples": 2000
          },
          "tests": [
            {
              "id": "label-concept@layers.0.post~random-init", "claim": "label-concept", "site": "layers.0.post",
              "family": "random-init", "method": "logistic-probe", "statistic": "accuracy", "direction": "larger",
              "estimate": 0.97412345678901234, "trainedValues": [0.97412345678901234],
              "interval": {"lower": 0.9621, "upper": 0.98437, "level": 0.95}, "intervalMethod": "bca",
              "null": {"values": \(nullDraws), "modelsPerDraw": 1, "mean": 0.5178178178178178,
                       "standardDeviation": 0.010677078252031311, "median": 0.518, "lower": 0.5009, "upper": 0.5351},
              "pValue": 0.001, "pValueInterval": {"lower": 0, "upper": 0.0036821, "level": 0.95}, "extremeCount": 0,
              "adjustedPValue": 0.002997, "effect": {"difference": 0.45612345678901234, "standardized": 42.7, "auroc": 1},
              "verdict": "distinguishable", "basis": {"rule": "significant"}
            },
            {
              "id": "label-concept@layers.0.post~moment-redraw", "claim": "label-concept", "site": "layers.0.post",
              "family": "moment-redraw", "method": "logistic-probe", "statistic": "accuracy", "direction": "larger",
              "estimate": 0.5, "trainedValues": [0.5],
              "interval": {"lower": 0.49, "upper": 0.51, "level": 0.95}, "intervalMethod": "bca",
              "null": {"values": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], "modelsPerDraw": 1, "mean": 0.5,
                       "standardDeviation": 0, "median": 0.5, "lower": 0.5, "upper": 0.5},
              "pValue": 1, "pValueInterval": {"lower": 0.6637, "upper": 1, "level": 0.95}, "extremeCount": 9,
              "adjustedPValue": 1, "effect": {"difference": 0, "auroc": 0.5},
              "verdict": "dead-salmon", "basis": {"rule": "notSignificant"}
            },
            {
              "id": "shuffled-control@blocks.0/mlp out~random-init", "claim": "shuffled-control", "site": "blocks.0/mlp out",
              "family": "random-init", "method": "logistic-probe", "statistic": "controlAccuracy", "direction": "larger",
              "estimate": 0.61, "trainedValues": [0.61],
              "intervalMethod": "\(inconclusiveIntervalMethod.replacingOccurrences(of: "\"", with: "\\\""))",
              "null": {"values": [0.52, 0.55, 0.58, 0.6, 0.61, 0.63, 0.64, 0.66, 0.7], "modelsPerDraw": 1,
                       "mean": 0.6100000000000001, "standardDeviation": 0.05477225575051661, "median": 0.61,
                       "lower": 0.526, "upper": 0.692},
              "pValue": 0.6, "pValueInterval": {"lower": 0.2624, "upper": 0.8784, "level": 0.95}, "extremeCount": 5,
              "adjustedPValue": 1, "effect": {"difference": 0, "standardized": -1.2e-15, "auroc": 0.5},
              "verdict": "inconclusive", "basis": {"rule": "unreachable", "bestAdjustedPValue": 0.3}
            }
          ],
          "claims": [
            {"claim": "label-concept", "site": "layers.0.post", "expectation": "distinguishable", "holds": false,
             "testIDs": ["label-concept@layers.0.post~random-init", "label-concept@layers.0.post~moment-redraw"],
             "failingTestIDs": ["label-concept@layers.0.post~moment-redraw"]},
            {"claim": "shuffled-control", "site": "blocks.0/mlp out", "expectation": "null", "holds": true,
             "testIDs": ["shuffled-control@blocks.0/mlp out~random-init"], "failingTestIDs": []}
          ],
          "notes": ["moment-redraw has K = 9 null models only"]
        }
        """
    }

    static func result() throws -> AuditResult {
        try JSONDecoder().decode(AuditResult.self, from: Data(json.utf8))
    }

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("salmon-reports-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every file below `directory`, as paths relative to it, sorted.
    static func files(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var out: [String] = []
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(name)
            }
        }
        return out.sorted()
    }
}
