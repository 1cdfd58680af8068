import SalmonDiagnostics
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

    /// A claim built in code; `statistic` nil takes the method's first (its default).
    public init(name: String, method: MethodSpec, statistic: String? = nil, target: String = "label", sites: [String]? = nil,
                expect: Expectation = .distinguishable) {
        self.name = name
        self.method = method
        self.target = target
        self.statistic = statistic ?? method.statistics.first?.name ?? ""
        self.sites = sites
        self.expect = expect
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        method = try c.decode(MethodSpec.self, forKey: .method)
        target = try c.decodeIfPresent(String.self, forKey: .target) ?? "label"
        statistic = try c.decodeIfPresent(String.self, forKey: .statistic) ?? method.statistics.first?.name ?? ""
        sites = try c.decodeIfPresent([String].self, forKey: .sites)
        controlTypes = try c.decodeIfPresent(String.self, forKey: .controlTypes)
        // `expect: null` unquoted is YAML's null, which means the null expectation here: read as
        // absent, it would silently turn a negative control into a claim of structure.
        let unquotedNull = c.contains(.expect) ? (try c.decodeNil(forKey: .expect)) : false
        let e = unquotedNull ? Expectation.null.rawValue : try c.decodeIfPresent(String.self, forKey: .expect) ?? "distinguishable"
        guard let expectation = Expectation(rawValue: e) else {
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".expect", "expected 'distinguishable' or 'null', found '\(e)'")
        }
        expect = expectation
    }

    /// The family that owns the claim's method.
    public var family: any ClaimFamily { method.family }

    /// The claim's statistic as its family declares it (nil only for a spec that failed validation).
    public var declaredStatistic: ClaimStatistic? { family.statistic(statistic, of: method.name) }

    /// Whether trained network 0 is the reference the claim's values are measured against
    /// (``ClaimStatistic/Reference/trainedNetworkZero``): it then has no value itself, and null
    /// models are made from it.
    public var isAnchoredOnTrainedNetworkZero: Bool { declaredStatistic?.reference == .trainedNetworkZero }

    /// What the claim needs from the subject.
    public var requirements: Set<ClaimRequirement> { family.requirements(of: self) }

    func validate(field: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SpecError(field: field + ".name", "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        let offered = method.statistics.map(\.name)
        guard offered.contains(statistic) else {
            var m = "method \(method.name) does not report '\(statistic)'"
            if let s = nearestName(to: statistic, in: offered) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: field + ".statistic", m + " (allowed: \(offered.joined(separator: ", ")))")
        }
        if let sites, sites.isEmpty { throw SpecError(field: field + ".sites", "expected at least one site") }
    }
}
