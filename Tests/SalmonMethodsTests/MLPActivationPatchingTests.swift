import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks
import Testing

/// Activation patching on an MLP: a whole layer patched is the clean run (recovered exactly 1), a
/// unit that nothing reads patched is the corrupted run (exactly 0), a unit's patch is the
/// corrupted run with that one value replaced, and malformed runs are refused.
@Suite struct MLPActivationPatchingTests {
    static func runs(seed: UInt64) throws -> (MLP, MLPActivationPatching) {
        var model = MLP(sizes: [12, 10, 8, 3], stream: RandomStream(seed: seed))
        // Unit 4 of layer 0 feeds nothing: its column of layer 1's weights is zero.
        for i in 0..<8 { model.layers[1].weight.scalars[i * 10 + 4] = 0 }
        var s = RandomStream(seed: seed + 1)
        let clean = Tensor(shape: [30, 12], scalars: (0..<360).map { _ in Float(s.gaussian()) })
        let corrupted = Tensor(shape: [30, 12], scalars: (0..<360).map { _ in Float(s.gaussian()) })
        let correct = (0..<30).map { _ in s.index(below: 3) }, wrong = correct.map { ($0 + 1) % 3 }
        return (model, try MLPActivationPatching(model: model, clean: clean, corrupted: corrupted, correct: correct, wrong: wrong))
    }

    @Test func aWholeLayerIsTheCleanRunAndAUnitNothingReadsIsTheCorruptedRun() throws {
        let (model, patching) = try Self.runs(seed: 101)
        for site in ["layers.0.pre", "layers.0.post", "layers.1.pre", "layers.1.post"] {
            let patched = try patching.patchedDifferences(component: site)
            #expect(patched == patching.cleanDifferences, "\(site)")
            #expect(ActivationPatching.recovered(patched: patched, clean: patching.cleanDifferences, corrupted: patching.corruptedDifferences) == 1)
        }
        let idle = try patching.patchedDifferences(component: "layers.0.post[4]")
        #expect(idle == patching.corruptedDifferences)
        #expect(ActivationPatching.recovered(patched: idle, clean: patching.cleanDifferences, corrupted: patching.corruptedDifferences) == 0)
        // One unit: the corrupted run's row at layers.1.post with unit 2 taken from the clean run.
        let cleanHidden = model.forward(patching.clean, hooks: Hooks(capture: ["layers.1.post"])).captured["layers.1.post"]!
        var hidden = model.forward(patching.corrupted, hooks: Hooks(capture: ["layers.1.post"])).captured["layers.1.post"]!
        for r in 0..<30 { hidden.scalars[r * 8 + 2] = cleanHidden.scalars[r * 8 + 2] }
        let output = model.forward(patching.corrupted, hooks: Hooks(replace: ["layers.1.post": hidden])).output
        let direct = (0..<30).map { r -> Double in
            let right: Float = output.scalars[r * 3 + patching.correct[r]], other: Float = output.scalars[r * 3 + patching.wrong[r]]
            return Double(right) - Double(other)
        }
        #expect(try patching.patchedDifferences(component: "layers.1.post[2]") == direct)
    }

    @Test func componentsAndRunsItCannotTakeAreRefused() throws {
        let (model, patching) = try Self.runs(seed: 103)
        for name in ["layers.2.post", "layers.0.post[10]", "layers.0.mid", "blocks.0.resid", "layers.0.post[-1]", "layers.0.post[x]"] {
            #expect(throws: MethodError.self, "\(name)") { try patching.patchedDifferences(component: name) }
        }
        let x = Tensor(shape: [4, 12], scalars: Array(repeating: 0, count: 48))
        #expect(throws: MethodError.self) { try MLPActivationPatching(model: model, clean: x, corrupted: x.rows(0..<3), correct: [0, 0, 0, 0], wrong: [1, 1, 1, 1]) }
        #expect(throws: MethodError.self) { try MLPActivationPatching(model: model, clean: x, corrupted: x, correct: [0, 0, 0, 3], wrong: [1, 1, 1, 1]) }
        #expect(throws: MethodError.self) { try MLPActivationPatching(model: model, clean: x, corrupted: x, correct: [0, 0, 0], wrong: [1, 1, 1]) }
    }
}
