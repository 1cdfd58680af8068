import Foundation
import Testing
import SalmonIO

/// A BERT `tokenizer_config.json` read as transformers' `BertTokenizerFast` reads it: the keys that
/// set lower-casing, accent stripping and the length limit read, the ones that would change the ids
/// refused by name, unknown keys refused.
@Suite struct WordPieceConfigurationTests {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "café", "Cafe"].joined(separator: "\n") + "\n"

    static func configured(_ json: String?) throws -> (tokenizer: WordPieceTokenizer, maximumLength: Int?) {
        try withTemporaryDirectory { directory in
            let vocab = try directory.write("vocab.txt", text: vocabulary)
            let config = try json.map { try directory.write("tokenizer_config.json", text: $0) }
            return try WordPieceTokenizer.configured(vocabularyFile: vocab, configurationFile: config)
        }
    }

    static func refusal(_ json: String) -> String {
        do {
            _ = try configured(json)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func transformersFiveConfigIsRead() throws {
        // As transformers 5.25 saves it (Tests/SalmonAuditTests/Fixtures/bert_encoder/tokenizer_config.json).
        let (tokenizer, maximum) = try Self.configured("""
            {"backend": "tokenizers", "cls_token": "[CLS]", "do_lower_case": true, "is_local": true, "local_files_only": false,
             "mask_token": "[MASK]", "model_max_length": 12, "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": null,
             "tokenize_chinese_chars": true, "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]"}
            """)
        #expect(maximum == 12 && tokenizer.lowercase && tokenizer.stripAccents)
        #expect(tokenizer.encode("Café") == [2, 5, 3])
    }

    @Test func casedAndUnlimitedConfigs() throws {
        // all-MiniLM-L6-v2's layout with do_lower_case false: accents kept; 10^30 is transformers' "no limit".
        let (cased, maximum) = try Self.configured(#"{"do_lower_case": false, "model_max_length": 1000000000000000019884624838656, "never_split": null}"#)
        #expect(maximum == nil && !cased.lowercase && !cased.stripAccents)
        #expect(cased.encode("Cafe café") == [2, 7, 6, 3])
        let (stripped, _) = try Self.configured(#"{"do_lower_case": false, "strip_accents": true}"#)
        #expect(stripped.encode("café") == [2, 5, 3])
        let (defaults, none) = try Self.configured(nil)
        #expect(defaults.lowercase && none == nil)
    }

    @Test func settingsThatChangeTheIdsAreRefusedByName() {
        let cases: [(String, [String])] = [
            (#"{"tokenize_chinese_chars": false}"#, ["tokenizer_config.json", "tokenize_chinese_chars", "true"]),
            (#"{"do_basic_tokenize": false}"#, ["do_basic_tokenize"]),
            (#"{"never_split": ["cafe"]}"#, ["never_split", "array of 1 element"]),
            (#"{"unk_token": "<unk>"}"#, ["unk_token", "[UNK]", "<unk>"]),
            (#"{"tokenizer_class": "RobertaTokenizer"}"#, ["tokenizer_class", "RobertaTokenizer"]),
            (#"{"do_lower_case": 1}"#, ["do_lower_case", "true or false", "number 1"]),
            (#"{"model_max_length": 0}"#, ["model_max_length", "positive integer"]),
            (#"{"model_max_lenght": 12}"#, ["model_max_lenght", "did you mean", "model_max_length"]),
            (#"{"do_lower_case": true,}"#, ["tokenizer_config.json"]),
        ]
        for (json, words) in cases {
            let message = Self.refusal(json)
            #expect(words.allSatisfy { message.contains($0) }, "\(json): \(message)")
        }
    }

    @Test func booleansAreTheLiteralsOnly() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(#"{"t": true, "f": false, "one": 1, "zero": 0.0, "s": "true"}"#.utf8)) as? [String: Any])
        #expect(JSONValue.boolean(object["t"] as Any) == true && JSONValue.boolean(object["f"] as Any) == false)
        #expect(JSONValue.boolean(object["one"] as Any) == nil && JSONValue.boolean(object["zero"] as Any) == nil && JSONValue.boolean(object["s"] as Any) == nil)
    }
}
