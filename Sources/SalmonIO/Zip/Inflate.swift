/// Decompression of raw DEFLATE data (RFC 1951), as zip stores members with method 8.
///
/// Handles stored (3.2.4), fixed-Huffman (3.2.6) and dynamic-Huffman (3.2.7) blocks. Huffman
/// codes are decoded through a 9-bit lookup table with a canonical bit-by-bit fallback for longer
/// codes; the checks on code sets follow Mark Adler's reference decoder `puff.c` (an
/// over-subscribed set is an error; an incomplete one is allowed only as a single 1-bit code;
/// the code-length code must be complete; the literal/length code must contain end-of-block).
///
/// The size of the output is known in advance (zip records it), so the output is allocated once
/// and every write is checked against it. Reading past the end of the input, more or fewer
/// output bytes than expected, a distance reaching before the start of the output and invalid
/// symbols are reported as ``Failure``s; no input makes it crash.
enum Inflate {
    /// Why a stream could not be decompressed.
    struct Failure: Error, Equatable {
        var reason: String
        /// The data decompress to more bytes than the output holds.
        var isOverflow = false
    }

    /// The first bytes `input` decompresses to, at most `limit` of them (fewer when a block that
    /// would cross the limit is not copied in part), without inflating the rest: enough to read
    /// what a member's own header declares before committing to its whole size.
    static func decompressPrefix(_ input: ArraySlice<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(limit, 1))
        output.initialize(repeating: 0)
        defer { output.deallocate() }
        let result = input.withUnsafeBytes { raw -> Result<Int, Failure> in
            var decoder = Decoder(reader: BitReader(input: raw), output: UnsafeMutableBufferPointer(rebasing: output[0..<limit]),
                                  exact: false)
            do throws(Failure) {
                try decoder.run()
                return .success(decoder.written)
            } catch {
                return error.isOverflow ? .success(decoder.written) : .failure(error)
            }
        }
        switch result {
        case .success(let written): return Array(output[0..<written])
        case .failure(let failure): throw failure
        }
    }

    /// Decompresses `input`, which must produce exactly `count` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, count: Int) throws(Failure) -> [UInt8] {
        guard count >= 0 else { throw Failure(reason: "a non-negative output size") }
        let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(count, 1))
        output.initialize(repeating: 0)
        defer { output.deallocate() }
        let failure = input.withUnsafeBytes { raw -> Failure? in
            var decoder = Decoder(reader: BitReader(input: raw), output: UnsafeMutableBufferPointer(rebasing: output[0..<count]))
            do throws(Failure) {
                try decoder.run()
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return Array(output[0..<count])
    }

    /// Bits of the input, least significant first (RFC 1951 3.1.1). Past the end of the input
    /// it reads zeros and records the overrun, which the decoder turns into an error.
    private struct BitReader {
        let input: UnsafeRawBufferPointer
        /// The next byte to load into `buffer`.
        var position = 0
        var buffer: UInt64 = 0
        /// Valid bits in `buffer`.
        var available = 0

        init(input: UnsafeRawBufferPointer) { self.input = input }

        @inline(__always)
        mutating func refill() {
            while available <= 56 {
                let byte: UInt64 = position < input.count ? UInt64(input[position]) : 0
                buffer |= byte << UInt64(available)
                position &+= 1
                available &+= 8
            }
        }

        /// Whether more bits were consumed than the input holds.
        var overrun: Bool { position &* 8 &- available > input.count &* 8 }

        /// The next `n` (≤ 32) bits as an integer.
        @inline(__always)
        mutating func bits(_ n: Int) -> Int {
            if available < n { refill() }
            let value = Int(buffer & ((1 << UInt64(n)) &- 1))
            buffer >>= UInt64(n)
            available &-= n
            return value
        }

        @inline(__always)
        mutating func consume(_ n: Int) {
            buffer >>= UInt64(n)
            available &-= n
        }
    }

    /// A canonical Huffman code (RFC 1951 3.2.2) given by its code lengths.
    private struct Huffman {
        static let fastBits = 9
        /// Indexed by the next `fastBits` input bits: `symbol << 4 | length` for codes of at most
        /// `fastBits` bits, 0 otherwise.
        var fast: [UInt16]
        /// Number of codes of each length 0…15.
        var counts: [Int]
        /// Symbols ordered by code (by length, then symbol value).
        var symbols: [UInt16]
        /// 0 for a complete code, > 0 for an incomplete one, < 0 for an over-subscribed one.
        var left: Int

        init(lengths: [UInt8]) {
            var counts = [Int](repeating: 0, count: 16)
            for length in lengths { counts[Int(length & 15)] += 1 }
            var left = 1
            for length in 1...15 {
                left <<= 1
                left -= counts[length]
                if left < 0 { break }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            var symbols = [UInt16](repeating: 0, count: lengths.count)
            if left >= 0 {
                for (symbol, length) in lengths.enumerated() where length != 0 {
                    symbols[offsets[Int(length)]] = UInt16(symbol)
                    offsets[Int(length)] += 1
                }
            }
            var fast = [UInt16](repeating: 0, count: 1 << Self.fastBits)
            if left >= 0 {
                var code = 0, index = 0
                for length in 1...Self.fastBits {
                    for k in 0..<counts[length] {
                        // Codes are sent most significant bit first: index the table by the reversal.
                        var reversed = 0, c = code + k
                        for _ in 0..<length { reversed = (reversed << 1) | (c & 1); c >>= 1 }
                        let entry = symbols[index + k] << 4 | UInt16(length)
                        var slot = reversed
                        while slot < fast.count { fast[slot] = entry; slot += 1 << length }
                    }
                    index += counts[length]
                    code = (code + counts[length]) << 1
                }
            }
            self.fast = fast
            self.counts = counts
            self.symbols = symbols
            self.left = left
        }

        /// The next symbol.
        @inline(__always)
        func decode(_ reader: inout BitReader) throws(Failure) -> Int {
            if reader.available < 16 { reader.refill() }
            let entry = fast[Int(reader.buffer & UInt64((1 << Self.fastBits) - 1))]
            if entry != 0 {
                reader.consume(Int(entry & 15))
                return Int(entry >> 4)
            }
            // Longer code (or none): canonical decoding one bit at a time (puff.c's `decode`).
            var bits = reader.buffer
            var code = 0, first = 0, index = 0
            for length in 1...15 {
                code |= Int(bits & 1)
                bits >>= 1
                let count = counts[length]
                if code - first < count {
                    reader.consume(length)
                    return Int(symbols[index + code - first])
                }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw Failure(reason: "a valid Huffman code, found a bit sequence that codes nothing")
        }
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                             4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
                                              769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
                                               10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which code-length code lengths are sent (RFC 1951 3.2.7).
    private static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// The fixed literal/length and distance codes (RFC 1951 3.2.6).
    private static let fixedCodes: (literals: Huffman, distances: Huffman) = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return (Huffman(lengths: lengths), Huffman(lengths: [UInt8](repeating: 5, count: 30)))
    }()

    private struct Decoder {
        var reader: BitReader
        let output: UnsafeMutableBufferPointer<UInt8>
        var written = 0
        /// Whether the data must fill the output exactly (false: a prefix is being read).
        let exact: Bool

        init(reader: BitReader, output: UnsafeMutableBufferPointer<UInt8>, exact: Bool = true) {
            self.reader = reader
            self.output = output
            self.exact = exact
        }

        mutating func run() throws(Failure) {
            var last = 0
            repeat {
                last = reader.bits(1)
                let type = reader.bits(2)
                if reader.overrun { throw Self.truncated }
                switch type {
                case 0: try stored()
                case 1: try codes(Inflate.fixedCodes.literals, Inflate.fixedCodes.distances)
                case 2: try dynamic()
                default: throw Failure(reason: "a block type 0, 1 or 2, found the reserved type 3")
                }
                if reader.overrun { throw Self.truncated }
            } while last == 0
            guard !exact || written == output.count else {
                throw Failure(reason: "\(output.count) bytes as recorded, but the data decompressed to \(written)")
            }
        }

        static let truncated = Failure(reason: "more compressed data: the deflate stream ends early")
        var tooLong: Failure { Failure(reason: "\(output.count) bytes as recorded, but the data decompresses to more", isOverflow: true) }

        /// A stored block (RFC 1951 3.2.4): LEN, its complement NLEN, then LEN raw bytes.
        mutating func stored() throws(Failure) {
            reader.consume(reader.available & 7)
            let length = reader.bits(16)
            let complement = reader.bits(16)
            if reader.overrun { throw Self.truncated }
            guard length == ~complement & 0xFFFF else {
                throw Failure(reason: "a stored block length and its complement, found \(length) and \(complement)")
            }
            // Give back the whole bytes still buffered, then copy straight from the input.
            reader.position -= reader.available / 8
            reader.buffer = 0
            reader.available = 0
            guard reader.position <= reader.input.count, length <= reader.input.count - reader.position else {
                throw Self.truncated
            }
            guard length <= output.count - written else { throw tooLong }
            for i in 0..<length { output[written + i] = reader.input[reader.position + i] }
            reader.position += length
            written += length
        }

        /// A dynamic block's code definitions (RFC 1951 3.2.7), then its data.
        mutating func dynamic() throws(Failure) {
            let literalCount = reader.bits(5) + 257
            let distanceCount = reader.bits(5) + 1
            let codeLengthCount = reader.bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else {
                throw Failure(reason: "at most 286 literal/length and 30 distance codes, found \(literalCount) and \(distanceCount)")
            }
            var codeLengths = [UInt8](repeating: 0, count: 19)
            for i in 0..<codeLengthCount { codeLengths[Inflate.codeLengthOrder[i]] = UInt8(reader.bits(3)) }
            if reader.overrun { throw Self.truncated }
            let codeLengthCode = Huffman(lengths: codeLengths)
            guard codeLengthCode.left == 0 else {
                throw Failure(reason: "a complete code-length code, found an \(codeLengthCode.left < 0 ? "over-subscribed" : "incomplete") one")
            }
            let total = literalCount + distanceCount
            var lengths = [UInt8](repeating: 0, count: total)
            var index = 0
            while index < total {
                let symbol = try codeLengthCode.decode(&reader)
                if reader.overrun { throw Self.truncated }
                if symbol < 16 {
                    lengths[index] = UInt8(symbol)
                    index += 1
                    continue
                }
                var length: UInt8 = 0
                let repeats: Int
                switch symbol {
                case 16:
                    guard index > 0 else { throw Failure(reason: "a code length before the first repeat code, found none") }
                    length = lengths[index - 1]
                    repeats = 3 + reader.bits(2)
                case 17: repeats = 3 + reader.bits(3)
                default: repeats = 11 + reader.bits(7)
                }
                if reader.overrun { throw Self.truncated }
                guard repeats <= total - index else {
                    throw Failure(reason: "\(total) code lengths, found a repeat running past them")
                }
                for i in index..<(index + repeats) { lengths[i] = length }
                index += repeats
            }
            guard lengths[256] != 0 else { throw Failure(reason: "a code for end-of-block, found none") }
            let literals = Huffman(lengths: Array(lengths[0..<literalCount]))
            if literals.left < 0 || (literals.left > 0 && literalCount != literals.counts[0] + literals.counts[1]) {
                throw Failure(reason: "a complete literal/length code, found an \(literals.left < 0 ? "over-subscribed" : "incomplete") one")
            }
            let distances = Huffman(lengths: Array(lengths[literalCount..<total]))
            if distances.left < 0 || (distances.left > 0 && distanceCount != distances.counts[0] + distances.counts[1]) {
                throw Failure(reason: "a complete distance code, found an \(distances.left < 0 ? "over-subscribed" : "incomplete") one")
            }
            try codes(literals, distances)
        }

        /// Literals and length/distance pairs up to end-of-block (RFC 1951 3.2.5).
        mutating func codes(_ literals: Huffman, _ distances: Huffman) throws(Failure) {
            while true {
                let symbol = try literals.decode(&reader)
                if reader.overrun { throw Self.truncated }
                if symbol < 256 {
                    guard written < output.count else { throw tooLong }
                    output[written] = UInt8(truncatingIfNeeded: symbol)
                    written += 1
                    continue
                }
                if symbol == 256 { return }
                let lengthSymbol = symbol - 257
                guard lengthSymbol < 29 else { throw Failure(reason: "a length symbol 257…285, found \(symbol)") }
                let length = Inflate.lengthBase[lengthSymbol] + reader.bits(Inflate.lengthExtra[lengthSymbol])
                let distanceSymbol = try distances.decode(&reader)
                guard distanceSymbol < 30 else { throw Failure(reason: "a distance symbol 0…29, found \(distanceSymbol)") }
                let distance = Inflate.distanceBase[distanceSymbol] + reader.bits(Inflate.distanceExtra[distanceSymbol])
                if reader.overrun { throw Self.truncated }
                guard distance <= written else {
                    throw Failure(reason: "a distance within the \(written) bytes written so far, found \(distance)")
                }
                guard length <= output.count - written else { throw tooLong }
                // Byte by byte: the source may overlap what is being written (a run).
                var from = written - distance
                for to in written..<(written + length) {
                    output[to] = output[from]
                    from += 1
                }
                written += length
            }
        }
    }
}
