import Foundation

/// Finds passwords in text bound for a person or a file and replaces them with `***`, whatever
/// shape the URL holding them has: `scheme://user:pw@host` for any scheme, `user:pw@host` with
/// no scheme, a password with an unencoded `/`, `@` or space, and `password=…` in a query string
/// or a libpq keyword list.
public enum SecretMask {
    static let mask = "***"

    /// Keys whose value is a secret in `key=value` text.
    static let secretKeys: Set<String> = ["password", "passwd", "pwd", "pass", "sslpassword", "secret", "token",
                                          "apikey", "api_key", "access_token"]

    /// `text` with every password it holds masked.
    public static func apply(_ text: String) -> String {
        guard text.contains("@") || text.contains("=") else { return text }
        let characters = Array(text)
        var out: [Character] = []
        out.reserveCapacity(characters.count)
        var index = 0
        while index < characters.count {
            let end = tokenEnd(characters, from: index)
            if end == index {
                out.append(characters[index])
                index += 1
                continue
            }
            let (masked, consumed) = maskToken(characters, from: index, to: end)
            out.append(contentsOf: masked)
            index = consumed
        }
        return maskKeyValues(String(out))
    }

    static func isBoundary(_ c: Character) -> Bool {
        c.isWhitespace || "\"'`“”‘’<>".contains(c)
    }

    static func tokenEnd(_ characters: [Character], from start: Int) -> Int {
        var end = start
        while end < characters.count, !isBoundary(characters[end]) { end += 1 }
        return end
    }

    /// Masks the user information of the token `characters[start..<end]`; returns the text and
    /// where scanning goes on (past `end` when a password with spaces ran on to a later `@`).
    static func maskToken(_ characters: [Character], from start: Int, to end: Int) -> ([Character], Int) {
        let token = Array(characters[start..<end])
        // Where the user information starts: after "://", else at the token's start.
        var infoStart = 0
        if let scheme = find(token, "://") { infoStart = scheme + 3 }
        guard let colon = token[infoStart...].firstIndex(of: ":") else { return (token, end) }
        let rest = token[infoStart...]
        let delimiter = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" }
        var at: Int?
        if let delimiter, let before = token[infoStart..<delimiter].lastIndex(of: "@") {
            at = before
        } else {
            at = rest.lastIndex(of: "@")
        }
        if let at, at > colon {
            return (Array(token[..<(colon + 1)]) + Array(mask) + Array(token[at...]), end)
        }
        // A URL whose password holds a space: "postgres://u:my secret@host". Its '@' comes later
        // on the line, before any quote.
        let afterColon = token[(colon + 1)...]
        guard infoStart > 0, at == nil, !afterColon.contains("/"), !afterColon.allSatisfy(\.isNumber) else {
            return (token, end)
        }
        var look = end
        while look < characters.count, characters[look] != "\n", !"\"'`“”‘’".contains(characters[look]) {
            if characters[look] == "@" {
                return (Array(token[...colon]) + Array(mask), look)
            }
            look += 1
        }
        return (token, end)
    }

    static func find(_ token: [Character], _ needle: String) -> Int? {
        let pattern = Array(needle)
        guard token.count >= pattern.count else { return nil }
        for index in 0...(token.count - pattern.count) where Array(token[index..<(index + pattern.count)]) == pattern {
            return index
        }
        return nil
    }

    /// `password=secret` (in a query string, a keyword list, anywhere) → `password=***`.
    static func maskKeyValues(_ text: String) -> String {
        guard text.contains("=") else { return text }
        let characters = Array(text)
        var out: [Character] = []
        var index = 0
        while index < characters.count {
            let c = characters[index]
            out.append(c)
            index += 1
            guard c == "=" else { continue }
            // The key: the letters, digits and underscores just before '='.
            var keyStart = out.count - 1
            while keyStart > 0, out[keyStart - 1].isLetter || out[keyStart - 1].isNumber || out[keyStart - 1] == "_" {
                keyStart -= 1
            }
            let key = String(out[keyStart..<(out.count - 1)]).lowercased()
            guard secretKeys.contains(key) else { continue }
            var valueEnd = index
            while valueEnd < characters.count, !characters[valueEnd].isWhitespace, !"&;\"'`“”‘’".contains(characters[valueEnd]) {
                valueEnd += 1
            }
            if valueEnd > index {
                out.append(contentsOf: mask)
                index = valueEnd
            }
        }
        return String(out)
    }
}
