import Foundation

/// `tally --cache X status`: options every command shares, written before the command's name,
/// are moved to just after it, where the parser looks for them. Only the shared options move
/// (`--cache`, `--primary`, `--config`, `--stale-after`, `--read-only`, and the dashboard's
/// `--theme`, `--refresh`); anything else before the name is left where it is, so a mistake is
/// still reported as one.
public enum LeadingOptions {
    /// Whether the shared option `name` takes a value; nil for any other word. A `switch`, not a
    /// dictionary: this runs at every start, and a dictionary's first use costs the Swift
    /// runtime more than the whole reordering.
    public static func takesValue(_ name: Substring) -> Bool? {
        switch name {
        case "--cache", "--primary", "--config", "--stale-after", "--theme", "--refresh": return true
        case "--read-only": return false
        default: return nil
        }
    }

    /// `arguments` (without the program's name) with leading shared options moved behind the
    /// command path. `path(words)` says how many of `words` name a command (0 when the first
    /// does not).
    public static func reorder(_ arguments: [String], commandPath path: ([String]) -> Int) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            let name = word.split(separator: "=", maxSplits: 1).first ?? Substring(word)
            guard let takesValue = takesValue(name) else { break }
            leading.append(word)
            index += 1
            if takesValue, !word.contains("="), index < arguments.count {
                leading.append(arguments[index])
                index += 1
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        let rest = Array(arguments[index...])
        let words = path(rest)
        guard words > 0 else { return arguments }
        return Array(rest[..<words]) + leading + Array(rest[words...])
    }
}
