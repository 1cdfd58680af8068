import Testing

/// The random options every resampling snapshot uses: fixed seed, few resamples, two workers.
private let random = ["--seed", "7", "--resamples", "999", "--jobs", "2"]

/// Each command's stdout on the committed inputs, byte for byte. Regenerate with
/// `SALMON_UPDATE_SNAPSHOTS=1 swift test --filter SalmonCLITests` (that run records an issue per
/// snapshot written, so it never passes) and check the new numbers against the reference
/// implementations before committing them.
@Suite("CLI snapshots")
struct SnapshotTests {
    static let methods = ["bonferroni", "sidak", "holm", "holm-sidak", "hochberg", "hommel", "bh", "by"]
    static let statistics = ["mean", "median", "std", "var", "trimmed-mean"]
    static let intervals = ["percentile", "basic", "bca"]
    static let alternatives = ["greater", "less", "two-sided"]

    // MARK: adjust

    @Test(arguments: methods)
    func adjust(method: String) {
        checkSnapshot("adjust-\(method).csv", ["adjust", "--method", method, "pvalues.txt"])
    }

    @Test func adjustJSON() {
        checkSnapshot("adjust-bh.json", ["adjust", "--method", "bh", "--alpha", "0.1", "--format", "json", "pvalues.txt"])
    }

    // MARK: bootstrap

    @Test(arguments: statistics, intervals)
    func bootstrap(statistic: String, interval: String) {
        checkSnapshot("bootstrap-\(statistic)-\(interval).csv",
                      ["bootstrap", "--statistic", statistic, "--interval", interval] + random + ["a.txt"])
    }

    @Test func bootstrapJSONFromACSVColumn() {
        checkSnapshot("bootstrap-accuracy-bca.json",
                      ["bootstrap", "--column", "accuracy", "--level", "0.9", "--format", "json"] + random + ["scores.csv"])
    }

    // MARK: permutation-test

    @Test(arguments: ["csv", "json"])
    func permutationIndependent(format: String) {
        checkSnapshot("permutation-independent.\(format)",
                      ["permutation-test", "--format", format] + random + ["a.txt", "b.txt"])
    }

    @Test(arguments: ["csv", "json"])
    func permutationPaired(format: String) {
        checkSnapshot("permutation-paired.\(format)",
                      ["permutation-test", "--paired", "--alternative", "greater", "--format", format] + random
                          + ["a.txt", "b.txt"])
    }

    /// C(12, 6) = 924 ≤ 999 arrangements: every one is enumerated and the p-value is exact.
    @Test func permutationExactIndependent() {
        checkSnapshot("permutation-exact-independent.csv",
                      ["permutation-test"] + random + ["small_x.txt", "small_y.txt"])
    }

    /// 2⁶ = 64 sign patterns: exact.
    @Test func permutationExactPaired() {
        checkSnapshot("permutation-exact-paired.json",
                      ["permutation-test", "--paired", "--format", "json"] + random + ["small_x.txt", "small_y.txt"])
    }

    // MARK: compare

    @Test(arguments: alternatives, ["csv", "json"])
    func compare(alternative: String, format: String) {
        checkSnapshot("compare-\(alternative).\(format)",
                      ["compare", "--observed", "observed.txt", "--null", "null.txt", "--alternative", alternative,
                       "--format", format])
    }

    // MARK: Worker count

    /// Results must not depend on the number of worker threads.
    @Test(arguments: [
        ["bootstrap", "--statistic", "median", "--interval", "bca", "a.txt"],
        ["bootstrap", "--statistic", "std", "--interval", "percentile", "--format", "json", "b.txt"],
        ["permutation-test", "a.txt", "b.txt"],
        ["permutation-test", "--paired", "a.txt", "b.txt"],
    ])
    func jobsDoNotChangeTheOutput(command: [String]) throws {
        var outputs: [String] = []
        for jobs in ["1", "2", "3"] {
            let run = runSalmon(command + ["--seed", "11", "--resamples", "999", "--jobs", jobs])
            try #require(run.status == 0, "--jobs \(jobs): \(run.stderr)")
            outputs.append(run.stdout)
        }
        #expect(Array(outputs[0].utf8) == Array(outputs[1].utf8), "--jobs 1 and --jobs 2 differ")
        #expect(Array(outputs[0].utf8) == Array(outputs[2].utf8), "--jobs 1 and --jobs 3 differ")
    }

    /// The seed is the only source of randomness: another seed gives other replicates.
    @Test func seedChangesTheOutput() throws {
        let base = ["bootstrap", "--resamples", "999", "--jobs", "1", "a.txt"]
        let seven = runSalmon(base + ["--seed", "7"]), eight = runSalmon(base + ["--seed", "8"])
        try #require(seven.status == 0 && eight.status == 0)
        #expect(seven.stdout != eight.stdout)
        #expect(seven.stdout == runSalmon(base + ["--seed", "7"]).stdout)
    }
}
