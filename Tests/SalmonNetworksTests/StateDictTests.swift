import Foundation
import Testing
import SalmonIO
import SalmonNetworks

/// Models saved by PyTorch (Fixtures/generate_pytorch.py) load by their native names and
/// reproduce PyTorch's outputs to 1e-5.
@Suite struct StateDictTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    struct Outputs: Decodable {
        struct MLPCase: Decodable { var inputs: [[Float]]; var outputs: [[Float]] }
        struct GPTCase: Decodable { var tokens: [[Int]]; var logits: [[Float]] }
        var mlp_modulelist: MLPCase
        var mlp_sequential: MLPCase
        var gpt2: GPTCase
    }

    static let outputs: Outputs? = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("pytorch_outputs.json")) else { return nil }
        return try? JSONDecoder().decode(Outputs.self, from: data)
    }()

    @Test(arguments: ["mlp_modulelist", "mlp_sequential"])
    func mlpReproducesPyTorch(name: String) throws {
        let expected = try #require(Self.outputs)
        let reference = name == "mlp_modulelist" ? expected.mlp_modulelist : expected.mlp_sequential
        guard case .mlp(let model) = try StateDict.load(path: Self.path("\(name).safetensors"),
                                                        architecturePath: Self.path("\(name).json")) else {
            Issue.record("expected an MLP")
            return
        }
        let out = model(Tensor(rows: reference.inputs))
        let flat = reference.outputs.flatMap { $0 }
        #expect(out.count == flat.count)
        let worst = zip(out.scalars, flat).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "max difference \(worst)")
    }

    @Test(arguments: ["gpt2_linear", "gpt2_conv1d"])
    func transformerReproducesPyTorch(name: String) throws {
        let expected = try #require(Self.outputs).gpt2
        guard case .transformer(let model) = try StateDict.load(path: Self.path("\(name).safetensors"),
                                                                architecturePath: Self.path("\(name).json")) else {
            Issue.record("expected a transformer")
            return
        }
        let pass = model.forward(tokens: expected.tokens.flatMap { $0 }, batch: 2, length: 8)
        let flat = expected.logits.flatMap { $0 }
        let worst = zip(pass.logits.scalars, flat).map { abs($0 - $1) }.max() ?? .infinity
        #expect(pass.logits.count == flat.count)
        #expect(worst <= 1e-5, "max difference \(worst)")
    }

    /// What DeadSalmon saves, it loads back identically (both layouts).
    @Test(arguments: ["mlp_modulelist", "gpt2_conv1d", "gpt2_linear"])
    func saveAndReload(name: String) throws {
        let architecture = try ModelArchitecture.read(path: Self.path("\(name).json"))
        let loaded = try StateDict.load(path: Self.path("\(name).safetensors"), architecturePath: Self.path("\(name).json"))
        let entries: [SafeTensors.Entry]
        switch loaded {
        case .mlp(let m): entries = StateDict.entries(m, architecture: architecture)
        case .cnn(let c): entries = StateDict.entries(c, architecture: architecture)
        case .transformer(let t): entries = StateDict.entries(t, architecture: architecture)
        }
        let bytes = try SafeTensors.serialize(entries)
        let again = try StateDict.load(SafeTensors(parsing: Data(bytes), source: "round-trip"), architecture: architecture)
        switch (loaded, again) {
        case (.mlp(let a), .mlp(let b)): #expect(a == b)
        case (.transformer(let a), .transformer(let b)): #expect(a == b)
        case (.cnn(let a), .cnn(let b)): #expect(a == b)
        default: Issue.record("model kind changed")
        }
    }

    /// The state dicts DeadSalmon writes, byte for byte, are the committed
    /// `Fixtures/written_by_deadsalmon/*.safetensors`, which `check_written_by_deadsalmon.py` reads
    /// with the Python `safetensors` package and finds tensor for tensor equal to PyTorch's own
    /// files. (`SALMON_UPDATE_SNAPSHOTS=1` rewrites them.)
    @Test(arguments: ["mlp_modulelist", "gpt2_conv1d", "gpt2_linear"])
    func writtenStateDictsAreTheFilesPythonReads(name: String) throws {
        let architecture = try ModelArchitecture.read(path: Self.path("\(name).json"))
        let entries: [SafeTensors.Entry]
        switch try StateDict.load(path: Self.path("\(name).safetensors"), architecturePath: Self.path("\(name).json")) {
        case .mlp(let m): entries = StateDict.entries(m, architecture: architecture)
        case .cnn(let c): entries = StateDict.entries(c, architecture: architecture)
        case .transformer(let t): entries = StateDict.entries(t, architecture: architecture)
        }
        let bytes = try SafeTensors.serialize(entries)
        let committed = Self.path("written_by_deadsalmon/\(name).safetensors")
        if ProcessInfo.processInfo.environment["SALMON_UPDATE_SNAPSHOTS"] == "1" {
            try bytes.write(to: URL(fileURLWithPath: committed))
        }
        #expect(FileManager.default.contents(atPath: committed) == bytes, "\(committed) differs from what DeadSalmon writes")
    }

    @Test func mismatchedStateDictsNameTheTensor() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.path("mlp_sequential.safetensors")))
        let file = try SafeTensors(parsing: data, source: "model.safetensors")
        var wrongSizes = ModelArchitecture(type: "mlp")
        wrongSizes.sizes = [4, 15, 8, 3]
        let shape = #expect(throws: InputError.self) { try StateDict.load(file, architecture: wrongSizes) }
        #expect(shape?.description == "model.safetensors: tensor \"0.weight\": expected shape [15, 4], found [16, 4]")
        var tooFew = ModelArchitecture(type: "mlp")
        tooFew.sizes = [4, 16, 8]
        let extra = #expect(throws: InputError.self) { try StateDict.load(file, architecture: tooFew) }
        #expect(extra?.field == "tensor \"4.bias\"")
        var tooMany = ModelArchitecture(type: "mlp")
        tooMany.sizes = [4, 16, 8, 3, 2]
        let missing = #expect(throws: InputError.self) { try StateDict.load(file, architecture: tooMany) }
        #expect(missing?.field == "tensor \"6.weight\"")
        var modulelist = ModelArchitecture(type: "mlp")
        modulelist.sizes = [4, 16, 8, 3]
        modulelist.naming = "modulelist"
        let naming = #expect(throws: InputError.self) { try StateDict.load(file, architecture: modulelist) }
        #expect(naming?.field == "tensor \"layers.0.0.weight\"")
        var bad = ModelArchitecture(type: "rnn")
        bad.sizes = [1, 2]
        let type = #expect(throws: InputError.self) { try StateDict.load(file, architecture: bad) }
        #expect(type?.field == "type")
        // A CNN names what it lacks, and refuses more poolings than its image survives.
        var cnn = ModelArchitecture(type: "cnn")
        cnn.sizes = [1, 2]
        let input = #expect(throws: InputError.self) { try StateDict.load(file, architecture: cnn) }
        #expect(input?.field == "input")
        cnn.input = [1, 4, 4]
        cnn.convolutions = [2, 2, 2]
        cnn.dense = [3]
        let pooling = #expect(throws: InputError.self) { try StateDict.load(file, architecture: cnn) }
        #expect(pooling?.field == "convolutions")
        cnn.convolutions = [2]
        let tensor = #expect(throws: InputError.self) { try StateDict.load(file, architecture: cnn) }
        #expect(tensor?.field == "tensor \"convs.0.weight\"")
    }

    /// A state dict whose modules are the user's own (`fc1`, `fc2`, `fc3`) loads through the
    /// architecture's `names`, to the same model PyTorch's native names give; a key that names no
    /// module, two keys on one name, and a mapped tensor that is missing are refused by name.
    @Test func namesMapTheUsersOwnModules() throws {
        let native = try #require(FileManager.default.contents(atPath: Self.path("mlp_sequential.safetensors")))
        var architecture = try ModelArchitecture.read(path: Self.path("mlp_sequential.json"))
        guard case .mlp(let model) = try StateDict.load(SafeTensors(parsing: native, source: "native"), architecture: architecture) else {
            Issue.record("expected an MLP")
            return
        }
        // The same weights under the user's names.
        let renamed = StateDict.entries(model, architecture: architecture).map { entry in
            var e = entry
            e.name = e.name.replacingOccurrences(of: "^0\\.", with: "fc1.", options: .regularExpression)
                .replacingOccurrences(of: "^2\\.", with: "fc2.", options: .regularExpression)
                .replacingOccurrences(of: "^4\\.", with: "fc3.", options: .regularExpression)
            return e
        }
        #expect(renamed.map(\.name).sorted() == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "fc3.bias", "fc3.weight"])
        let file = try SafeTensors(parsing: Data(try SafeTensors.serialize(renamed)), source: "mine.safetensors")
        let unmapped = #expect(throws: InputError.self) { try StateDict.load(file, architecture: architecture) }
        #expect(unmapped?.description.contains("tensor \"0.weight\"") == true && unmapped?.description.contains("fc1.bias") == true)

        architecture.names = ["0": "fc1", "2": "fc2", "4": "fc3"]
        guard case .mlp(let mapped) = try StateDict.load(file, architecture: architecture) else {
            Issue.record("expected an MLP")
            return
        }
        #expect(mapped == model)
        // A whole tensor name maps too, and the longest key wins.
        architecture.names = ["0": "fc1", "0.bias": "fc1.bias", "2": "fc2", "4": "fc3"]
        guard case .mlp(let again) = try StateDict.load(file, architecture: architecture) else { return }
        #expect(again == model)

        architecture.names = ["0": "fc1", "2": "fc2", "4": "fc3", "6": "fc4"]
        let stray = #expect(throws: InputError.self) { try StateDict.load(file, architecture: architecture) }
        #expect(stray?.field == "names" && stray?.description.contains("\"6\"") == true)
        architecture.names = ["0": "fc1", "2": "fc1", "4": "fc3"]
        let twice = #expect(throws: InputError.self) { try StateDict.load(file, architecture: architecture) }
        #expect(twice?.field == "names" && twice?.description.contains("both mapped to \"fc1\"") == true)
        architecture.names = ["0": "fc1", "2": "fc2", "4": "head"]
        let missing = #expect(throws: InputError.self) { try StateDict.load(file, architecture: architecture) }
        #expect(missing?.field == "tensor \"head.weight\" (\"4.weight\" by names)")
    }
}
