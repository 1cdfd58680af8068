import Foundation
import Testing
@testable import SalmonIO

@Suite("SafeTensors")
struct SafeTensorsTests {
    // MARK: Fixtures written by the safetensors package

    @Test(arguments: FormatFixtures.names("safetensors"))
    func fixtureParsesToTheExpectedValues(name: String) throws {
        let expected = try #require(FormatFixtures.expected.files[name])
        let file = try SafeTensors(parsing: try FormatFixtures.bytes(name), source: name)
        #expect(file.source == name)
        #expect(file.metadata == expected.metadata)
        let tensors = try #require(expected.tensors)
        #expect(file.tensors.map(\.name) == tensors.map(\.name), "tensors in data order")
        for want in tensors {
            let tensor = try file.tensor(named: want.name)
            #expect(tensor.dtype.rawValue == want.dtype)
            #expect(tensor.shape == want.shape)
            #expect(tensor.elementCount == want.shape.reduce(1, *))
            #expect(tensor.byteRange.count == tensor.elementCount * tensor.dtype.byteCount)
            #expect(tensor.byteRange.lowerBound == 8 + file.headerLength + tensor.dataOffsets.lowerBound)
            #expect(CRC32.hex(CRC32.checksum(try file.rawBytes(named: want.name))) == want.crc32)
            if let bits = want.floatBits {
                #expect(FormatFixtures.bits(try file.floats(named: want.name)) == bits, "\(want.name)")
            }
            if let integers = want.integers {
                #expect(try file.integers(named: want.name) == integers, "\(want.name)")
            }
        }
    }

    /// Every tensor's data is aligned to its element size, as the reference writer arranges.
    @Test func referenceFilesAlignEveryTensor() throws {
        let file = try SafeTensors(parsing: try FormatFixtures.bytes("all_dtypes.safetensors"), source: "a")
        #expect(file.headerLength % 8 == 0)
        for tensor in file.tensors {
            #expect(tensor.byteRange.lowerBound % tensor.dtype.byteCount == 0, "\(tensor.name)")
        }
        #expect(file.tensors.map(\.dtype) == [.I64, .F64, .F32, .I32, .BF16, .F16, .I16, .I8, .U8, .BOOL])
    }

    @Test func specialHalfPrecisionValues() throws {
        let file = try SafeTensors(parsing: try FormatFixtures.bytes("all_dtypes.safetensors"), source: "a")
        let f16 = try file.floats(named: "float16")
        #expect(f16[0].bitPattern == 0 && f16[1].bitPattern == 0x8000_0000)  // ±0
        #expect(f16[2] == 0x1p-24 && f16[3] == -0x1p-24)  // smallest subnormals
        #expect(f16[5] == 1023 * 0x1p-24)  // largest subnormal
        #expect(f16[6] == 0x1p-14)  // smallest normal
        #expect(f16[10] == 65504)
        #expect(f16[11] == .infinity && f16[12] == -.infinity)
        #expect(f16[13].isNaN && !f16[13].isSignalingNaN)
        #expect(f16[14].isSignalingNaN, "a signalling NaN stays signalling, as in numpy")
        let bf16 = try file.floats(named: "bfloat16")
        #expect(bf16[5] == 1 && bf16[6] == -1 && bf16[7] == 3.140625)
        #expect(bf16[9] == .infinity && bf16[11].isNaN)
        #expect(bf16[8] == Float(bitPattern: 0x7F7F_0000))
        let f64 = try file.floats(named: "float64")
        #expect(f64[5] == .infinity, "1e300 overflows float32")
        #expect(f64[4].bitPattern == 0, "a float64 subnormal underflows to +0")
    }

    @Test func emptyTensorAndScalars() throws {
        let file = try SafeTensors(parsing: try FormatFixtures.bytes("empty_and_scalar.safetensors"), source: "e")
        #expect(file.metadata == nil)
        #expect(try file.tensor(named: "empty").elementCount == 0)
        #expect(try file.floats(named: "empty").isEmpty)
        #expect(try file.tensor(named: "scalar").shape == [])
        #expect(try file.floats(named: "scalar") == [2.5])
        #expect(try file.integers(named: "count") == [7])
    }

    @Test func boolReadsNonzeroBytesAsOne() throws {
        let data = try SafeTensors.serialize([.init(name: "b", dtype: .BOOL, shape: [4], bytes: [0, 1, 2, 255])])
        #expect(try SafeTensors(parsing: data, source: "b").integers(named: "b") == [0, 1, 1, 1])
    }

    // MARK: Writer

    /// Our writer, given the tensors of a file the Python package wrote, writes the same bytes.
    @Test(arguments: FormatFixtures.names("safetensors"))
    func writerReproducesThePythonFileByteForByte(name: String) throws {
        let original = try FormatFixtures.bytes(name)
        let file = try SafeTensors(parsing: original, source: name)
        // Shuffled input order: the writer's order must not depend on it.
        let entries = try file.tensors.reversed().map { tensor in
            SafeTensors.Entry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                              bytes: Array(try file.rawBytes(named: tensor.name)))
        }
        let written = try SafeTensors.serialize(entries, metadata: file.metadata)
        #expect([UInt8](written) == original)
    }

    @Test func emptyFileIsTheReferenceBytes() throws {
        // The reference implementation's own test vectors (tensor.rs, `test_empty`).
        #expect([UInt8](try SafeTensors.serialize([])) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        let withMetadata = try SafeTensors.serialize([], metadata: ["framework": "pt"])
        #expect([UInt8](withMetadata) == [40, 0, 0, 0, 0, 0, 0, 0] + Array("{\"__metadata__\":{\"framework\":\"pt\"}}     ".utf8))
    }

    @Test func roundTripOfEveryDtype() throws {
        var rng = FormatRandom(state: 0x5AFE)
        for trial in 0..<50 {
            var entries: [SafeTensors.Entry] = []
            for (i, dtype) in SafeTensors.DType.allCases.enumerated() where rng.below(3) != 0 {
                let shape = (0..<rng.below(4)).map { _ in rng.below(5) }
                let count = shape.reduce(1, *)
                let bytes = (0..<(count * dtype.byteCount)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                entries.append(.init(name: "t\(trial).\(i) \"\(dtype.rawValue)\"\n", dtype: dtype, shape: shape, bytes: bytes))
            }
            let metadata: [String: String]? = rng.below(2) == 0 ? nil : ["k\(trial)": "v \\ \u{1}", "é": "ü"]
            let data = try SafeTensors.serialize(entries, metadata: metadata)
            let file = try SafeTensors(parsing: data, source: "round-trip")
            #expect(file.metadata == metadata)
            #expect(file.tensors.count == entries.count)
            for entry in entries {
                let tensor = try file.tensor(named: entry.name)
                #expect(tensor.dtype == entry.dtype)
                #expect(tensor.shape == entry.shape)
                #expect(Array(try file.rawBytes(named: entry.name)) == entry.bytes)
            }
        }
    }

    @Test func writerRejectsBadEntries() throws {
        let twice = inputError { try SafeTensors.serialize([.init(name: "a", dtype: .U8, shape: [1], bytes: [1]),
                                                            .init(name: "a", dtype: .U8, shape: [1], bytes: [2])]) }
        #expect(twice == InputError(file: "<safetensors output>", field: "tensor \"a\"", expected: "each tensor name once, found it twice"))
        let reserved = inputError { try SafeTensors.serialize([.init(name: "__metadata__", dtype: .U8, shape: [], bytes: [1])]) }
        #expect(reserved?.field == "tensor \"__metadata__\"")
        let size = inputError { try SafeTensors.serialize([.init(name: "w", dtype: .F32, shape: [2], bytes: [0, 0, 0, 0])],
                                                          destination: "out.safetensors") }
        #expect(size == InputError(file: "out.safetensors", field: "tensor \"w\"",
                                   expected: "2 elements × 4 bytes for shape [2] of F32, found 4 bytes"))
        let negative = inputError { try SafeTensors.serialize([.init(name: "n", dtype: .U8, shape: [-1], bytes: [])]) }
        #expect(negative?.expected == "non-negative dimensions, found [-1]")
    }

    // MARK: Accessors

    @Test func floatsOfAnIntegerTensorIsAnError() throws {
        let file = try SafeTensors(parsing: try FormatFixtures.bytes("all_dtypes.safetensors"), source: "m.safetensors")
        let error = try #require(inputError { try file.floats(named: "int32") })
        #expect(error == InputError(file: "m.safetensors", field: "tensor \"int32\"",
                                    expected: "a floating-point tensor (F64, F32, F16 or BF16) to read as floats, found I32"))
        let integers = try #require(inputError { try file.integers(named: "bfloat16") })
        #expect(integers.field == "tensor \"bfloat16\"")
        #expect(integers.expected.hasSuffix("found BF16"))
    }

    @Test func unknownTensorNameListsSome() throws {
        let file = try SafeTensors(parsing: try FormatFixtures.bytes("empty_and_scalar.safetensors"), source: "m.safetensors")
        let error = try #require(inputError { try file.floats(named: "missing") })
        #expect(error.description
            == "m.safetensors: tensor \"missing\": expected a tensor of that name; the file has 4 tensors (\"count\", \"empty\", \"scalar\", \"layers.0.weight\")")
    }
}
