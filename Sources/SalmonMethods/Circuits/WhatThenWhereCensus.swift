import SalmonNetworks

/// One network's candidate algorithms and where they sit — Méloux et al.'s what-then-where view
/// (ICLR 2025): every candidate formula of the gate (``BooleanFormula/candidates(table:variables:maxDepth:)``,
/// depth = hidden layers + 1 as in the published `main.py`) and its minimal mappings onto the
/// network's hidden units (``FormulaMappings``). An explanation in this view is a (formula, minimal
/// mapping) pair; the network's algorithm is identified when exactly one formula has a mapping.
public struct WhatThenWhereCensus: Sendable, Codable, Equatable {
    public var candidateFormulas: Int
    /// Formulas with at least one minimal mapping.
    public var mappedFormulas: Int
    /// Minimal mappings over all formulas.
    public var minimalMappings: Int
    /// Per candidate formula (in candidate order), its number of minimal mappings.
    public var mappingsPerFormula: [Int]

    /// - Parameters:
    ///   - table: the gate's truth table (`table[x]`, the first input most significant).
    /// - Throws: ``MethodError`` from ``InterchangeOutcomes``, for more than two hidden layers (the
    ///   candidates of depth 4 are thousands of formulas with up to 2³¹ negation patterns each),
    ///   or a table that is not one 0/1 output per input pattern.
    public init(model: MLP, table: [Int]) throws {
        guard model.sizes.count <= 4 else {
            throw MethodError("the what-then-where view enumerates formulas of depth up to the layers after the input; at most two hidden layers, sizes are \(model.sizes)")
        }
        let outcomes = try InterchangeOutcomes(model: model)
        guard table.count == 1 << outcomes.inputCount, table.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw MethodError("the gate's table needs one 0/1 output for each of the \(1 << outcomes.inputCount) input patterns, found \(table)")
        }
        let formulas = BooleanFormula.candidates(table: table, variables: outcomes.inputCount, maxDepth: model.sizes.count - 1)
        let counts = formulas.map { FormulaMappings(formula: $0, outcomes: outcomes).count() }
        self.candidateFormulas = formulas.count
        self.mappedFormulas = counts.filter { $0 > 0 }.count
        self.minimalMappings = counts.reduce(0, +)
        self.mappingsPerFormula = counts
    }
}
