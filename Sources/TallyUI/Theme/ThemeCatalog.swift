import Foundation
import TallyCore

/// The themes Tally can show: the shipped ones (`Themes/*.toml`) and the user's own
/// (`$XDG_CONFIG_HOME/tally/themes/*.toml`), a user theme replacing a shipped one of the same
/// name. `default` is always there (compiled in when no file provides it).
///
/// Files are read when a theme is asked for, so a catalog costs one directory listing.
public struct ThemeCatalog: Sendable, Equatable {
    /// Theme name → file.
    public let files: [String: String]
    public let shippedDirectory: String?
    public let userDirectory: String?

    public init(shippedDirectory: String?, userDirectory: String?) {
        var files: [String: String] = [:]
        for directory in [shippedDirectory, userDirectory].compactMap({ $0 }) {
            for (name, path) in Self.themeFiles(in: directory) { files[name] = path }
        }
        self.files = files
        self.shippedDirectory = shippedDirectory
        self.userDirectory = userDirectory
    }

    /// Theme names, sorted, `default` first.
    public var names: [String] {
        ["default"] + files.keys.filter { $0 != "default" }.sorted()
    }

    /// The theme called `name` (or the file at `name` when it is a path to a `.toml` file).
    /// Throws `TallyError.unknownTheme` for a name with no file, `TallyError.badTheme` for a
    /// broken file.
    public func theme(named name: String) throws -> Theme {
        if let path = files[name] { return try Theme.load(path: path) }
        if name == "default" { return .builtInDefault }
        if name.hasSuffix(".toml") || name.contains("/") {
            guard FileManager.default.fileExists(atPath: name) else {
                throw TallyError.badTheme(path: name, line: nil, reason: "does not exist")
            }
            return try Theme.load(path: name)
        }
        throw TallyError.unknownTheme(name, available: names)
    }

    /// The theme called `name` (nil for `default`), or the default theme with a warning that
    /// says why (unknown name, broken file naming file and line). Never fails.
    public func resolve(_ name: String?) -> (theme: Theme, warning: String?) {
        do {
            return (try theme(named: name ?? "default"), nil)
        } catch {
            let fallback = (try? theme(named: "default")) ?? .builtInDefault
            return (fallback, error.userMessage)
        }
    }

    /// The theme after `name` in `names`, wrapping around (what `t` shows next).
    public func name(after name: String) -> String {
        let all = names
        guard let index = all.firstIndex(of: name) else { return all.first ?? "default" }
        return all[(index + 1) % all.count]
    }

    // MARK: Finding the directories

    /// The catalog for this process: shipped themes found by `shippedDirectory(environment:executablePath:)`,
    /// user themes from `userDirectory(environment:)`.
    public static func discover(environment: [String: String], executablePath: String) -> ThemeCatalog {
        ThemeCatalog(shippedDirectory: shippedDirectory(environment: environment, executablePath: executablePath),
                     userDirectory: userDirectory(environment: environment))
    }

    /// `$TALLY_THEMES_DIR`; else, walking up at most six levels from the executable's real
    /// directory, the first `Themes/` or `share/tally/themes/` holding `default.toml`.
    public static func shippedDirectory(environment: [String: String], executablePath: String) -> String? {
        if let explicit = environment["TALLY_THEMES_DIR"], !explicit.isEmpty { return explicit }
        guard !executablePath.isEmpty else { return nil }
        var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0...6 {
            for candidate in ["Themes", "share/tally/themes"] {
                let path = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: path.appendingPathComponent("default.toml").path) {
                    return path.path
                }
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return nil
    }

    /// `$XDG_CONFIG_HOME/tally/themes`, else `~/.config/tally/themes`.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/tally/themes"
        }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/tally/themes" }
        return nil
    }

    static func themeFiles(in directory: String) -> [(String, String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return entries.filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.map { entry in
            (String(entry.dropLast(5)), directory + "/" + entry)
        }
    }
}
