import Foundation
import TOMLKit

/// Reads a small TOML file (config or theme) with errors that name the file and line.
struct TOMLFile {
    let path: String
    let text: String
    let table: TOMLTable

    /// - Parameter failure: builds the error (config or theme) from path, line and reason.
    init(path: String, failure: (String, Int?, String) -> TallyError) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure(path, nil, "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure(path, nil, "is not UTF-8 text")
        }
        self.text = text
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw failure(path, error.source.begin.line, error.description)
        } catch {
            throw failure(path, nil, "is not valid TOML")
        }
    }

    /// The 1-based line where `key` is assigned, for messages about its value.
    func line(of key: String) -> Int? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(key) {
                let rest = trimmed.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix("=") { return index + 1 }
            }
        }
        return nil
    }
}
