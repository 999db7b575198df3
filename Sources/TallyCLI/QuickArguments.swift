/// The arguments of a command run often and briefly (`tally render`, `tally sync`, `tally status`)
/// read without ArgumentParser, when they are in the plain forms only: `--name value`,
/// `--name=value` and `--flag`.
///
/// ArgumentParser builds a command by reflecting over its options, and every generic type it
/// meets on the way costs the Swift runtime a scan of all the binary's protocol conformances:
/// 2 ms of a 17 ms `tally render` (docs/ARCHITECTURE.md, "Start-up"). Anything outside the
/// plain forms (a short option, `--help`, a word that is not an option, a name given twice, a
/// value that starts with `-` or is empty) is nil here, and the command line goes to
/// ArgumentParser, so every message, help text and refusal stays ArgumentParser's.
public struct QuickArguments: Sendable {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// - Parameters:
    ///   - options: the names (with their dashes) that take a value.
    ///   - flags: the names that take none.
    public init?(_ arguments: [String], options: Set<String>, flags: Set<String>) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else { return nil }
            if let equals = word.firstIndex(of: "=") {
                let name = String(word[..<equals])
                let value = String(word[word.index(after: equals)...])
                guard options.contains(name), !value.isEmpty, !value.hasPrefix("-"),
                      values.updateValue(value, forKey: name) == nil else { return nil }
            } else if flags.contains(word) {
                guard self.flags.insert(word).inserted else { return nil }
            } else if options.contains(word) {
                guard index < arguments.count else { return nil }
                let value = arguments[index]
                index += 1
                guard !value.isEmpty, !value.hasPrefix("-"), values.updateValue(value, forKey: word) == nil else { return nil }
            } else {
                return nil
            }
        }
    }

    /// The value given to `--name`, nil when it was not given.
    public func value(_ name: String) -> String? { values[name] }

    /// Whether `--name` was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

extension GlobalOptions {
    /// The names `GlobalOptions` declares, for a command's `QuickArguments`.
    public static let quickOptions: Set<String> = ["--cache", "--primary", "--config", "--stale-after"]
    public static let quickFlags: Set<String> = ["--read-only"]

    /// The options as ArgumentParser would have set them from `arguments`; nil when they do not
    /// pass `validate()` (ArgumentParser then parses again and says why).
    public init?(quick arguments: QuickArguments) {
        self.init()
        cache = arguments.value("--cache")
        primary = arguments.value("--primary")
        config = arguments.value("--config")
        staleAfter = arguments.value("--stale-after")
        readOnly = arguments.flag("--read-only")
        guard (try? validate()) != nil else { return nil }
    }
}
