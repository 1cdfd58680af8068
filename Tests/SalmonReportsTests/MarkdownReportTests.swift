import Foundation
import Testing
import SalmonAudit
@testable import SalmonReports

@Suite struct MarkdownReportTests {
    @Test func summaryTableHasARowPerTest() throws {
        let result = try ReportFixture.result()
        let markdown = MarkdownReport.render(result)
        #expect(markdown.hasPrefix("# DeadSalmon audit: planted \\<concepts> & \"probes\"\n"))
        #expect(markdown.contains("**1 of 2 claims holds**"))
        #expect(markdown.contains("1 is distinguishable from the null, 1 is a dead salmon (not distinguishable) and 1 is inconclusive"))
        #expect(markdown.contains(result.model))
        let rows = [
            "| label-concept | layers.0.post | random-init | accuracy | 0.974 [0.962, 0.984] | 0.518 [0.501, 0.535] | 0.001 | 0.003 | +0.456 | +42.70 | **distinguishable** |",
            "| label-concept | layers.0.post | moment-redraw | accuracy | 0.500 [0.490, 0.510] | 0.500 [0.500, 0.500] | 1 | 1 | 0.000 | — | *dead salmon* |",
            "| shuffled-control | blocks.0/mlp out | random-init | controlAccuracy | 0.610 [—] | 0.610 [0.526, 0.692] | 0.6 | 1 | 0.000 | 0.00 | *inconclusive* |",
        ]
        for row in rows { #expect(markdown.contains(row + "\n")) }
    }

    @Test func claimsFiguresAndMethods() throws {
        let result = try ReportFixture.result()
        let markdown = MarkdownReport.render(result)
        #expect(markdown.contains("- **fails**: `label-concept` at `layers.0.post` (expects distinguishable): "))
        #expect(markdown.contains("- **holds**: `shuffled-control` at `blocks.0/mlp out` (expects a dead salmon): "))
        #expect(markdown.contains("](figures/label-concept_layers.0.post_random-init.svg)"))
        #expect(markdown.contains("](figures/label-concept_layers.0.post_moment-redraw.svg)"))
        #expect(markdown.contains("](figures/shuffled-control_blocks.0_mlp_out_random-init.svg)"))
        #expect(markdown.contains("> A test is *distinguishable* when its Monte Carlo p-value (1 + b)/(1 + K), adjusted by holm across all 3 tests of the audit, is at most α = 0.05"))
        #expect(markdown.contains("| " + ReportFixture.inconclusiveReason + " |"))
        #expect(markdown.contains("Holm correction (controls the FWER) across all 3 tests"))
        #expect(markdown.contains("BCa 95 % bootstrap intervals from B = 2000 resamples"))
        #expect(markdown.contains("(1 + b) / (1 + K)"))
        #expect(markdown.contains("Clopper–Pearson"))
        #expect(markdown.contains("| spec hash | \(ReportFixture.specHash) |"))
        #expect(markdown.contains("| data hash (data, weights, activations) | sha256:da7a |"))
        #expect(markdown.contains("| evaluation data hash (inputs, labels, types) | e7a1 |"))
        #expect(markdown.contains("| master seed | 18446744073709551615 |"))
        #expect(markdown.contains("| random-number generator | xoshiro256** |"))
        #expect(markdown.contains("| stream derivation | SplitMix64 over (seed, label path) |"))
        #expect(markdown.contains("- moment-redraw has K = 9 null models only"))
        #expect(!markdown.contains("### Baseline"))
    }

    @Test func absentValuesAreDashesNeverNaN() throws {
        var result = try ReportFixture.result()
        result.tests[2].null.standardDeviation = .nan
        result.tests[2].interval = ConfidenceIntervalFixture.undetermined
        let markdown = MarkdownReport.render(result)
        #expect(markdown.contains("—"))
        let words = markdown.lowercased().split(whereSeparator: { !$0.isLetter })
        #expect(!words.contains("nan"))
        #expect(!words.contains("inf"))
    }

    @Test func figureDirectoryAndBaseline() throws {
        var result = try ReportFixture.result()
        result.baseline = try JSONDecoder().decode(BaselineReference.self, from: Data(#"{"name": "planted-v1", "specHash": "sha256:b45e", "recordedDataHash": "sha256:da7a"}"#.utf8))
        let markdown = MarkdownReport.render(result, figureDirectory: "")
        #expect(markdown.contains("](label-concept_layers.0.post_random-init.svg)"))
        #expect(markdown.contains("### Baseline"))
        #expect(markdown.contains("`planted-v1`"))
    }
}
