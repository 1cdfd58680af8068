import SalmonNetworks

/// What an attribution method explains: a model, a batch of inputs, and which output to explain
/// for each row.
///
/// The explained function is F(x) = the chosen entry of the model's output (an ``MLP``, a
/// ``ConvNet`` or any ``AttributableModel``) — for the default
/// MLP (identity output activation) a pre-softmax logit. When the model has another output
/// activation, F is the value after it, since that is what the model outputs.
public struct AttributionInput: Sendable {
    /// Which output each row's attribution explains.
    public enum Target: Sendable, Hashable, Codable {
        /// One output index per row (typically the true or predicted class).
        case perRow([Int])
        /// The same output index for every row.
        case output(Int)

        /// The output index for `row`.
        @inlinable
        public func index(_ row: Int) -> Int {
            switch self {
            case .perRow(let indices): return indices[row]
            case .output(let index): return index
            }
        }
    }

    /// The explained model.
    public let model: any AttributableModel
    /// `[n, d]`, `d` the model's input width.
    public let inputs: Tensor
    public let target: Target

    /// Validated attribution input.
    /// - Throws: ``MethodError`` when the inputs are not a non-empty `[n, d]` matrix with the
    ///   model's input width, hold a non-finite value (named by row and column), or a target
    ///   index is outside the model's outputs or the per-row targets do not number `n`.
    public init(model: some AttributableModel, inputs: Tensor, target: Target) throws {
        let d = model.inputWidth, outputs = model.outputWidth
        guard inputs.rank == 2, inputs.shape[0] > 0, inputs.shape[1] == d else {
            throw MethodError("attribution inputs must be a non-empty [rows, \(d)] matrix for this model, found shape \(inputs.shape)")
        }
        let n = inputs.shape[0]
        if let k = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw MethodError("attribution inputs: row \(k / d), column \(k % d) is \(inputs.scalars[k])")
        }
        switch target {
        case .perRow(let indices):
            guard indices.count == n else {
                throw MethodError("attribution targets: the inputs have \(n) rows but \(indices.count) targets were given")
            }
            if let r = indices.firstIndex(where: { $0 < 0 || $0 >= outputs }) {
                throw MethodError("attribution targets: row \(r) asks for output \(indices[r]); the model has outputs 0..<\(outputs)")
            }
        case .output(let index):
            guard index >= 0 && index < outputs else {
                throw MethodError("attribution target: output \(index) is outside the model's outputs 0..<\(outputs)")
            }
        }
        self.model = model
        self.inputs = inputs
        self.target = target
    }

    /// The number of rows.
    public var rowCount: Int { inputs.shape[0] }
    /// The input width.
    public var featureCount: Int { inputs.shape[1] }
}
