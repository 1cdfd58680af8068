import SalmonAudit

/// What each null family does to the network, as a report states it (every report says what the
/// families it used are, so a reader need not look them up).
public enum NullFamilyDescription {
    /// One or two sentences for `family` (a name from ``NullSpec/Family``).
    public static func text(_ family: String) -> String {
        guard let known = NullSpec.Family(rawValue: family) else { return "a family recorded by another version of DeadSalmon." }
        switch known {
        case .randomInit:
            return "every parameter drawn afresh from the architecture's default initialization (PyTorch's for an MLP, GPT-2's N(0, 0.02²) for a transformer): the same architecture, untrained."
        case .cascadingTopDown:
            return "the layers from the output down to the site's own layer re-initialized, those below it kept trained (Adebayo et al. 2018's cascading randomization; for a transformer the unembedding, then the blocks from the top down to the site's block, then the embeddings): does the value owe anything to the site's own trained weights?"
        case .cascadingBottomUp:
            return "the layers from the input up to the site's own layer re-initialized (for a transformer the embeddings, then the blocks up to the site's): everything the site sees is random."
        case .independentLayer:
            return "the site's own layer alone re-initialized (for a transformer its block, the embeddings or the unembedding), every other layer kept trained."
        case .withinLayerPermutation:
            return "the entries of every weight matrix and bias vector shuffled within that tensor: each layer's distribution of weights kept, their arrangement destroyed."
        case .momentRedraw:
            return "every parameter tensor redrawn from a normal distribution with that tensor's mean and standard deviation (Heap et al. 2025)."
        case .momentRedrawExceptEmbeddings:
            return "every parameter tensor but the token and position embeddings redrawn from a normal distribution with that tensor's mean and standard deviation, the trained embeddings kept (Heap et al. 2025's \"excl. embeddings\"): what do the trained embeddings alone carry?"
        case .permutedLabels:
            return "a network of the same architecture trained from a fresh initialization on the training inputs with their labels randomly permuted (Adebayo et al. 2018's data randomization): training without the link between inputs and labels."
        case .supplied:
            return "null models supplied by the user as activation files (see the model line): whatever those files were made from."
        case .gaussianActivations:
            return "the trained network's activations at the site replaced by as many rows drawn from a Gaussian with their mean and covariance: the same first and second moments, no other structure."
        case .frozenDecoder:
            return "the trained network's activations, read by the same sparse autoencoder with its decoder frozen at a random initialization and only its encoder and biases trained (Korznikov et al. 2026): do the learned feature directions matter?"
        case .randomCircuits:
            return "the trained network, with the circuit the search found replaced by circuits of the same size whose components are drawn at random (Shi et al. 2024's sufficiency test): is the found circuit better than chance ones of its size?"
        case .inflatedCircuits:
            return "the trained network, with the circuit the search found inflated by one component drawn at random from outside it, the value what removing that component costs (Shi et al. 2024's minimality reference): does the circuit's weakest component matter more than a chance one?"
        case .equivalenceMargin:
            return "the trained network, the circuit-versus-model comparison redrawn with the circuit better on each differing example with probability ½ + ε, the edge of non-equivalence (Shi et al. 2024's equivalence test, Monte Carlo form): are circuit and model closer to a tie than a margin-ε difference would leave them?"
        case .permutedComplement:
            return "the trained network, the scores of the network with its circuit knocked out permuted across examples (Shi et al. 2024's independence test): does the rest of the network still carry the behaviour?"
        case .untrainedMap:
            return "the trained network, intervened on through the same alignment map left at its random initialization (no training): does the trained map find more than a random map of its kind does?"
        case .randomUnits:
            return "the trained network with as many units removed as the claim's score chose, drawn uniformly at random from the same layer: does the score pick units that matter more than chance ones?"
        case .frozenEncoder:
            return "the trained network's activations, read by the same sparse autoencoder with its encoder frozen at a random initialization and only its decoder and biases trained (Korznikov et al. 2026): do the learned activation patterns matter?"
        }
    }
}
