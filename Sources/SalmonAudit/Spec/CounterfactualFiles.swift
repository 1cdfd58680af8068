/// Clean/corrupted pairs for a transformer loaded from a state dict: the clean inputs are
/// `model.inputs`; these files give, row for row, the corrupted sequences and the answer and
/// contrast tokens read at the last position (activation patching, edge attribution patching,
/// circuit discovery).
///
/// ```yaml
/// model:
///   stateDict: model.safetensors
///   architecture: architecture.json
///   inputs: clean.npy                 # int [n, length]
///   counterfactuals: {corrupted: corrupted.npy, correct: correct.npy, wrong: wrong.npy}
/// ```
///
/// `corrupted` has the shape of `inputs`; `correct` and `wrong` hold one token per sequence, never
/// the same one (a pair whose answer is its own contrast has no logit difference).
public struct CounterfactualFiles: Sendable, Codable, Equatable {
    public var corrupted: String
    public var correct: String
    public var wrong: String

    enum CodingKeys: String, CodingKey, CaseIterable { case corrupted, correct, wrong }

    public init(corrupted: String, correct: String, wrong: String) {
        self.corrupted = corrupted
        self.correct = correct
        self.wrong = wrong
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let path = SpecError.path(decoder.codingPath)
        func file(_ key: CodingKeys) throws -> String {
            guard let value = try c.decodeIfPresent(String.self, forKey: key), !value.isEmpty else {
                throw SpecError(field: path + ".\(key.rawValue)", "expected the .npy file of the \(key == .corrupted ? "corrupted sequences" : key == .correct ? "answer tokens" : "contrast tokens")")
            }
            return value
        }
        corrupted = try file(.corrupted)
        correct = try file(.correct)
        wrong = try file(.wrong)
    }
}
