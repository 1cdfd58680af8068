/// The published numbers the reproduction is set beside: Adebayo et al., "Sanity checks for
/// saliency maps", NeurIPS 2018 — their MNIST CNN, mean Spearman rank correlation of the absolute
/// maps between the trained model and the cascading randomization, as layers are re-initialized
/// from the logits down (softmax/logits → fc1 → hidden2 → hidden1); as quoted in the project's
/// REFERENCES.md. Their MLP (784-2500-1500-500-10) shows the same pattern: Gradient falls to about
/// 0.02 while Integrated Gradients and Input ⊙ Gradient stay near 0.99.
enum AdebayoPublished {
    /// The cascading stages of their CNN, top first.
    static let stages = ["logits (softmax)", "fc1", "hidden2", "hidden1"]

    /// Method (our name) → Spearman (absolute) at each of ``stages``.
    static let spearmanAbsolute: [(method: String, values: [Double])] = [
        ("gradient", [0.60, 0.40, 0.106, 0.082]),
        ("smoothgrad", [0.54, 0.33, 0.18, 0.21]),
        ("guided-backprop", [0.89, 0.77, 0.63, 0.44]),
        ("integrated-gradients", [0.994, 0.993, 0.993, 0.992]),
        ("gradient-times-input", [0.993, 0.993, 0.993, 0.992]),
    ]

    /// Their MLP's fully randomized end point, where REFERENCES.md quotes one.
    static let mlpFullyRandomized: [String: String] = [
        "gradient": "≈ 0.02", "integrated-gradients": "≈ 0.99", "gradient-times-input": "≈ 0.99",
    ]

    /// The published pattern in words, per method (the acceptance criterion of the reproduction).
    static let pattern: [String: String] = [
        "gradient": "falls towards 0 (passes)",
        "smoothgrad": "falls, less far than Gradient (passes)",
        "guided-backprop": "stays high (fails)",
        "integrated-gradients": "stays high, ≈ 0.99 (fails)",
        "gradient-times-input": "stays high, ≈ 0.99 (fails)",
    ]
}
