import Foundation

/// The identity of a run: the study, its configuration as canonical JSON (sorted keys, every
/// default filled in) and the SHA-256 of every input file's bytes. Two runs with the same spec
/// compute the same numbers; editing one byte of a data file gives another spec.
///
///     {"configuration":{…},"inputs":{"data/x.csv":"9f86d0…"},"study":"weak-error"}
public struct StudySpec: Sendable, Equatable {
    public let study: String
    /// The canonical JSON text that is stored and hashed.
    public let text: String
    /// SHA-256 of `text`, hex.
    public let hash: String

    public init<C: StudyConfiguration>(study: String, configuration: C) throws {
        var inputs: [String: String] = [:]
        for path in configuration.inputFiles() {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(field: "data", "cannot read the file '\(path)'")
            }
            inputs[(path as NSString).standardizingPath] = SHA256.hex(bytes: [UInt8](data))
        }
        let document = Document(study: study, configuration: configuration, inputs: inputs)
        self.study = study
        self.text = try StudySpec.canonicalJSON(document)
        self.hash = SHA256.hex(text)
    }

    private struct Document<C: Encodable>: Encodable {
        let study: String
        let configuration: C
        let inputs: [String: String]
    }

    /// `value` as JSON with sorted keys and no insignificant whitespace; non-finite numbers as
    /// the strings "nan", "inf", "-inf". An encoding failure is an error, never `{}`.
    public static func canonicalJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StudyEncodingError(message: "cannot encode \(T.self) as JSON: \(error)")
        }
    }
}

/// A value that could not be encoded or decoded as JSON.
public struct StudyEncodingError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension StudyResult {
    /// The result as key-sorted JSON (the `<study>.json` of a run), one line.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw StudyEncodingError(message: "cannot encode the result of \(study) as JSON: \(error)")
        }
    }

    /// A result read back from its JSON.
    public init(json text: String) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            self = try decoder.decode(StudyResult.self, from: Data(text.utf8))
        } catch {
            throw StudyEncodingError(message: "not a study result: \(error)")
        }
    }
}
