import Foundation
import SalmonMethods
import SalmonNetworks
import Testing

/// Méloux et al.'s what-then-where view against their published code on the same weights
/// (`Fixtures/circuits/groundings_reference.py`): the candidate formulas for XOR, and every
/// minimal mapping of every formula onto each of 15 PyTorch-trained networks.
@Suite struct FormulaMappingTests {
    struct ReferenceFormula: Decodable {
        var formula: String
        var variableOrder: String
        /// node name ("A+B 3") → layer ("1") → units.
        var minimalMappings: [[String: [String: [Int]]]]
    }
    struct Reference: Decodable { var model: String; var formulaCount: Int; var formulas: [ReferenceFormula] }

    static let directory = Fixture.directory.appendingPathComponent("circuits")

    static func load(_ model: String) throws -> (MLP, Reference) {
        try CircuitGroundingTests.load(model, as: Reference.self)
    }

    static let xor = BooleanFormula.candidates(table: [0, 1, 1, 0], maxDepth: 3)

    /// The 56 candidate formulas of XOR at depth 3, in the published order, with its strings.
    @Test func theCandidateFormulasOfXOR() throws {
        #expect(Self.xor.count == 56)
        let (_, reference) = try Self.load(CircuitGroundingTests.models[0])
        #expect(reference.formulaCount == 56)
        #expect(Self.xor.map(\.description) == reference.formulas.map(\.formula))
        // Every candidate computes XOR.
        for f in Self.xor {
            #expect([[0, 0], [0, 1], [1, 0], [1, 1]].map { f.evaluate($0) } == [0, 1, 1, 0], "\(f)")
        }
        // AND gets its own (A*B first).
        #expect(BooleanFormula.candidates(table: [0, 0, 0, 1], maxDepth: 1).first?.description == "A*B")
    }

    @Test(arguments: CircuitGroundingTests.models)
    func minimalMappingsEqualThePublishedCode(_ model: String) throws {
        let (mlp, reference) = try Self.load(model)
        let outcomes = try InterchangeOutcomes(model: mlp)
        #expect(outcomes.placements.count == 14)
        var differences = 0
        for (formula, expected) in zip(Self.xor, reference.formulas) {
            let order = expected.variableOrder == "AB" ? [0, 1] : [1, 0]
            let mappings = FormulaMappings(formula: formula, outcomes: outcomes, variableOrder: order)
            let names = mappings.mappedNodes.map { "\(formula.subtreeDescription($0)) \(formula.nodes[$0].id)" }
            let ours = Set(mappings.list().map { m in
                Dictionary(uniqueKeysWithValues: zip(names, m.map { p in
                    ["\(p.layer)": (0..<64).filter { p.units >> UInt64($0) & 1 == 1 }]
                }))
            })
            if ours != Set(expected.minimalMappings) || mappings.count() != expected.minimalMappings.count { differences += 1 }
            #expect(mappings.count() == expected.minimalMappings.count, "\(model) \(formula)")
            #expect(ours == Set(expected.minimalMappings), "\(model) \(formula)")
        }
        #expect(differences == 0)
    }
}
