import Foundation

extension WordPieceTokenizer {
    /// The `tokenizer_config.json` keys this reader uses (`do_lower_case`, `strip_accents`,
    /// `model_max_length`), those it checks hold the value it implements, and those that do not
    /// change the ids of one unpadded sequence (transformers 4.x–5.x `BertTokenizer(Fast)`).
    static let readKeys: Set<String> = ["do_lower_case", "strip_accents", "model_max_length"]
    static let checkedKeys: Set<String> = ["tokenize_chinese_chars", "do_basic_tokenize", "never_split", "unk_token", "sep_token",
                                           "pad_token", "cls_token", "mask_token", "tokenizer_class"]
    public static let ignoredKeys: Set<String> = [
        "name_or_path", "special_tokens_map_file", "added_tokens_decoder", "clean_up_tokenization_spaces", "extra_special_tokens",
        "model_input_names", "padding_side", "truncation_side", "max_length", "stride", "pad_to_multiple_of", "pad_token_type_id",
        "truncation_strategy", "full_tokenizer_file", "tokenizer_file", "auto_map", "additional_special_tokens", "backend", "is_local",
        "local_files_only",
    ]

    /// A tokenizer on `vocabularyFile` (BERT's `vocab.txt`) configured by the `tokenizer_config.json`
    /// beside it, as transformers' `BertTokenizerFast` reads one: `do_lower_case` (default true),
    /// `strip_accents` (null follows lower-casing). Keys that would make the tokenizer compute
    /// other ids than ``encode(_:addingSpecialTokens:)`` — Chinese characters not split, no basic
    /// tokenization, words never split, special tokens under other names, a tokenizer class other
    /// than BERT's — are refused, and so is any key the reader does not know.
    /// - Parameter configurationFile: the config's path, or nil for transformers' defaults.
    /// - Returns: the tokenizer and `model_max_length` (nil when absent or transformers' "no
    ///   limit", a value of 10³⁰ and more).
    /// - Throws: ``InputError`` naming the file and the key.
    public static func configured(vocabularyFile: String, configurationFile: String?) throws -> (tokenizer: WordPieceTokenizer, maximumLength: Int?) {
        guard let configurationFile else { return (try WordPieceTokenizer(vocabularyFile: vocabularyFile), nil) }
        let (text, source) = try InputFile.readText(configurationFile)
        let data = Data(text.utf8)
        try JSONDocument.validate(data, source: source)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(file: source, expected: "a JSON object (a Hugging Face tokenizer_config.json)")
        }
        let config = ConfigurationObject(object: object, source: source, name: "BertTokenizer")
        try config.rejectUnknownKeys(known: readKeys.union(checkedKeys).union(ignoredKeys))
        func flag(_ key: String, default value: Bool) throws(InputError) -> Bool {
            guard let given = object[key] else { return value }
            guard let b = JSONValue.boolean(given) else {
                throw InputError(file: source, field: key, expected: "true or false, found \(JSONValue.describe(given))")
            }
            return b
        }
        let lowercase = try flag("do_lower_case", default: true)
        var stripAccents: Bool? = nil
        if let given = object["strip_accents"], !(given is NSNull) { stripAccents = try flag("strip_accents", default: lowercase) }
        for key in ["tokenize_chinese_chars", "do_basic_tokenize"] where try !flag(key, default: true) {
            throw InputError(file: source, field: key, expected: "true (BERT's basic tokenization, the only one this tokenizer implements), found false")
        }
        if let never = object["never_split"], !(never is NSNull), !((never as? [Any])?.isEmpty ?? false) {
            throw InputError(file: source, field: "never_split", expected: "null or [] (words kept whole are not implemented), found \(JSONValue.describe(never))")
        }
        for (key, name) in [("unk_token", "[UNK]"), ("sep_token", "[SEP]"), ("pad_token", "[PAD]"), ("cls_token", "[CLS]"), ("mask_token", "[MASK]")] {
            if let given = object[key], (given as? String) != name {
                throw InputError(file: source, field: key, expected: "\"\(name)\" (the special tokens this tokenizer implements), found \(JSONValue.describe(given))")
            }
        }
        if let given = object["tokenizer_class"], !["BertTokenizer", "BertTokenizerFast"].contains(given as? String ?? "") {
            throw InputError(file: source, field: "tokenizer_class", expected: "BertTokenizer or BertTokenizerFast, found \(JSONValue.describe(given))")
        }
        var maximum: Int? = nil
        if let given = object["model_max_length"] {
            guard let x = (given as? NSNumber)?.doubleValue, !(given is Bool), x >= 1, x.rounded() == x else {
                throw InputError(file: source, field: "model_max_length", expected: "a positive integer, found \(JSONValue.describe(given))")
            }
            if x < 1e30 { maximum = Int(x) }
        }
        return (try WordPieceTokenizer(vocabularyFile: vocabularyFile, lowercase: lowercase, stripAccents: stripAccents), maximum)
    }
}
