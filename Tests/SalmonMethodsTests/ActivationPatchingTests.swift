import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Activation patching on a GPT-2-shaped transformer: its identities (patching what determines
/// the output gives exactly the clean run, patching nothing the corrupted run), heads against an
/// independent recomputation of the patched block, and its refusals.
@Suite struct ActivationPatchingTests {
    /// A random 2-block, 2-head transformer (the identities hold for any weights) and 6 clean and
    /// corrupted sequences of 4 tokens that differ at positions 1 and 2.
    static func patching() throws -> ActivationPatching {
        let configuration = TransformerConfiguration(vocabulary: 11, context: 5, dimension: 8, heads: 2, layers: 2)
        let model = Transformer(configuration, stream: RandomStream(seed: 21))
        var stream = RandomStream(seed: 22)
        let clean = (0..<24).map { _ in Int(stream.next() % 11) }
        let corrupted = clean.enumerated().map { i, t in [1, 2].contains(i % 4) ? (t + 3) % 11 : t }
        return try ActivationPatching(model: model, clean: clean, corrupted: corrupted, batch: 6, length: 4,
                                      correct: [1, 2, 3, 4, 5, 6], wrong: [7, 8, 9, 10, 0, 1])
    }

    @Test func patchingWhatDeterminesTheOutputRestoresTheCleanRunAndPatchingNothingIsTheCorruptedRun() throws {
        let p = try Self.patching()
        #expect(p.cleanDifferences != p.corruptedDifferences)
        // The residual stream after the last block, everywhere or at the last position only, and
        // the embeddings everywhere, each determine the logits read at the last position.
        for component in [PatchingComponent.site("blocks.1.resid"), .position(site: "blocks.1.resid", position: 3), .site("embed")] {
            #expect(try p.patchedDifferences(component) == p.cleanDifferences, "\(component)")
            #expect(try p.recovered(component) == 1, "\(component)")
        }
        // Patching nothing: a plain corrupted forward pass.
        let plain = p.model.forward(tokens: try #require(Self.corruptedTokens(p)), batch: 6, length: 4)
        let vocabulary = 11
        let differences = (0..<6).map { b in
            Double(plain.logits.scalars[(b * 4 + 3) * vocabulary + p.correct[b]]) - Double(plain.logits.scalars[(b * 4 + 3) * vocabulary + p.wrong[b]])
        }
        #expect(differences == p.corruptedDifferences)
        #expect(ActivationPatching.recovered(patched: p.corruptedDifferences, clean: p.cleanDifferences, corrupted: p.corruptedDifferences) == 0)
        // Position 0 holds the same token in both inputs: patching its embedding changes nothing.
        #expect(try p.patchedDifferences(.position(site: "embed", position: 0)) == p.corruptedDifferences)
        // The ratio of means, by hand, on a resample with repeats.
        let patched = try p.patchedDifferences(.site("blocks.0.mlp.out"))
        let rows = [0, 0, 3, 5]
        let mean = { (v: [Double]) in rows.map { v[$0] }.reduce(0, +) / 4 }
        let expected = (mean(patched) - mean(p.corruptedDifferences)) / (mean(p.cleanDifferences) - mean(p.corruptedDifferences))
        #expect(abs(ActivationPatching.recovered(patched: patched, clean: p.cleanDifferences, corrupted: p.corruptedDifferences, rows: rows) - expected) <= 1e-12)
    }

    /// A patched run starts at the component's block from the corrupted residual entering it:
    /// the same logit differences, bit for bit, as the whole corrupted forward pass with the patch.
    @Test func aPatchedRunFromItsBlockIsTheWholeRunBitForBit() throws {
        let p = try Self.patching()
        let corrupted = try #require(Self.corruptedTokens(p))
        let components: [PatchingComponent] = [.head(block: 0, head: 1), .head(block: 1, head: 0), .site("blocks.0.mlp.hidden"),
                                               .site("blocks.1.attn.out"), .position(site: "blocks.1.mlp.out", position: 2),
                                               .position(site: "embed", position: 1), .site("blocks.0.resid")]
        for component in components {
            let whole = p.model.forward(tokens: corrupted, batch: 6, length: 4, hooks: try p.hooks(patching: component)).logits
            var differences: [Double] = []
            for b in 0..<6 {
                let row = (b * 4 + 3) * 11
                let answer = Double(whole.scalars[row + p.correct[b]]), contrast = Double(whole.scalars[row + p.wrong[b]])
                differences.append(answer - contrast)
            }
            #expect(try p.patchedDifferences(component) == differences, "\(component)")
        }
        #expect(PatchingComponent.head(block: 1, head: 0).block == 1 && PatchingComponent.site("embed").block == nil
                && PatchingComponent.position(site: "blocks.0.resid", position: 1).block == 0)
        let all = try p.recovered(components, threads: 2)
        #expect(all == (try components.map { try p.recovered($0) }))
    }

    /// The corrupted tokens, rebuilt as `patching()` makes them.
    static func corruptedTokens(_ p: ActivationPatching) -> [Int]? {
        var stream = RandomStream(seed: 22)
        let clean = (0..<24).map { _ in Int(stream.next() % 11) }
        return clean.enumerated().map { i, t in [1, 2].contains(i % 4) ? (t + 3) % 11 : t }
    }

    /// Patching one head puts the clean run's slice of the concatenated head outputs into the
    /// corrupted run before the output projection: recomputed here in Double from the captured
    /// head outputs and W_O, then put in as the block's attention output, the logits agree to
    /// 1e-4. Patching every head of a block is, bit for bit, patching the block's attention output.
    @Test func aHeadPatchIsTheCleanSliceBeforeTheOutputProjection() throws {
        let p = try Self.patching()
        let corrupted = try #require(Self.corruptedTokens(p))
        let sites: Set<String> = ["blocks.1.attn.heads"]
        let clean = try #require(Self.cleanTokens())
        let cleanHeads = try #require(p.model.forward(tokens: clean, batch: 6, length: 4, hooks: Hooks(capture: sites)).captured["blocks.1.attn.heads"])
        let corruptedHeads = try #require(p.model.forward(tokens: corrupted, batch: 6, length: 4, hooks: Hooks(capture: sites)).captured["blocks.1.attn.heads"])
        let d = 8, dh = 4, rows = 24
        let output = p.model.blocks[1].attention.output
        for head in 0..<2 {
            var attention = [Float](repeating: 0, count: rows * d)
            for r in 0..<rows {
                for o in 0..<d {
                    var sum = Double(output.bias.scalars[o])
                    for i in 0..<d {
                        let source = (i / dh == head ? cleanHeads : corruptedHeads).scalars[r * d + i]
                        sum += Double(output.weight.scalars[o * d + i]) * Double(source)
                    }
                    attention[r * d + o] = Float(sum)
                }
            }
            let byHand = p.model.forward(tokens: corrupted, batch: 6, length: 4,
                                         hooks: Hooks(replace: ["blocks.1.attn.out": Tensor(shape: [rows, d], scalars: attention)]))
            let patched = p.model.forward(tokens: corrupted, batch: 6, length: 4, hooks: try p.hooks(patching: .head(block: 1, head: head)))
            #expect(zip(byHand.logits.scalars, patched.logits.scalars).allSatisfy { abs($0 - $1) <= 1e-4 }, "head \(head)")
            #expect(patched.logits != p.model.forward(tokens: corrupted, batch: 6, length: 4).logits, "head \(head) changes the run")
        }
        let everyHead = Hooks(nodeMasks: ["blocks.1.attn.heads": [0, 0]], nodeFills: ["blocks.1.attn.heads": cleanHeads])
        let whole = try p.hooks(patching: .site("blocks.1.attn.out"))
        #expect(p.model.forward(tokens: corrupted, batch: 6, length: 4, hooks: everyHead).logits
                == p.model.forward(tokens: corrupted, batch: 6, length: 4, hooks: whole).logits)
    }

    static func cleanTokens() -> [Int]? {
        var stream = RandomStream(seed: 22)
        return (0..<24).map { _ in Int(stream.next() % 11) }
    }

    @Test func componentsAndInputsTheModelDoesNotHaveAreRefused() throws {
        let p = try Self.patching()
        func message(_ component: PatchingComponent) -> String {
            do { _ = try p.recovered(component); return "accepted" } catch { return "\(error)" }
        }
        #expect(message(.head(block: 2, head: 0)).contains("no head blocks.2.attn.heads.0"))
        #expect(message(.head(block: 0, head: 2)).contains("heads 0 … 1"))
        #expect(message(.site("blocks.0.resid.pre")).contains("not a site a forward pass replaces"))
        #expect(message(.site("blocks.5.resid")).contains("blocks.i.{attn.out"))
        #expect(message(.position(site: "blocks.0.resid", position: 4)).contains("position 4"))
        let model = p.model
        #expect(throws: MethodError.self) {
            _ = try ActivationPatching(model: model, clean: [1, 2, 3], corrupted: [1, 2], batch: 1, length: 3, correct: [0], wrong: [1])
        }
        do {
            _ = try ActivationPatching(model: model, clean: [1, 2, 3], corrupted: [1, 2, 30], batch: 1, length: 3, correct: [0], wrong: [1])
            Issue.record("a token outside the vocabulary was accepted")
        } catch {
            #expect("\(error)".contains("corrupted input 2 is token 30"), "\(error)")
        }
    }

    /// The restored logit difference: the recovered fraction when every pair's clean–corrupt
    /// difference is the same; scale-free; bounded by the recovered fraction's magnitude where
    /// the differences scatter (RMS ≥ |mean|); NaN only when every difference is 0.
    @Test func theRestoredLogitDifferenceIsTheRecoveredFractionInUnitsOfTheRMSDifference() {
        let corrupted = [0.5, -1.0, 2.0, 0.0]
        let clean = corrupted.map { $0 + 3 }
        let patched = [1.5, 0.5, 3.0, 1.0]
        let recovered = ActivationPatching.recovered(patched: patched, clean: clean, corrupted: corrupted)
        #expect(abs(ActivationPatching.restored(patched: patched, clean: clean, corrupted: corrupted) - recovered) <= 1e-15)
        // By hand: mean change (1 + 1.5 + 1 + 1)/4 = 1.125, RMS of (3, 3, 3, 3) = 3.
        #expect(abs(recovered - 0.375) <= 1e-15)
        // Differences scattered around 0 (about ±1, mean 0.0005): the ratio of means explodes,
        // the restored value does not.
        let scattered = [2.0, -1.0, 0.0, 1.0].enumerated().map { corrupted[$0.offset] + $0.element * 1e-3 + [1, -1, 1, -1][$0.offset] }
        let rms = (zip(scattered, corrupted).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 4).squareRoot()
        let change = zip(patched, corrupted).map { $0 - $1 }.reduce(0, +) / 4
        let restored = ActivationPatching.restored(patched: patched, clean: scattered, corrupted: corrupted)
        #expect(abs(restored - change / rms) <= 1e-12)
        #expect(abs(ActivationPatching.recovered(patched: patched, clean: scattered, corrupted: corrupted)) > 100 * abs(restored))
        let scaled = ActivationPatching.restored(patched: patched.map { $0 * 7 }, clean: scattered.map { $0 * 7 }, corrupted: corrupted.map { $0 * 7 })
        #expect(abs(scaled - restored) <= 1e-12)
        #expect(ActivationPatching.restored(patched: patched, clean: corrupted, corrupted: corrupted).isNaN)
        #expect(abs(ActivationPatching.restored(patched: patched, clean: clean, corrupted: corrupted, rows: [1, 1]) - 0.5) <= 1e-15)
    }
}
