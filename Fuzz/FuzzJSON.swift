// Fuzz target: the strict JSON reader (JSONDocument) that every JSON input passes first
// (architecture files, results.json, baseline.json, shard.json, unit records).
// Invariants: it never crashes; a refusal is an InputError of one line; what it accepts,
// JSONSerialization parses too, with no key twice in an object (checked independently here on the
// parsed value's source), and the value written back (sorted keys) is accepted again; the value at
// any path of the accepted document is described without crashing.
import Foundation
import SalmonIO

/// Whether some object in `text` has a key twice, by a second, independent scan: keys are the
/// strings followed by ':' (outside strings), grouped by their object's nesting position.
func hasDuplicateKey(_ bytes: [UInt8]) -> Bool {
    var stack: [Set<[UInt8]>] = []
    var i = 0
    var lastString: [UInt8]? = nil
    while i < bytes.count {
        let c = bytes[i]
        if c == UInt8(ascii: "\"") {
            var j = i + 1
            var s: [UInt8] = []
            while j < bytes.count && bytes[j] != UInt8(ascii: "\"") {
                if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count { s.append(bytes[j]); j += 1 }
                s.append(bytes[j]); j += 1
            }
            lastString = s
            i = j + 1
            continue
        }
        switch c {
        case UInt8(ascii: "{"): stack.append([])
        case UInt8(ascii: "}"): if !stack.isEmpty { stack.removeLast() }
        case UInt8(ascii: "["): stack.append([])  // arrays hold no keys; a placeholder keeps depth
        case UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
        case UInt8(ascii: ":"):
            if let key = lastString, !stack.isEmpty {
                if stack[stack.count - 1].contains(key) { return true }
                stack[stack.count - 1].insert(key)
            }
        default: break
        }
        if c != UInt8(ascii: " ") && c != UInt8(ascii: "\n") && c != UInt8(ascii: "\t") && c != UInt8(ascii: "\r") && c != UInt8(ascii: ":") {
            lastString = nil
        }
        i += 1
    }
    return false
}

struct Key: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.intValue = intValue; stringValue = String(intValue) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    do {
        try JSONDocument.validate(bytes, source: "fuzz.json")
    } catch {
        if error.description.contains("\n") { fatalError("multi-line message: \(error.description)") }
        return 0
    }
    guard let value = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]) else {
        fatalError("accepted what JSONSerialization rejects")
    }
    if hasDuplicateKey([UInt8](bytes)) { fatalError("accepted an object with a key twice") }
    if JSONSerialization.isValidJSONObject(value),
       let written = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
        do { try JSONDocument.validate(written, source: "written.json") } catch {
            fatalError("the value written back is refused: \(error)")
        }
    }
    // Describe the values along the first path of keys and indices.
    var path: [any CodingKey] = []
    var node: Any = value
    for _ in 0..<8 {
        _ = JSONDocument.describeValue(at: path, in: bytes)
        if let object = node as? [String: Any], let key = object.keys.sorted().first, let next = object[key] {
            path.append(Key(stringValue: key)); node = next
        } else if let array = node as? [Any], let first = array.first {
            path.append(Key(intValue: 0)); node = first
        } else {
            break
        }
    }
    return 0
}
