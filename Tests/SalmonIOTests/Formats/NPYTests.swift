import Foundation
import Testing
@testable import SalmonIO

/// A `.npy` file with version `major`.0, header text `header` (its length field filled in) and
/// `data`.
private func npy(_ header: String, _ data: [UInt8] = [], major: UInt8 = 1) -> [UInt8] {
    let h = Array(header.utf8)
    let length: [UInt8] = major == 1 ? [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
                                     : withUnsafeBytes(of: UInt32(h.count).littleEndian, Array.init)
    return NPYArray.magic + [major, 0] + length + h + data
}

private func header(descr: String = "'<f4'", fortran: String = "False", shape: String = "(1,)") -> String {
    "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }\n"
}

private func parseError(_ bytes: [UInt8]) throws -> InputError {
    try #require(inputError { try NPYArray(parsing: bytes, source: "a.npy") }, "parsed without an error")
}

private let four = [UInt8](repeating: 0, count: 4)

@Suite("NPY")
struct NPYTests {
    // MARK: Fixtures written by numpy

    @Test(arguments: FormatFixtures.names("npy"))
    func fixtureParsesToTheExpectedValues(name: String) throws {
        let file = try #require(FormatFixtures.expected.files[name])
        let want = try #require(file.arrays?.first)
        let array = try NPYArray(parsing: try FormatFixtures.bytes(name), source: name)
        #expect(array.majorVersion == file.version)
        #expect(array.descr == want.dtype)
        #expect(array.isBigEndian == want.dtype.hasPrefix(">"))
        #expect(array.shape == want.shape)
        #expect(array.elementCount == want.shape.reduce(1, *))
        #expect(CRC32.hex(CRC32.checksum(array.littleEndianData)) == want.crc32)
        if let bits = want.floatBits { #expect(FormatFixtures.bits(try array.floats()) == bits) }
        if let integers = want.integers { #expect(try array.integers() == integers) }
    }

    @Test func bigEndianDataIsConverted() throws {
        let big = try NPYArray(parsing: try FormatFixtures.bytes("int64_be.npy"), source: "b")
        #expect(try big.integers() == [Int64.min, 1, 1 << 40])
        #expect(big.littleEndianData.prefix(8) == [0, 0, 0, 0, 0, 0, 0, 0x80])
        let half = try NPYArray(parsing: try FormatFixtures.bytes("float16_be.npy"), source: "h")
        let values = try half.floats()
        #expect(values[0] == 1 && values[1] == 0x1p-24 && values[3] == -65504)
        #expect(values[2].isSignalingNaN)
    }

    /// `doubles()` keeps float64 bits exactly and widens the narrower types exactly: rounding
    /// its values to Float gives `floats()` bit for bit (NaN aside: it stays NaN).
    @Test(arguments: ["float64.npy", "float64_be.npy", "float32.npy", "float32_be.npy", "float16.npy", "float16_be.npy", "scalar.npy"])
    func doublesAreExact(name: String) throws {
        let array = try NPYArray(parsing: try FormatFixtures.bytes(name), source: name)
        let doubles = try array.doubles(), floats = try array.floats()
        // NaN stays NaN (widening may quiet a signalling NaN's payload); every other value is exact.
        #expect(doubles.map(\.isNaN) == floats.map(\.isNaN))
        #expect(zip(doubles, floats).allSatisfy { $0.isNaN || Float($0).bitPattern == $1.bitPattern })
        if array.descr.hasSuffix("f8") {
            let raw = array.littleEndianData.withUnsafeBytes { raw in
                (0..<array.elementCount).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
            }
            #expect(doubles.map(\.bitPattern) == raw)
        } else {
            #expect(zip(doubles, floats).allSatisfy { $0.isNaN || $0 == Double($1) })
        }
        #expect(throws: InputError.self) { try NPYArray(parsing: try FormatFixtures.bytes("int8.npy"), source: "i").doubles() }
    }

    // MARK: Writer

    /// Our writer reproduces `np.save`'s bytes for the same values.
    @Test func writerReproducesNumpyFloat32() throws {
        let original = try FormatFixtures.bytes("float32.npy")
        let array = try NPYArray(parsing: original, source: "f")
        #expect([UInt8](try NPYArray.serialize(try array.floats(), shape: array.shape)) == original)
    }

    @Test(arguments: ["float64.npy", "scalar.npy"])
    func writerReproducesNumpyFloat64(name: String) throws {
        let original = try FormatFixtures.bytes(name)
        let array = try NPYArray(parsing: original, source: name)
        let values = array.littleEndianData.withUnsafeBytes { raw in
            (0..<array.elementCount).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
        }
        #expect([UInt8](try NPYArray.serialize(values, shape: array.shape)) == original)
    }

    @Test func writerReproducesNumpyInt64() throws {
        let original = try FormatFixtures.bytes("int64.npy")
        let array = try NPYArray(parsing: original, source: "i")
        #expect([UInt8](try NPYArray.serialize(try array.integers(), shape: array.shape)) == original)
    }

    @Test func writerAlignsDataTo64Bytes() throws {
        var rng = FormatRandom(state: 64)
        for _ in 0..<200 {
            // Leading dimensions of 1 to 4 digits change the growth padding.
            var shape = (0..<rng.below(6)).map { _ in rng.below(4) }
            if !shape.isEmpty { shape[0] *= [1, 10, 100, 1000][rng.below(4)] }
            let count = shape.reduce(1, *)
            let values = (0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
            let data = [UInt8](try NPYArray.serialize(values, shape: shape))
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            #expect(data[10 + headerLength - 1] == 0x0A)
            let back = try NPYArray(parsing: data, source: "r")
            #expect(back.shape == shape)
            #expect(FormatFixtures.bits(try back.floats()) == FormatFixtures.bits(values))
        }
    }

    @Test func roundTrips() throws {
        let doubles: [Double] = [1, -0.0, .infinity, .leastNonzeroMagnitude, .pi, -1e300]
        #expect(try NPYArray(parsing: NPYArray.serialize(doubles, shape: [2, 3]), source: "d").littleEndianData
            == doubles.withUnsafeBytes(Array.init))
        let integers: [Int64] = [.min, -1, 0, 1, .max]
        #expect(try NPYArray(parsing: NPYArray.serialize(integers, shape: [5]), source: "i").integers() == integers)
        let scalar = try NPYArray(parsing: NPYArray.serialize([Float(7)], shape: []), source: "s")
        #expect(scalar.shape == [])
        #expect(try scalar.floats() == [7])
        let empty = try NPYArray(parsing: NPYArray.serialize([Float](), shape: [3, 0]), source: "e")
        #expect(empty.shape == [3, 0] && empty.elementCount == 0)
    }

    @Test func writerRejectsAShapeThatDoesNotMatch() throws {
        let error = try #require(inputError { try NPYArray.serialize([Float(1), 2, 3], shape: [2, 2]) })
        #expect(error == InputError(file: "<npy output>", expected: "4 values for shape (2, 2), found 3"))
        let negative = try #require(inputError { try NPYArray.serialize([Double](), shape: [-1]) })
        #expect(negative.expected == "non-negative dimensions, found (-1,)")
    }

    // MARK: Header dialects numpy reads

    @Test(arguments: [
        "{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}",  // any key order, no trailing comma
        "{ 'descr' : '<f4' ,\n 'fortran_order' : False , 'shape' : ( 1 , ) , }\n\n",  // whitespace anywhere
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }",  // Python 2 long
    ])
    func headerVariants(text: String) throws {
        let array = try NPYArray(parsing: npy(text, four), source: "a.npy")
        #expect(array.shape == [1])
    }

    @Test func twoDimensionsWithTrailingComma() throws {
        #expect(try NPYArray(parsing: npy(header(shape: "(1, 1,)"), four), source: "a").shape == [1, 1])
    }

    @Test func longSuffixOnlyBeforeVersion3() throws {
        let error = try parseError(npy(header(shape: "(1L,)"), four, major: 3))
        #expect(error.expected.hasPrefix("an integer dimension in 'shape' at header byte"))
    }

    @Test func version2And3LengthFields() throws {
        #expect(try NPYArray(parsing: npy(header(), four, major: 2), source: "a").majorVersion == 2)
        #expect(try NPYArray(parsing: npy(header(), four, major: 3), source: "a").majorVersion == 3)
    }

    // MARK: Bad files

    @Test func badMagic() throws {
        let error = try parseError(Array("NUMPY\u{1}\u{0}".utf8))
        #expect(error == InputError(file: "a.npy", expected: "a .npy file starting with the magic \\x93NUMPY"))
    }

    @Test func endsAfterTheMagic() throws {
        #expect(try parseError(NPYArray.magic).expected == "a version after the .npy magic, found the end of the file")
        #expect(try parseError(NPYArray.magic + [1, 0, 5]).expected == "a header length after the version, found the end of the file")
    }

    @Test(arguments: [(UInt8(4), UInt8(0)), (1, 1), (0, 0)])
    func unsupportedVersion(major: UInt8, minor: UInt8) throws {
        let error = try parseError(NPYArray.magic + [major, minor, 0, 0])
        #expect(error.expected == ".npy format version 1.0, 2.0 or 3.0, found \(major).\(minor)")
    }

    @Test func headerLongerThanTheFile() throws {
        let error = try parseError(NPYArray.magic + [1, 0, 200, 0] + Array("{}".utf8))
        #expect(error == InputError(file: "a.npy", expected: "a header of 200 bytes as its length field says, but only 2 bytes follow"))
    }

    @Test func headerOverNumpysLimit() throws {
        let error = try parseError(NPYArray.magic + [2, 0, 0x11, 0x27, 0, 0])
        #expect(error.expected == "a header of at most 10000 bytes (NumPy's limit), found a length of 10001")
    }

    @Test(arguments: [
        ("['descr']", "a dict starting with '{' at header byte 0, found '['"),
        ("{descr: '<f4'}", "a key in single quotes or '}' at header byte 1, found 'd'"),
        ("{\"descr\": '<f4'}", "a key in single quotes or '}' at header byte 1, found '\"'"),
        ("{'descr' '<f4'}", "':' after the key 'descr' at header byte 9, found '''"),
        ("{'descr': <f4}", "a string in single quotes for 'descr' at header byte 10, found '<'"),
        ("{'descr': '<f4', 'fortran_order': false}", "True or False for 'fortran_order' at header byte 34, found 'f'"),
        ("{'descr': '<f4', 'fortran_order': 0}", "True or False for 'fortran_order' at header byte 34, found '0'"),
        ("{'descr': '<f4' 'shape': ()}", "',' or '}' after the value of 'descr' at header byte 16, found '''"),
        ("{'descr': '<f4'} x", "only spaces and a newline after the header's dict at header byte 17, found 'x'"),
        ("{'descr': '<f4'", "',' or '}' after the value of 'descr' at header byte 15, found the end of the header"),
        ("{'descr': '<f4',", "a key in single quotes or '}' at header byte 16, found the end of the header"),
    ])
    func headerSyntax(text: String, expected: String) throws {
        let error = try parseError(npy(text))
        #expect(error == InputError(file: "a.npy", expected: expected))
    }

    @Test func unknownKey() throws {
        let error = try parseError(npy("{'descr': '<f4', 'order': 'C'}"))
        #expect(error.expected == "only the keys 'descr', 'fortran_order' and 'shape' in the header, found \"order\"")
    }

    @Test func missingKeys() throws {
        #expect(try parseError(npy("{'descr': '<f4'}")).expected
            == "the keys 'descr', 'fortran_order' and 'shape' in the header, but 'fortran_order', 'shape' are missing")
        #expect(try parseError(npy("{'descr': '<f4', 'fortran_order': False}")).expected
            == "the keys 'descr', 'fortran_order' and 'shape' in the header, but 'shape' is missing")
    }

    @Test func repeatedKey() throws {
        let error = try parseError(npy("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': ()}"))
        #expect(error.expected == "each key once in the header, found 'descr' twice")
    }

    @Test func shapeWithoutTheCommaOfATuple() throws {
        let error = try parseError(npy(header(shape: "(3)"), four + four + four))
        #expect(error.expected == "'shape' to be a tuple, found (3) without the comma of a 1-tuple (3,)")
    }

    @Test(arguments: [("[3]", "a tuple of integers for 'shape'"), ("(2.0,)", "an integer dimension in 'shape'"),
                      ("(True,)", "a non-negative integer or ')' in 'shape'"), ("(1 2)", "',' or ')' in 'shape'")])
    func shapeNotATupleOfIntegers(shape: String, expected: String) throws {
        let error = try parseError(npy(header(shape: shape), four))
        #expect(error.expected.hasPrefix(expected + " at header byte "))
    }

    @Test func negativeDimension() throws {
        #expect(try parseError(npy(header(shape: "(-1,)"))).expected == "non-negative dimensions in 'shape', found -1")
    }

    @Test func dimensionTooLarge() throws {
        let error = try parseError(npy(header(shape: "(99999999999999999999,)")))
        #expect(error.expected == "dimensions below 2^63 in 'shape', found one with more digits")
    }

    @Test func elementCountOverflow() throws {
        let error = try parseError(npy(header(shape: "(4294967296, 4294967296)")))
        #expect(error.expected == "a shape whose element count fits in 63 bits, found (4294967296, 4294967296)")
        let bytes = try parseError(npy(header(shape: "(4611686018427387904,)")))
        #expect(bytes.expected == "a shape whose size in bytes fits in 63 bits, found (4611686018427387904,)")
    }

    @Test func truncatedData() throws {
        let error = try parseError(npy(header(shape: "(2,)"), four))
        #expect(error == InputError(file: "a.npy", expected: "8 bytes of data for shape (2,) of \"<f4\", found 4 (the file is truncated)"))
    }

    @Test func bytesAfterTheData() throws {
        let error = try parseError(npy(header(), four + [0]))
        #expect(error.expected == "4 bytes of data for shape (1,) of \"<f4\", found 5 (there are bytes after the array)")
    }

    /// Each written by numpy itself (`Fixtures/unsupported_*.npy`).
    @Test(arguments: [
        ("object", "\"|O\": an object array (pickled Python objects) is not supported"),
        ("complex64", "\"<c8\": complex numbers are not supported"),
        ("complex128", "\"<c16\": complex numbers are not supported"),
        ("unicode", "\"<U2\": unicode strings are not supported"),
        ("bytes", "\"|S2\": byte strings are not supported"),
        ("void", "\"|V4\": void (raw record) dtypes are not supported"),
        ("uint16", "\"<u2\": unsigned integers wider than 8 bits are not supported"),
        ("datetime", "\"<M8[D]\": datetimes and timedeltas are not supported"),
    ])
    func unsupportedDtype(stem: String, found: String) throws {
        let name = "unsupported_\(stem).npy"
        let error = try #require(inputError { try NPYArray(parsing: try FormatFixtures.bytes(name), source: name) })
        #expect(error == InputError(file: name, expected: "a dtype among \(NPYDescriptor.supportedList), found \(found)"))
    }

    @Test func structuredDtype() throws {
        let name = "unsupported_structured.npy"
        let error = try #require(inputError { try NPYArray(parsing: try FormatFixtures.bytes(name), source: name) })
        #expect(error == InputError(file: name, expected: "a plain numeric dtype, found a structured dtype (a list of fields or a sub-array): not supported"))
    }

    @Test func fortranOrder() throws {
        let name = "unsupported_fortran.npy"
        let error = try #require(inputError { try NPYArray(parsing: try FormatFixtures.bytes(name), source: name) })
        #expect(error == InputError(file: name, expected: "'fortran_order': False (C order); Fortran-ordered arrays are not supported, found True"))
    }

    @Test(arguments: ["'<f4 '", "'f4'", "'=f4'", "'<i1'", "'float32'"])
    func otherSpellingsAreRejected(descr: String) throws {
        let error = try parseError(npy(header(descr: descr), four))
        #expect(error.expected.hasSuffix("it is not a supported array-protocol type string"))
    }

    @Test func floatsOfAnIntegerArray() throws {
        let array = try NPYArray(parsing: try FormatFixtures.bytes("int8.npy"), source: "int8.npy")
        let error = try #require(inputError { try array.floats() })
        #expect(error == InputError(file: "int8.npy", expected: "a floating-point array ('<f8', '<f4' or '<f2') to read as floats, found \"|i1\""))
        let float = try NPYArray(parsing: try FormatFixtures.bytes("float16.npy"), source: "float16.npy")
        #expect(inputError { try float.integers() }?.expected == "an integer or bool array to read as integers, found \"<f2\"")
    }
}
