import Foundation

/// A JSON file read exactly as written, or refused with the line and what is wrong there.
///
/// `JSONSerialization` and `JSONDecoder` accept what a reader of the file would not: a key given
/// twice (the decoder keeps one of the two values silently; Python's `json` keeps the other), a
/// trailing comma, and they report a file cut short as "not valid JSON" without saying where.
/// ``validate(_:source:)`` scans the text once, before decoding, and refuses those with the line;
/// ``describeValue(at:in:)`` and ``describe(_:in:)`` turn a `DecodingError` into "expected …,
/// found …" naming the field and quoting the value, never Foundation's debugging text.
public enum JSONDocument {
    /// Refuses text that is not one strict JSON document: not UTF-8, a key twice in one object, a
    /// trailing comma, an unterminated string, object or array (a truncated file), text after the
    /// document, or anything `JSONSerialization` rejects.
    /// - Throws: ``InputError`` naming `source`, the line, and for a duplicated key its path.
    public static func validate(_ data: Data, source: String) throws(InputError) {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw InputError(file: source, expected: "UTF-8 JSON text, found bytes that are not UTF-8")
        }
        enum Frame { case object(keys: Set<String>, expectingKey: Bool, path: String), array(index: Int, path: String) }
        var stack: [Frame] = []
        var line = 1
        var lastSignificant: UInt8 = 0
        var finished = false
        var pendingKey: String?  // the key whose value comes next, naming a nested object or array
        var i = 0
        func path(of frame: Frame?) -> String {
            switch frame {
            case .object(_, _, let p), .array(_, let p): return p
            case nil: return ""
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") { line += 1 }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") { i += 1; continue }
            if finished {
                throw InputError(file: source, line: line, expected: "one JSON document, found more text after it")
            }
            switch c {
            case UInt8(ascii: "\""):
                let start = i + 1, startLine = line
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    if i < bytes.count && bytes[i] == UInt8(ascii: "\n") { line += 1 }
                    i += 1
                }
                guard i < bytes.count else {
                    throw InputError(file: source, line: startLine, expected: "a complete JSON document, but a string that starts here never ends (is the file cut short?)")
                }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if case .object(_, true, let p) = stack.last, case .object(var keys, _, _) = stack.removeLast() {
                    // Taken off the stack, the key set is not shared and grows in place: copied
                    // for every key, a 50,000-key object (GPT-2's vocab.json) took quadratic time.
                    let keyPath = p.isEmpty ? text : p + "." + text
                    guard keys.insert(text).inserted else {
                        throw InputError(file: source, line: startLine, field: keyPath, expected: "each key once in an object, found \"\(text)\" twice")
                    }
                    stack.append(.object(keys: keys, expectingKey: false, path: p))
                    lastSignificant = UInt8(ascii: ":")  // a key: the value that follows is named by it
                    pendingKey = keyPath
                } else {
                    lastSignificant = c
                }
                i += 1
                if stack.isEmpty { finished = true }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var p = pendingKey ?? ""
                if pendingKey == nil, case .array(let index, let parent) = stack.last { p = parent + "[\(index)]" }
                pendingKey = nil
                stack.append(c == UInt8(ascii: "{") ? .object(keys: [], expectingKey: true, path: p) : .array(index: 0, path: p))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastSignificant == UInt8(ascii: ",") {
                    throw InputError(file: source, line: line, expected: "a value after the comma, found '\(Character(Unicode.Scalar(c)))' (a trailing comma)")
                }
                guard !stack.isEmpty else { throw InputError(file: source, line: line, expected: "JSON, found an unmatched '\(Character(Unicode.Scalar(c)))'") }
                stack.removeLast()
                if stack.isEmpty { finished = true }
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let keys, _, let p): stack[stack.count - 1] = .object(keys: keys, expectingKey: true, path: p)
                case .array(let index, let p): stack[stack.count - 1] = .array(index: index + 1, path: p)
                case nil: break
                }
            default:
                if stack.isEmpty && c != UInt8(ascii: ":") {
                    guard Array("-0123456789tfn".utf8).contains(c) else {
                        let begins = String(decoding: bytes[i..<min(i + 20, bytes.count)], as: UTF8.self)
                        throw InputError(file: source, line: line, expected: "a JSON document, found text that is not JSON (it begins \(InputError.quoted(begins)))")
                    }
                    // A scalar document: the whole text is one value.
                    while i < bytes.count && !(bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\n") || bytes[i] == UInt8(ascii: "\t") || bytes[i] == UInt8(ascii: "\r")) { i += 1 }
                    finished = true
                    continue
                }
            }
            if c != UInt8(ascii: "\"") { lastSignificant = c }
            if c != UInt8(ascii: ":") { pendingKey = nil }
            i += 1
        }
        if let open = stack.last {
            let what: String
            if case .object = open { what = "an object" } else { what = "an array" }
            let at = path(of: open)
            throw InputError(file: source, line: line, expected: "a complete JSON document, but it ends inside \(what)\(at.isEmpty ? "" : " ('\(at)')") after \(bytes.count) bytes (is the file cut short?)")
        }
        guard finished else { throw InputError(file: source, expected: "a JSON document, found an empty file") }
        do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            // Foundation says "Invalid value around character 473.": name the line and quote the text there.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
            if let range = detail.range(of: "character "), let offset = Int(detail[range.upperBound...].prefix { $0.isNumber }),
               offset < bytes.count {
                let line = 1 + bytes[..<offset].filter { $0 == UInt8(ascii: "\n") }.count
                let text = String(decoding: bytes[offset..<min(offset + 20, bytes.count)], as: UTF8.self)
                throw InputError(file: source, line: line, expected: "a JSON value, found \(InputError.quoted(text.prefix { $0 != "\n" }))")
            }
            throw InputError(file: source, expected: "valid JSON")
        }
    }

    /// The value at `path` in the JSON `data` as a message quotes it: `the string "small"`,
    /// `the number 1.5`, `null`, `an array of 3 elements`, `an object`; nil when the path does not
    /// lead to a value.
    public static func describeValue(at path: [any CodingKey], in data: Data) -> String? {
        guard var value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        for key in path {
            if let index = key.intValue, let array = value as? [Any] {
                guard array.indices.contains(index) else { return nil }
                value = array[index]
            } else if let object = value as? [String: Any], let next = object[key.stringValue] {
                value = next
            } else {
                return nil
            }
        }
        return JSONValue.describe(value)
    }

    /// A coding path as messages name fields: `tests[0].pValue`, `sizes[1]`.
    public static func fieldPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out
    }

    /// A decoding error of JSON `data` as the field at fault and what was expected there, quoting
    /// what was found (never Foundation's debugging text).
    public static func describe(_ error: DecodingError, in data: Data) -> (field: String, expected: String) {
        switch error {
        case .typeMismatch(let type, let context):
            let found = describeValue(at: context.codingPath, in: data) ?? "a value of another kind"
            return (fieldPath(context.codingPath), "\(kind(type)), found \(found)")
        case .valueNotFound(let type, let context):
            return (fieldPath(context.codingPath), "\(kind(type)), found null")
        case .keyNotFound(let key, let context):
            return (fieldPath(context.codingPath + [key]), "a value (the field is required), found none")
        case .dataCorrupted(let context):
            if let found = describeValue(at: context.codingPath, in: data), !context.codingPath.isEmpty {
                return (fieldPath(context.codingPath), "a value this field accepts, found \(found)")
            }
            return (fieldPath(context.codingPath), "valid JSON of this file's kind")
        @unknown default:
            return ("", "valid JSON of this file's kind")
        }
    }

    /// What a Swift type reads from JSON, in words: `an integer`, `a number`, `a list`.
    public static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.contains("Unkeyed") { return "a list" }
            return "an object"
        }
    }
}
