import Foundation
import SalmonMethods
import SalmonStatistics

/// One claim: "at these sites, this method finds this target, measured by this statistic".
public struct ClaimSpec: Sendable, Codable, Equatable {
    public var name: String
    public var method: MethodSpec
    /// `label` (the task's label), `concept:N` (planted concept N), or for a state-dict model a
    /// `.npy` file of labels.
    public var target: String
    public var statistic: String
    public var sites: [String]?
    /// `concepts` (the combination of planted concept bits) or a `.npy` file of integer types.
    public var controlTypes: String?
    /// What the claim asserts: `distinguishable` (the default) or `null` (a negative control that
    /// should be a dead salmon).
    public var expect: Expectation

    public enum Expectation: String, Sendable, Codable, CaseIterable { case distinguishable, null }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, method, target, statistic, sites, controlTypes, expect }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        method = try c.decode(MethodSpec.self, forKey: .method)
        target = try c.decodeIfPresent(String.self, forKey: .target) ?? "label"
        statistic = try c.decodeIfPresent(String.self, forKey: .statistic) ?? method.defaultStatistic
        sites = try c.decodeIfPresent([String].self, forKey: .sites)
        controlTypes = try c.decodeIfPresent(String.self, forKey: .controlTypes)
        let e = try c.decodeIfPresent(String.self, forKey: .expect) ?? "distinguishable"
        guard let expectation = Expectation(rawValue: e) else {
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".expect", "expected 'distinguishable' or 'null', found '\(e)'")
        }
        expect = expectation
    }

    /// Whether trained network 0 is the reference the claim's values are measured against
    /// (`similarityToTrained`): it then has no value itself, and null models are made from it.
    public var isAnchoredOnTrainedNetworkZero: Bool {
        method.isAttribution && statistic == AttributionClaim.Statistic.similarityToTrained.rawValue
    }

    func validate(field: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SpecError(field: field + ".name", "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        try method.validate(field: field + ".method")
        let offered = method.statistics
        guard offered.contains(statistic) else {
            var m = "method \(method.name) does not report '\(statistic)'"
            if let s = nearestName(to: statistic, in: offered) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: field + ".statistic", m + " (allowed: \(offered.joined(separator: ", ")))")
        }
        if ["controlAccuracy", "selectivity"].contains(statistic) && controlTypes == nil {
            throw SpecError(field: field + ".controlTypes", "statistic '\(statistic)' needs control types ('concepts' or a .npy file)")
        }
        if method.name == "ridge-probe" && controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types serve the classifying probes' controlAccuracy and selectivity; the ridge probe reports r2 only")
        }
        if let sites, sites.isEmpty { throw SpecError(field: field + ".sites", "expected at least one site") }
    }
}
