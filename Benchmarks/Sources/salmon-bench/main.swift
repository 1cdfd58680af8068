// salmon-bench: release-mode measurements of the statistics core.
//
//   salmon-bench speed                 timings (best of several runs), one JSON object per line
//   salmon-bench memory N B            peak resident memory of a BCa bootstrap of the mean
//   salmon-bench calibration R         BCa / percentile coverage for the exponential mean, n = 50
//   salmon-bench sae ACTS.npy          one epoch of TopK and ReLU-L1 SAE training (sae_peer.py: PyTorch)
//   salmon-bench patching DIR          activation patching of every head over 1,000 pairs (patching_peer.py: PyTorch)
//   salmon-bench minilm DIR            all-MiniLM-L6-v2 over 1,500 texts, every hidden state mean-pooled (minilm_peer.py: PyTorch)
//
// The Python peers (scipy, statsmodels) are measured by peers.py in the same run (run.sh).
import Foundation
import SalmonStatistics
import SalmonNetworks
import SalmonMethods
import SalmonIO
import SalmonAudit

// As the salmon executable does at start (AllocatorTuning): keep freed memory for reuse.
AllocatorTuning.retainFreedMemory()

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func best(of runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<runs { result = min(result, try seconds(body)) }
    return result
}

func report(_ name: String, _ fields: [String: Any]) {
    var all = fields
    all["name"] = name
    let data = try? JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
    print(String(decoding: data ?? Data(), as: UTF8.self))
}

func peakResidentKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

let arguments = CommandLine.arguments
let command = arguments.count > 1 ? arguments[1] : "speed"

switch command {
case "speed":
    var s = RandomStream(seed: 1, path: ["bench-data"])
    let x = (0..<10_000).map { _ in s.exponential() }
    for workers in [1, 2] {
        let plan = try Bootstrap(resamples: 9_999, seed: 1, workers: workers)
        var ci = ConfidenceInterval(lower: 0, upper: 0, level: 0.95)
        let t = try best(of: 5) { ci = try plan.mean(x).interval(.bca, level: 0.95) }
        report("bootstrap_bca_mean_n10000_B9999", ["seconds": t, "workers": workers, "lower": ci.lower, "upper": ci.upper])
    }
    // Per-example correctness (0/1), the usual "mean of per-item scores": multinomial path.
    let correct = (0..<10_000).map { _ in s.uniform() < 0.91 ? 1.0 : 0.0 }
    for workers in [1, 2] {
        let plan = try Bootstrap(resamples: 9_999, seed: 1, workers: workers)
        var ci = ConfidenceInterval(lower: 0, upper: 0, level: 0.95)
        let t = try best(of: 5) { ci = try plan.mean(correct).interval(.bca, level: 0.95) }
        report("bootstrap_bca_mean_binary_n10000_B9999", ["seconds": t, "workers": workers, "lower": ci.lower, "upper": ci.upper])
    }
    let a = (0..<500).map { _ in s.gaussian() }
    let b = (0..<500).map { _ in s.gaussian() + 0.1 }
    for workers in [1, 2] {
        let test = try PermutationTest(resamples: 9_999, seed: 1, workers: workers)
        var p = 0.0
        let t = try best(of: 5) { p = try test.independent(a, b, alternative: .twoSided).pValue }
        report("permutation_independent_500_500_B9999", ["seconds": t, "workers": workers, "p": p])
    }
    let pValues = (0..<1_000_000).map { _ in pow(s.uniform(), 3) }
    // Timed: the adjustment alone, as peers.py times statsmodels' multipletests alone (counting
    // the rejections inside the timed closure changed the allocator's state between calls and
    // with it the page faults of the next call: 57 ms instead of 23). The first call, on memory
    // the process has not touched yet, is reported too.
    var adjusted: AdjustedPValues? = nil
    let first = try seconds { adjusted = try MultipleTesting.adjust(pValues, method: .benjaminiHochberg) }
    let t = try best(of: 5) { adjusted = try MultipleTesting.adjust(pValues, method: .benjaminiHochberg) }
    report("bh_1e6", ["seconds": t, "firstCallSeconds": first, "workers": ProcessorCount.active,
                      "rejected": adjusted?.reject.filter { $0 }.count ?? 0])
    if arguments.count > 2 && arguments[2] == "--parts" {
        report("ranks_1e6", ["seconds": best(of: 3) { _ = Ranking.ranks(pValues, ties: .ordinal) }])
        report("swift_sorted_1e6", ["seconds": best(of: 3) { _ = pValues.sorted() }])
        for method in MultipleTestingMethod.allCases {
            report("adjust_\(method.rawValue)_1e6", ["seconds": try best(of: 3) { _ = try MultipleTesting.adjust(pValues, method: method == .hommel ? .holm : method) }])
        }
    }

case "bh-trace":
    var s = RandomStream(seed: 1, path: ["bench-data"])
    let pValues = (0..<1_000_000).map { _ in pow(s.uniform(), 3) }
    for _ in 0..<8 {
        print(try seconds { _ = try MultipleTesting.adjust(pValues, method: .benjaminiHochberg) })
    }

case "networks":
    // MLP 512→1024→1024→10, batch 256: forward + backward against sgemm on the same shapes.
    let batch = 256
    let model = MLP(sizes: [512, 1024, 1024, 10], stream: RandomStream(seed: 1))
    var s = RandomStream(seed: 2)
    let x = Tensor(shape: [batch, 512], scalars: (0..<(batch * 512)).map { _ in Float(s.gaussian()) })
    let t = Tensor(shape: [batch, 10], scalars: (0..<(batch * 10)).map { _ in Float(s.gaussian()) })
    // The GEMMs of one forward + backward: per layer y = x Wᵀ, dW = dyᵀ x, dx = dy W.
    var shapes: [(Bool, Bool, Int, Int, Int)] = []
    for (i, o) in [(512, 1024), (1024, 1024), (1024, 10)] {
        shapes.append((false, true, batch, o, i))    // forward
        shapes.append((true, false, o, i, batch))    // dW
        shapes.append((false, false, batch, i, o))   // dx
    }
    let flops = shapes.reduce(0.0) { $0 + 2 * Double($1.2 * $1.3 * $1.4) }
    let big = [Float](repeating: 0.5, count: 1024 * 1024)
    var out = [Float](repeating: 0, count: 1024 * 1024)
    let gemmOnly = best(of: 10) {
        for (ta, tb, m, n, k) in shapes {
            big.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.baseAddress!, b: a.baseAddress!, c: c.baseAddress!)
                }
            }
        }
    }
    let square = best(of: 5) {
        big.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { c in
                BLAS.gemm(m: 1024, n: 1024, k: 1024, a: a.baseAddress!, b: a.baseAddress!, c: c.baseAddress!)
            }
        }
    }
    let step = best(of: 10) {
        let pass = model.forward(x)
        _ = model.backward(pass, outputGradient: Loss.meanSquaredError.evaluate(output: pass.output, targets: t).gradient)
    }
    report("mlp_forward_backward_512_1024_1024_10_b256", [
        "seconds": step, "gflops": flops / step / 1e9, "sgemmSameShapesGflops": flops / gemmOnly / 1e9,
        "sgemm1024Gflops": 2 * pow(1024.0, 3) / square / 1e9, "fractionOfSameShapes": gemmOnly / step,
        "fractionOf1024": (flops / step) / (2 * pow(1024.0, 3) / square), "blasThreads": BLAS.threadCount,
        "sgemmLibrary": BLAS.sgemmLibrary ?? "?",
    ])

case "transformer":
    // 2 layers, d = 128, 4 heads, sequence 64, batch 32: training tokens per second (forward,
    // backward, AdamW), next-token cross-entropy at every position.
    let c = TransformerConfiguration(vocabulary: 256, context: 64, dimension: 128, heads: 4, layers: 2)
    var model = Transformer(c, stream: RandomStream(seed: 1))
    var s = RandomStream(seed: 2)
    let tokens = (0..<(32 * 64)).map { _ in s.index(below: 256) }
    let targets = Tensor(shape: [32 * 64], scalars: (0..<(32 * 64)).map { _ in Float(s.index(below: 256)) })
    var optimizer = Optimizer(.adamW(learningRate: 1e-3))
    // One AdamW step on the mean next-token cross-entropy over all 32 × 64 positions: the batch's
    // gradient in two slices of 16 sequences on the machine's threads (Transformer.gradients).
    func step() {
        let g = model.gradients(tokens: tokens, batch: 32, length: 64) { pass, sequences in
            let rows = (sequences.lowerBound * 64)..<(sequences.upperBound * 64)
            var g = Loss.crossEntropy.evaluate(output: pass.logits, targets: Tensor(shape: [rows.count], scalars: Array(targets.scalars[rows]))).gradient
            let share = Float(rows.count) / Float(32 * 64)
            for i in g.scalars.indices { g.scalars[i] *= share }
            return g
        }
        var p = model.parameterArrays
        optimizer.update(&p, gradients: g)
        model.parameterArrays = p
    }
    step()
    if arguments.count > 2 && arguments[2] == "--once" { exit(0) }
    if arguments.count > 2 && arguments[2] == "--optimizer" {
        var p = model.parameterArrays
        print("parameters", p.reduce(0) { $0 + $1.count })
        print("get", best(of: 5) { p = model.parameterArrays })
        print("set", best(of: 5) { model.parameterArrays = p })
        let pass = model.forward(tokens: tokens, batch: 32, length: 64)
        let g = model.backward(pass, logitsGradient: Loss.crossEntropy.evaluate(output: pass.logits, targets: targets).gradient)
        print("update", best(of: 5) { optimizer.update(&p, gradients: g.parameters) })
        exit(0)
    }
    if arguments.count > 2 && arguments[2] == "--activation" {
        var r = RandomStream(seed: 3)
        let z = (0..<2_097_152).map { _ in Float(r.gaussian()) }
        var g = [Float](repeating: 1, count: z.count), out = z
        print("apply", best(of: 5) { Activation.gelu.apply(z, into: &out) })
        print("derivative", best(of: 5) { Activation.gelu.multiplyByDerivative(&g, at: z) })
        print("erf loop", best(of: 5) { for i in 0..<z.count { out[i] = FastMath.erf(z[i]) } })
        print("exp loop", best(of: 5) { for i in 0..<z.count { out[i] = FastMath.exp(z[i]) } })
        exit(0)
    }
    if arguments.count > 2 && arguments[2] == "--parts" {
        for activation in [Activation.gelu, .identity] {
            var cc = c
            cc.activation = activation
            let m = Transformer(cc, stream: RandomStream(seed: 1))
            var pass = m.forward(tokens: tokens, batch: 32, length: 64)
            let f = best(of: 5) { pass = m.forward(tokens: tokens, batch: 32, length: 64) }
            let lossT = best(of: 5) { _ = Loss.crossEntropy.evaluate(output: pass.logits, targets: targets) }
            let grad = Loss.crossEntropy.evaluate(output: pass.logits, targets: targets).gradient
            let b = best(of: 5) { _ = m.backward(pass, logitsGradient: grad) }
            print(activation, "forward", f, "loss", lossT, "backward", b)
        }
    }
    let t = best(of: 5) { step() }
    report("transformer_train_2x128_h4_t64_b32", ["seconds": t, "tokensPerSecond": Double(32 * 64) / t,
                                                   "blasThreads": BLAS.threadCount])

case "modular-addition":
    // Held-out accuracy on modular addition: p = 23, a random 80 % of the 529 pairs for training,
    // a 1-layer transformer (d = 64, 4 heads), AdamW with weight decay 1.0 (as in the grokking
    // literature), full-batch steps; stops once held-out accuracy reaches 99 %.
    let p = arguments.count > 2 ? Int(arguments[2]) ?? 23 : 23
    var pairs = (0..<(p * p)).map { [$0 / p, $0 % p] }
    var split = RandomStream(seed: 1, path: ["split"])
    pairs.shuffle(using: &split)
    let fraction = arguments.count > 3 ? Double(arguments[3]) ?? 0.8 : 0.8
    let cut = Int(fraction * Double(pairs.count))
    let train = Array(pairs[..<cut]), heldOut = Array(pairs[cut...])
    func answers(_ x: [[Int]]) -> [Int] { x.map { ($0[0] + $0[1]) % p } }
    var model = Transformer(TransformerConfiguration(vocabulary: p, context: 2, dimension: 64, heads: 4, layers: 1),
                            stream: RandomStream(seed: 2))
    let started = ContinuousClock.now
    var epochs = 0, heldOutAccuracy = 0.0, trainAccuracy = 0.0
    while epochs < 20_000 {
        model.train(sequences: train, targets: answers(train), plan: TrainingPlan(
            loss: .crossEntropy, optimizer: .adamW(learningRate: 3e-3, weightDecay: 1.0), batchSize: train.count,
            maxEpochs: 50, seed: UInt64(epochs)))
        epochs += 50
        func accuracy(_ x: [[Int]]) -> Double {
            Double(zip(model.predictions(x), answers(x)).filter { $0 == $1 }.count) / Double(x.count)
        }
        heldOutAccuracy = accuracy(heldOut)
        trainAccuracy = accuracy(train)
        if heldOutAccuracy >= 0.99 { break }
    }
    let elapsed = ContinuousClock.now - started
    report("modular_addition_heldout", ["modulus": p, "trainFraction": fraction, "epochs": epochs, "trainAccuracy": trainAccuracy,
                                        "heldOutAccuracy": heldOutAccuracy, "heldOutCount": heldOut.count,
                                        "seconds": Double(elapsed.components.seconds)])

case "memory":
    let n = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
    let resamples = arguments.count > 3 ? Int(arguments[3]) ?? 9_999 : 9_999
    let before = peakResidentKilobytes()
    var s = RandomStream(seed: 2, path: ["memory"])
    var x = [Double](repeating: 0, count: n)
    for i in 0..<n { x[i] = s.exponential() }
    var ci = ConfidenceInterval(lower: 0, upper: 0, level: 0.95)
    let t = try seconds { ci = try Bootstrap(resamples: resamples, seed: 3).mean(x).interval(.bca) }
    report("bootstrap_memory", ["n": n, "resamples": resamples, "peakKB": peakResidentKilobytes(),
                                "startKB": before, "seconds": t, "lower": ci.lower, "upper": ci.upper])

case "calibration":
    let simulations = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
    var bca = 0, percentile = 0, basic = 0
    for r in 0..<simulations {
        var s = RandomStream(seed: 6, path: ["calibration", "bca", .index(r)])
        let x = (0..<50).map { _ in s.exponential() }
        let result = try Bootstrap(resamples: 1_999, seed: UInt64(r)).mean(x)
        if try result.interval(.bca).contains(1) { bca += 1 }
        if try result.interval(.percentile).contains(1) { percentile += 1 }
        if try result.interval(.basic).contains(1) { basic += 1 }
    }
    let n = Double(simulations)
    func se(_ c: Int) -> Double { (Double(c) / n * (1 - Double(c) / n) / n).squareRoot() }
    report("coverage_exponential_mean_n50_level95", [
        "simulations": simulations, "resamples": 1_999,
        "bca": Double(bca) / n, "bcaSE": se(bca),
        "percentile": Double(percentile) / n, "percentileSE": se(percentile),
        "basic": Double(basic) / n, "basicSE": se(basic),
    ])

case "kernel":
    // Where the bootstrap's time goes: raw generator, bounded index pairs, gather-and-add.
    var s = RandomStream(seed: 1)
    let draws = 50_000_000
    var sink: UInt64 = 0
    report("xoshiro_next", ["nsPerDraw": try best(of: 3) { for _ in 0..<draws { sink &+= s.next() } } / Double(draws) * 1e9])
    var isink = 0
    report("index_pair", ["nsPerIndex": try best(of: 3) {
        for _ in 0..<draws { let (a, b) = s.indexPair(below: 10_000); isink &+= a &+ b }
    } / Double(2 * draws) * 1e9])
    let x = (0..<10_000).map { _ in s.uniform() }
    var dsink = 0.0
    report("gather_add", ["nsPerIndex": try best(of: 3) {
        x.withUnsafeBufferPointer { xb in
            for _ in 0..<(draws / 2) {
                let (a, b) = s.indexPair(below: 10_000); let (c, d) = s.indexPair(below: 10_000)
                dsink += xb[a] + xb[b] + xb[c] + xb[d]
            }
        }
    } / Double(2 * draws) * 1e9])
    for size in [1_000, 4_000, 10_000, 100_000] {
        let y = (0..<size).map { _ in s.uniform() }
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var t = s.derived(index: 9)
        report("gather_add_4acc", ["n": size, "nsPerIndex": try best(of: 3) {
            y.withUnsafeBufferPointer { xb in
                for _ in 0..<(draws / 2) {
                    let (a, b) = s.indexPair(below: size); let (c, d) = t.indexPair(below: size)
                    a0 += xb[a]; a1 += xb[b]; a2 += xb[c]; a3 += xb[d]
                }
            }
        } / Double(2 * draws) * 1e9])
        dsink += a0 + a1 + a2 + a3
    }
    func inoutKernel(_ x: UnsafeBufferPointer<Double>, _ s: inout RandomStream) -> Double {
        let n = x.count
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        var t = s.derived(index: 1)
        while i + 4 <= n {
            let (p, q) = s.indexPair(below: n)
            let (r, u) = t.indexPair(below: n)
            a0 += x[p]; a1 += x[q]; a2 += x[r]; a3 += x[u]
            i += 4
        }
        return ((a0 + a1) + (a2 + a3)) / Double(n)
    }
    func localKernel(_ x: UnsafeBufferPointer<Double>, _ stream: inout RandomStream) -> Double {
        var s = stream
        defer { stream = s }
        return inoutKernel(x, &s)
    }
    let base = RandomStream(seed: 4)
    for (label, kernel) in [("inout", inoutKernel), ("local-copy", localKernel)] as [(String, (UnsafeBufferPointer<Double>, inout RandomStream) -> Double)] {
        report("kernel_\(label)", ["nsPerIndex": try best(of: 3) {
            x.withUnsafeBufferPointer { xb in
                for b in 0..<2_000 { var r = base.derived(index: b); dsink += kernel(xb, &r) }
            }
        } / (2_000.0 * 10_000) * 1e9])
    }
    let plan = try Bootstrap(resamples: 9_999, seed: 1, workers: 1)
    report("bootstrap_mean_only", ["nsPerIndex": try best(of: 3) { _ = try plan.mean(x) } / (9_999.0 * 10_000) * 1e9])
    print(sink, isink, dsink)

case "probes":
    // 20 logistic probes on 2,000 × 256 activations (data from probes_peer.py --make-data), fit on
    // the training rows, held-out accuracy on the rest; the same data scikit-learn is timed on.
    guard arguments.count > 2 else { fatalError("usage: salmon-bench probes DATA.npz") }
    let archive = try NPZArchive(parsing: try Data(contentsOf: URL(fileURLWithPath: arguments[2])), source: arguments[2])
    let xArray = try archive.array(named: "X")
    let x = try xArray.floats()
    let y = try archive.integers(named: "y").map { Int($0) }
    let train = try archive.integers(named: "train").map { $0 != 0 }
    let c = try archive.floats(named: "C")[0]
    let (probes, rows, width) = (xArray.shape[0], xArray.shape[1], xArray.shape[2])
    let trainRows = (0..<rows).filter { train[$0] }, testRows = (0..<rows).filter { !train[$0] }
    // Inputs split once, outside the timed region (as the peer does).
    let sets: [(Tensor, [Int], Tensor, [Int])] = (0..<probes).map { p in
        let all = Tensor(shape: [rows, width], scalars: Array(x[(p * rows * width)..<((p + 1) * rows * width)]))
        let labels = Array(y[(p * rows)..<((p + 1) * rows)])
        return (all.rows(trainRows), trainRows.map { labels[$0] }, all.rows(testRows), testRows.map { labels[$0] })
    }
    let model = LogisticRegression(inverseRegularization: Double(c))
    for workers in [1, 2] {
        BLAS.setThreadCount(1)
        var accuracies = [Double](repeating: 0, count: probes), iterations = [Int](repeating: 0, count: probes)
        let time = best(of: 3) {
            final class Shared: @unchecked Sendable {
                var results: [(Double, Int)]
                var counter = 0
                let lock = NSLock()
                init(_ n: Int) { results = Array(repeating: (0, 0), count: n) }
                func take() -> Int { lock.lock(); defer { lock.unlock() }; counter += 1; return counter - 1 }
                func put(_ p: Int, _ r: (Double, Int)) { lock.lock(); results[p] = r; lock.unlock() }
            }
            let shared = Shared(probes)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let p = shared.take()
                    guard p < probes else { return }
                    let (trainX, trainY, testX, testY) = sets[p]
                    let fit = model.fit(trainX, labels: trainY, classes: 2)
                    let predicted = fit.predict(testX)
                    let correct = zip(predicted, testY).filter { $0 == $1 }.count
                    shared.put(p, (Double(correct) / Double(testY.count), fit.iterations))
                }
            }
            for p in 0..<probes { accuracies[p] = shared.results[p].0; iterations[p] = shared.results[p].1 }
        }
        report("logistic_probes_20x2000x256", ["workers": workers, "blasThreads": 1, "seconds": time, "accuracies": accuracies,
                                               "iterations": iterations])
    }

case "attribution": runAttributionBenchmark(directory: arguments[2])
case "sae":
    guard arguments.count > 2 else { fatalError("usage: salmon-bench sae ACTIVATIONS.npy") }
    try runSparseAutoencoderBenchmark(path: arguments[2])
case "patching":
    guard arguments.count > 2 else { fatalError("usage: salmon-bench patching DIR (from patching_peer.py --make-data DIR)") }
    try runActivationPatchingBenchmark(directory: arguments[2])
case "minilm":
    guard arguments.count > 2 else { fatalError("usage: salmon-bench minilm DIR (from minilm_peer.py --make-data DIR)") }
    try runMiniLMBenchmark(directory: arguments[2])
case "attribution-cnn":
    guard arguments.count > 2 else { fatalError("usage: salmon-bench attribution-cnn DIR") }
    runConvolutionalAttributionBenchmark(directory: arguments[2])

case "circuits":
    // Exhaustive circuit enumeration of [2, w, w, 1] LeakyReLU MLPs on XOR (Méloux et al. 2025's
    // setting): every candidate evaluated. Models: PyTorch-trained weights when given as
    // arguments (safetensors + architecture JSON pairs), else seeded random networks.
    BLAS.setThreadCount(1)
    var models: [(String, MLP)] = []
    var a = 2
    while a + 1 < arguments.count {
        if case .mlp(let m) = try StateDict.load(path: arguments[a], architecturePath: arguments[a + 1]) {
            models.append((URL(fileURLWithPath: arguments[a]).lastPathComponent, m))
        }
        a += 2
    }
    if models.isEmpty {
        for w in [3, 4, 5] {
            models.append(("random-2-\(w)-\(w)-1", MLP(sizes: [2, w, w, 1], hiddenActivation: .leakyReLU(slope: 0.01),
                                                        outputActivation: .leakyReLU(slope: 0.01), stream: RandomStream(seed: 7))))
        }
    }
    for (name, model) in models {
        let enumerator = try CircuitEnumerator(model: model, validation: .xor, keepLimit: 1_000_000)
        for workers in [1, 2] {
            var census: CircuitCensus?
            let runs = model.sizes[1] >= 5 ? 1 : 5
            let time = try best(of: runs) { census = enumerator.run(jobs: workers) }
            report("circuits_enumeration", ["model": name, "sizes": model.sizes, "workers": workers, "seconds": time,
                                            "candidates": census?.candidates ?? 0, "perfect": census?.perfectCount ?? 0,
                                            "nsPerCandidate": time / (census?.candidates ?? 1) * 1e9])
        }
    }

case "audit-calibration":
    // The audit's calibration at scale: the "trained" model is random-init draw K, the nulls are
    // draws 0…K−1 (exchangeable), one test per audit; the rate of "distinguishable" should be α.
    let repetitions = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
    for (label, method, k) in [("pca", "{name: pca-label-correlation, components: 3}", 19),
                               ("pca", "{name: pca-label-correlation, components: 3}", 99),
                               ("probe", "{name: logistic-probe, folds: 3}", 19)] {
        var hits = 0
        let time = try seconds {
            for r in 0..<repetitions {
                let spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(100_000 + r), method: method, K: k)
                let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: k)
                let semaphore = DispatchSemaphore(value: 0)
                final class Box: @unchecked Sendable { var result: AuditResult? }
                let box = Box()
                Task.detached {  // not Task {}: top-level code is on the main actor, which waits below
                    box.result = try? await Audit.run(spec: spec, subject: subject, jobs: 2).result
                    semaphore.signal()
                }
                semaphore.wait()
                if box.result?.tests.first?.verdict == .distinguishable { hits += 1 }
            }
        }
        let rate = Double(hits) / Double(repetitions)
        let band = BinomialDistribution.centralBand(level: 0.999, trials: repetitions, probability: 0.05)
        report("audit_calibration_\(label)_K\(k)", ["repetitions": repetitions, "distinguishable": hits, "rate": rate,
                                                     "se": (rate * (1 - rate) / Double(repetitions)).squareRoot(),
                                                     "band999": [band.lowerBound, band.upperBound], "seconds": time])
    }

default:
    FileHandle.standardError.write(Data("usage: salmon-bench speed | memory N B | calibration R | probes DATA.npz\n".utf8))
    exit(2)
}
