import Foundation

/// An array read from a NumPy `.npy` file: its dtype, shape and little-endian data.
///
/// Format (numpy.lib.format, NEP 1): the magic `\x93NUMPY`, a major and a minor version byte,
/// the header length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), the header
/// (a Python dict literal, see ``NPYHeader``; Latin-1 in 1.0 and 2.0, UTF-8 in 3.0), then the
/// raw data in C order. Supported dtypes are listed in ``NPYDescriptor``; big-endian data is
/// converted to little-endian when read, so ``littleEndianData`` is what a little-endian
/// machine would hold. Fortran-ordered arrays are rejected. The data must be exactly
/// shape × itemsize bytes: NumPy ignores trailing bytes after an array, this reader reports
/// them. Every problem is an ``InputError`` naming the file (and the `.npz` member), never a
/// crash.
public struct NPYArray: Sendable, Equatable {
    /// The magic string every `.npy` file starts with.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// NumPy's default limit on the header's length (`_MAX_HEADER_SIZE`).
    public static let maximumHeaderLength = 10_000

    /// The file name used in messages.
    public let source: String
    /// The `field` of this array's errors: `array "x"` inside an `.npz`, nil for a `.npy` file.
    public let field: String?
    /// The format version: 1, 2 or 3 (the minor version is always 0).
    public let majorVersion: Int
    /// The header's `descr`, as written (`<f4`, `>i8`, `|b1`, …).
    public let descr: String
    public let elementType: ElementType
    /// Whether the file stored the data big-endian (it has been converted).
    public let isBigEndian: Bool
    /// The dimensions; empty for a 0-dimensional array.
    public let shape: [Int]
    /// The product of the dimensions.
    public let elementCount: Int
    /// The data as little-endian bytes in C order.
    public let littleEndianData: [UInt8]

    /// Parses a complete `.npy` file.
    /// - Parameters:
    ///   - source: the file name used in messages.
    ///   - field: what to call the array in messages (for `.npz` members).
    public init(parsing data: Data, source: String, field: String? = nil) throws(InputError) {
        try self.init(parsing: [UInt8](data), source: source, field: field)
    }

    /// What a `.npy` header declares: the dtype, the shape, where the data start and how many
    /// bytes they take.
    struct Layout {
        var major: Int
        var descr: String
        var descriptor: NPYDescriptor
        var shape: [Int]
        var count: Int
        var dataStart: Int
        var byteCount: Int
        /// The size of the whole file the header describes.
        var fileSize: Int { dataStart + byteCount }
    }

    /// Reads the header at the start of `bytes` (which may be only the file's beginning).
    /// - Throws: ``InputError`` from `fail` for a bad magic, version, header or dtype.
    static func layout(_ bytes: [UInt8], fail: (String) -> InputError) throws(InputError) -> Layout {
        guard bytes.starts(with: Self.magic) else {
            throw fail("a .npy file starting with the magic \\x93NUMPY")
        }
        guard bytes.count >= 8 else { throw fail("a version after the .npy magic, found the end of the file") }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw fail(".npy format version 1.0, 2.0 or 3.0, found \(major).\(minor)")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw fail("a header length after the version, found the end of the file") }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let headerStart = 8 + lengthSize
        guard headerLength <= Self.maximumHeaderLength else {
            throw fail("a header of at most \(Self.maximumHeaderLength) bytes (NumPy's limit), found a length of \(headerLength)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail("a header of \(headerLength) bytes as its length field says, but only \(bytes.count - headerStart) bytes follow")
        }
        let header = try NPYHeader(parsing: bytes[headerStart..<(headerStart + headerLength)],
                                   allowLongSuffix: major <= 2, fail: fail)
        let descr: String
        switch header.descr {
        case .structured:
            throw fail("a plain numeric dtype, found a structured dtype (a list of fields or a sub-array): not supported")
        case .typeString(let text):
            descr = text
        }
        let (parsed, problem) = NPYDescriptor.parse(descr)
        guard let descriptor = parsed else { throw fail(problem ?? "a supported dtype") }
        guard !header.fortranOrder else {
            throw fail("'fortran_order': False (C order); Fortran-ordered arrays are not supported, found True")
        }
        var count = 1
        for size in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("a shape whose element count fits in 63 bits, found \(Self.describe(header.shape))") }
            count = product
        }
        let itemSize = descriptor.elementType.byteCount
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, byteCount <= Int.max - headerStart - headerLength else {
            throw fail("a shape whose size in bytes fits in 63 bits, found \(Self.describe(header.shape))")
        }
        return Layout(major: major, descr: descr, descriptor: descriptor, shape: header.shape, count: count,
                      dataStart: headerStart + headerLength, byteCount: byteCount)
    }

    /// Parses a complete `.npy` file.
    public init(parsing bytes: [UInt8], source: String, field: String? = nil) throws(InputError) {
        func fail(_ expected: String) -> InputError { InputError(file: source, field: field, expected: expected) }
        let layout = try Self.layout(bytes, fail: fail)
        let (major, descr, descriptor, count, dataStart, byteCount) = (layout.major, layout.descr, layout.descriptor, layout.count,
                                                                          layout.dataStart, layout.byteCount)
        let itemSize = descriptor.elementType.byteCount
        let found = bytes.count - dataStart
        guard found == byteCount else {
            let why = found < byteCount ? "the file is truncated" : "there are bytes after the array"
            throw fail("\(byteCount) bytes of data for shape \(Self.describe(layout.shape)) of \(InputError.quoted(descr)), found \(found) (\(why))")
        }
        var data = Array(bytes[dataStart...])
        if descriptor.isBigEndian { ElementDecoding.swapByteOrder(&data, elementSize: itemSize) }

        self.source = source
        self.field = field
        self.majorVersion = major
        self.descr = descr
        self.elementType = descriptor.elementType
        self.isBigEndian = descriptor.isBigEndian
        self.shape = layout.shape
        self.elementCount = count
        self.littleEndianData = data
    }

    /// The elements of a floating-point array (`f8`, `f4`, `f2`) as `Float`, in C order;
    /// float16 widens exactly, float64 rounds to nearest.
    public func floats() throws(InputError) -> [Float] {
        guard elementType.isFloatingPoint else {
            throw InputError(file: source, field: field,
                             expected: "a floating-point array ('<f8', '<f4' or '<f2') to read as floats, found \(InputError.quoted(descr))")
        }
        return littleEndianData.withUnsafeBytes { ElementDecoding.floats($0, as: elementType) }
    }

    /// The elements of a floating-point array (`f8`, `f4`, `f2`) as `Double`, in C order; every
    /// type widens exactly, so float64 data (real-valued targets, say) keeps all its bits.
    public func doubles() throws(InputError) -> [Double] {
        guard elementType.isFloatingPoint else {
            throw InputError(file: source, field: field,
                             expected: "a floating-point array ('<f8', '<f4' or '<f2') to read as floats, found \(InputError.quoted(descr))")
        }
        return littleEndianData.withUnsafeBytes { ElementDecoding.doubles($0, as: elementType) }
    }

    /// The elements of an integer or bool array (`i8`, `i4`, `i2`, `i1`, `u1`, `b1`) as
    /// `Int64`, in C order; bools read as 0 or 1.
    public func integers() throws(InputError) -> [Int64] {
        guard !elementType.isFloatingPoint else {
            throw InputError(file: source, field: field,
                             expected: "an integer or bool array to read as integers, found \(InputError.quoted(descr))")
        }
        return littleEndianData.withUnsafeBytes { ElementDecoding.integers($0, as: elementType) }
    }

    /// A shape as Python writes a tuple: `()`, `(3,)`, `(2, 3)`.
    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
