import Foundation
import SalmonAudit
import SalmonIO
import SalmonNetworks

/// all-MiniLM-L6-v2 over the 1,500 short texts `minilm_peer.py --make-data DIR` writes: WordPiece
/// (as the tokenizer_config.json beside vocab.txt says), then every hidden state mean-pooled over
/// the attention mask — the audit's own path (`EncoderSubject.activations`: sequences sorted by
/// length, padded batches, `TokenPooling.mean`), the work `minilm_peer.py forward` times in
/// PyTorch. Best of 3 per thread count; one JSON line each, with the pooled means to compare.
func runMiniLMBenchmark(directory: String) throws {
    let spec = try AuditSpec.parse(yaml: """
        name: minilm-forward
        seed: 1
        model:
          stateDict: minilm/model.safetensors
          architecture: minilm/config.json
          text: texts.txt
        sites: [embeddings, layers.0, layers.1, layers.2, layers.3, layers.4, layers.5]
        claims:
          - {name: mean, method: {name: activation-statistics}, statistic: meanActivation}
        nulls:
          - {family: random-init, K: 1}
        """, file: "minilm-forward.yaml")
    guard let subject = try Audit.subject(for: spec, specDirectory: directory, jobs: 1) as? EncoderSubject else {
        fatalError("\(directory)/minilm is not a BERT checkpoint")
    }
    let (tokenizer, _) = try WordPieceTokenizer.configured(vocabularyFile: directory + "/minilm/vocab.txt",
                                                           configurationFile: directory + "/minilm/tokenizer_config.json")
    var texts = try String(contentsOfFile: directory + "/texts.txt", encoding: .utf8).components(separatedBy: "\n")
    if texts.last == "" { texts.removeLast() }
    let sites: Set<String> = ["embeddings", "layers.0", "layers.1", "layers.2", "layers.3", "layers.4", "layers.5"]
    for threads in [1, 2] {
        BLAS.setThreadCount(threads)
        var pieces = 0
        let tokenizing = best(of: 3) { pieces = texts.reduce(0) { $0 + tokenizer.encode($1).count } }
        var rows: [String: Tensor] = [:]
        let forward = try best(of: 3) { rows = try subject.activations(.trained(seed: 0), sites: sites) }
        func mean(_ site: String) -> Double {
            let x = rows[site]?.scalars ?? []
            return x.reduce(0.0) { $0 + Double($1) } / Double(max(x.count, 1))
        }
        report("minilm_forward_1500_t\(threads)", ["texts": texts.count, "pieces": pieces, "threads": threads,
                                                   "seconds": tokenizing + forward, "tokenizeSeconds": tokenizing, "forwardSeconds": forward,
                                                   "meanLast": mean("layers.5"), "meanEmbeddings": mean("embeddings")])
    }
}
