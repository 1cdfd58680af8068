import SalmonDiagnostics
import Foundation
import SalmonMethods

/// A claim's method: its name, the family that owns it (``ClaimFamilies``) and the parameters
/// that family decoded from the `method:` block.
///
/// A name no registered family owns is an error naming the nearest valid name; each family
/// decodes its own keys strictly. The parameters encode into the same mapping as `name`, so the
/// spec's canonical JSON and hash are the family's business, not the engine's.
public struct MethodSpec: Sendable, Codable, Equatable {
    public let name: String
    public let family: any ClaimFamily
    public let parameters: any MethodParameters

    enum CodingKeys: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        guard let family = ClaimFamilies.family(owning: name) else {
            let names = ClaimFamilies.methodNames
            var m = "unknown method '\(name)'"
            if let s = nearestName(to: name, in: names) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".name", m + " (allowed: \(names.joined(separator: ", ")))")
        }
        self.family = family
        parameters = try family.decodeParameters(method: name, from: decoder)
    }

    /// A method built in code (`salmon probe`, studies), with parameters of its family's type.
    /// - Throws: ``SpecError`` when no family owns `name`.
    public init(name: String, parameters: any MethodParameters) throws {
        guard let family = ClaimFamilies.family(owning: name) else {
            throw SpecError(field: "method.name", "unknown method '\(name)' (allowed: \(ClaimFamilies.methodNames.joined(separator: ", ")))")
        }
        self.name = name
        self.family = family
        self.parameters = parameters
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try parameters.encode(to: encoder)
    }

    public static func == (a: MethodSpec, b: MethodSpec) -> Bool {
        a.name == b.name && a.parameters.isEqual(to: b.parameters)
    }

    /// The parameters as the family's own type.
    /// - Throws: ``AuditError`` when they are of another type (a method built in code with another family's parameters).
    public func parameters<P: MethodParameters>(as type: P.Type) throws -> P {
        guard let p = parameters as? P else {
            throw AuditError("method \(name): its parameters are \(Swift.type(of: parameters)), expected \(P.self)")
        }
        return p
    }

    /// The statistics the method offers (the first is the default).
    public var statistics: [ClaimStatistic] { family.statistics(of: name) }
}
