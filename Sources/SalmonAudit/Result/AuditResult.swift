import Foundation
import SalmonStatistics

/// Everything an audit found, in one value from which every report is rendered: for each test
/// (claim × site × null family) the trained estimate with its interval, the whole null
/// distribution, the Monte Carlo p-value with its own interval, the adjusted p-value, effect
/// sizes and the verdict; per claim at each site whether it holds; and the provenance needed to
/// reproduce it byte for byte.
public struct AuditResult: Sendable, Codable, Equatable {
    /// The JSON schema identifier; bumped on any incompatible change.
    public static let schemaIdentifier = "deadsalmon.audit-result/2"

    public var schema: String
    public var name: String
    public var spec: AuditSpec
    public var model: String
    public var provenance: Provenance
    public var policy: Policy
    public var tests: [TestResult]
    public var claims: [ClaimOutcome]
    /// Set when the nulls came from a stored baseline instead of being computed.
    public var baseline: BaselineReference?
    public var notes: [String]
    /// How this run was carried out (written to `run.json`, not to `results.json`); nil for a
    /// result read back from `results.json`.
    public var run: RunEnvironment?

    enum CodingKeys: String, CodingKey {
        case schema, name, spec, model, provenance, policy, tests, claims, baseline, notes
    }

    /// Whether every claim holds (the CI gate's exit 0).
    public var allClaimsHold: Bool { claims.allSatisfy(\.holds) }

    public init(name: String, spec: AuditSpec, model: String, provenance: Provenance, policy: Policy, tests: [TestResult],
                claims: [ClaimOutcome], baseline: BaselineReference? = nil, notes: [String] = [], run: RunEnvironment? = nil) {
        self.schema = Self.schemaIdentifier
        self.name = name
        self.spec = spec
        self.model = model
        self.provenance = provenance
        self.policy = policy
        self.tests = tests
        self.claims = claims
        self.baseline = baseline
        self.notes = notes
        self.run = run
    }
}

/// How the result can be reproduced (DESIGN.md, "Provenance").
public struct Provenance: Sendable, Codable, Equatable {
    public var package: String
    public var packageVersion: String
    public var masterSeed: UInt64
    public var generator: String
    public var streamDerivation: String
    public var specHash: String
    public var dataHash: String
    /// The hash of the evaluation data alone (inputs, labels, control types): a baseline gates
    /// only results with the same.
    public var evaluationHash: String
    /// Worker threads, BLAS threads and shards: nil in results since `run.json` holds them
    /// (``RunEnvironment``); read from baselines recorded before.
    public var jobs: Int?
    public var blasThreadsPerWorker: Int?
    public var shards: Int?
    public var nullModels: Int
    public var trainedModels: Int
}

/// The significance policy and the verdict rule, stated in every report.
public struct Policy: Sendable, Codable, Equatable {
    public var alpha: Double
    public var correction: MultipleTestingMethod
    public var testCount: Int
    public var minimumEffect: Double
    public var requireSignificance: Bool
    public var interval: BootstrapInterval
    public var level: Double
    public var bootstrapResamples: Int
}

/// The verdict of one test.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// The trained network's statistic exceeds its null distribution (adjusted p ≤ α, effect ≥ minimum).
    case distinguishable
    /// Not distinguishable, and no value of the p-value within its Monte Carlo interval would change that.
    case deadSalmon = "dead-salmon"
    /// Not distinguishable, but more null models could change the verdict (including K too small
    /// for any p-value to reach α after correction).
    case inconclusive
}

/// The null distribution of a test.
public struct NullDistribution: Sendable, Codable, Equatable {
    /// Every null draw, in null-model order (grouped means of K_t models when K_t > 1).
    public var values: [Double]
    /// Null models averaged into each draw (K_t).
    public var modelsPerDraw: Int
    public var mean: Double
    public var standardDeviation: Double
    public var median: Double
    /// The 2.5 % and 97.5 % quantiles (type 7).
    public var lower: Double
    public var upper: Double
}

/// Effect sizes of the trained estimate against its null.
public struct EffectSizes: Sendable, Codable, Equatable {
    /// Estimate − null median (in the statistic's units; for a statistic where smaller means more
    /// structure, negative means more structure than the null).
    public var difference: Double
    /// (estimate − null mean) / null sd, signed likewise; nil when the null has no spread.
    public var standardized: Double?
    /// P(trained > null) + ½ P(tie) over the trained seeds' values and the individual null models' values.
    public var auroc: Double
}

/// One test: one claim at one site against one null family.
public struct TestResult: Sendable, Codable, Equatable {
    public var id: String
    public var claim: String
    public var site: String
    public var family: String
    public var method: String
    public var statistic: String
    public var direction: String
    /// The trained estimate (mean over K_t seeds).
    public var estimate: Double
    public var trainedValues: [Double]
    /// The bootstrap interval of the estimate; nil when the bootstrap distribution is degenerate.
    public var interval: ConfidenceInterval?
    public var intervalMethod: String
    public var null: NullDistribution
    public var pValue: Double
    /// The Clopper–Pearson interval of the tail probability the Monte Carlo p-value estimates.
    public var pValueInterval: ConfidenceInterval
    public var extremeCount: Int
    public var adjustedPValue: Double
    public var effect: EffectSizes
    public var verdict: Verdict
    /// Which branch of the verdict rule decided (reports say it in words).
    public var basis: VerdictBasis
    /// With a baseline: whether the estimate stayed inside the interval recorded there.
    public var baselineInterval: ConfidenceInterval?
    public var leftBaseline: Bool?
    /// Against a family drawn sequentially: the test's design and where it stopped (its null
    /// draws are then the first `null.values.count` of the family's); nil for a fixed K.
    public var sequential: SequentialStop? = nil

    /// The fewest null draws whose p-value, 1/(draws + 1), is the smallest this test can reach:
    /// the draws of a fixed-K test, the early-rejection point (or maximum) of a sequential one.
    public var drawsForSmallestPValue: Int {
        sequential.map { $0.design.rejectionDraws ?? $0.design.maxDraws } ?? null.values.count
    }

    /// Estimate − null median in the direction of more structure: the difference itself for a
    /// `larger` statistic, its negation for a `smaller` one. The verdict's minimum effect applies to it.
    public var directedDifference: Double { direction == "smaller" ? -effect.difference : effect.difference }
}

/// A claim at one site, judged over every null family: what the JUnit report and the gate read.
public struct ClaimOutcome: Sendable, Codable, Equatable {
    public var claim: String
    public var site: String
    public var expectation: ClaimSpec.Expectation
    public var holds: Bool
    /// Every test of the claim at this site (one per null family).
    public var testIDs: [String]
    /// The tests whose verdict is not the expected one (or, with `requireSignificance: false`,
    /// whose directed effect is below the minimum effect). The claim holds when this is empty and
    /// no test left its baseline interval (``TestResult/leftBaseline``).
    public var failingTestIDs: [String]
}

/// The stored baseline a result was gated against.
public struct BaselineReference: Sendable, Codable, Equatable {
    public var name: String
    public var specHash: String
    public var recordedDataHash: String
}

/// Where a sequential test (``SequentialMonteCarloTest``) stopped, and its design.
public struct SequentialStop: Sendable, Codable, Equatable {
    public var design: SequentialMonteCarloTest
    /// Why it stopped: `rejection` (r draws, none extreme), `acceptance` (h extreme draws) or `maximum`.
    public var stop: SequentialMonteCarloTest.Stop

    public init(design: SequentialMonteCarloTest, stop: SequentialMonteCarloTest.Stop) {
        self.design = design
        self.stop = stop
    }
}
