import Foundation
import SalmonDiagnostics

/// A Hugging Face configuration object (`config.json`, `tokenizer_config.json`) and the reads
/// every loader of one makes, each refusal naming the file and the key (SalmonNetworks'
/// `HuggingFaceConfiguration` and `BertCheckpoint`, ``WordPieceTokenizer``).
public struct ConfigurationObject {
    public let object: [String: Any]
    public let source: String
    /// The transformers class whose keys these are (`GPT2Config`), for messages.
    public let name: String

    public init(object: [String: Any], source: String, name: String) {
        self.object = object
        self.source = source
        self.name = name
    }

    /// Refuses the first key (in sorted order) outside `known`, naming the nearest known one.
    public func rejectUnknownKeys(known: Set<String>) throws(InputError) {
        for key in object.keys.sorted() where !known.contains(key) {
            let near = nearestName(to: key, in: Array(known)).map { "; did you mean \"\($0)\"?" } ?? ""
            throw InputError(file: source, field: key, expected: "a \(name) key this loader reads or knows to be irrelevant to a forward pass; it does not support this one\(near)")
        }
    }

    /// A required positive integer.
    public func size(_ key: String) throws(InputError) -> Int {
        guard let value = object[key] else { throw InputError(file: source, field: key, expected: "a positive integer (\(name)'s \(key))") }
        guard case .value(let n) = JSONValue.nonNegativeInteger(value), n > 0 else {
            throw InputError(file: source, field: key, expected: "a positive integer, found \(JSONValue.describe(value))")
        }
        return n
    }

    /// An optional positive finite number (nil when absent).
    public func positiveNumber(_ key: String) throws(InputError) -> Float? {
        guard let given = object[key] else { return nil }
        guard let x = (given as? NSNumber)?.doubleValue, !(given is Bool), x > 0, x.isFinite else {
            throw InputError(file: source, field: key, expected: "a positive number, found \(JSONValue.describe(given))")
        }
        return Float(x)
    }
}
