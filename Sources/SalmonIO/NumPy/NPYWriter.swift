import Foundation

extension NPYArray {
    /// A `.npy` file (version 1.0) holding `values` as `<f4` with `shape`, byte for byte as
    /// `numpy.save` writes it.
    public static func serialize(_ values: [Float], shape: [Int], destination: String = "<npy output>") throws(InputError) -> Data {
        try serialize(descr: "<f4", count: values.count, shape: shape, destination: destination) { out in
            values.withUnsafeBytes { out.append(contentsOf: $0) }
        }
    }

    /// A `.npy` file (version 1.0) holding `values` as `<f8` with `shape`.
    public static func serialize(_ values: [Double], shape: [Int], destination: String = "<npy output>") throws(InputError) -> Data {
        try serialize(descr: "<f8", count: values.count, shape: shape, destination: destination) { out in
            values.withUnsafeBytes { out.append(contentsOf: $0) }
        }
    }

    /// A `.npy` file (version 1.0) holding `values` as `<i8` with `shape`.
    public static func serialize(_ values: [Int64], shape: [Int], destination: String = "<npy output>") throws(InputError) -> Data {
        try serialize(descr: "<i8", count: values.count, shape: shape, destination: destination) { out in
            values.withUnsafeBytes { out.append(contentsOf: $0) }
        }
    }

    /// The header as numpy.lib.format's `_write_array_header` and `_wrap_header` build it: the
    /// dict with sorted keys and a trailing `, `, spaces for the first dimension to grow to 21
    /// digits (`GROWTH_AXIS_MAX_DIGITS`), then spaces and a newline so that the data starts at a
    /// multiple of 64 bytes (`ARRAY_ALIGN`; a whole 64 spaces when already aligned, as NumPy
    /// does).
    static func serialize(descr: String, count: Int, shape: [Int], destination: String,
                          appendData: (inout Data) -> Void) throws(InputError) -> Data {
        var product = 1
        for size in shape {
            guard size >= 0 else { throw InputError(file: destination, expected: "non-negative dimensions, found \(describe(shape))") }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { throw InputError(file: destination, expected: "a shape whose element count fits in 63 bits, found \(describe(shape))") }
            product = next
        }
        guard product == count else {
            throw InputError(file: destination, expected: "\(product) values for shape \(describe(shape)), found \(count)")
        }
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(describe(shape)), }"
        if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        let padding = 64 - unpadded % 64
        header += String(repeating: " ", count: padding) + "\n"
        let length = header.utf8.count
        guard length <= 0xFFFF else {
            throw InputError(file: destination, expected: "a header below 65 536 bytes for format version 1.0, found \(length)")
        }
        var file = Data(magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
        file.append(contentsOf: Array(header.utf8))
        if UInt16(1).littleEndian == 1 {
            appendData(&file)
        } else {
            // A big-endian machine: write little-endian bytes.
            var data = Data()
            appendData(&data)
            var bytes = [UInt8](data)
            ElementDecoding.swapByteOrder(&bytes, elementSize: descr == "<f4" ? 4 : 8)
            file.append(contentsOf: bytes)
        }
        return file
    }
}
