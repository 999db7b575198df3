import Foundation
import TallyCore
import TallyUI

/// The themes Tally can show: the shipped ones (`Themes/*.toml`, compiled in, and read from an
/// installed `share/tally/themes` or the repository's `Themes/` when one is found beside the
/// binary) and the user's own (`$XDG_CONFIG_HOME/tally/themes/*.toml`), a user theme replacing a
/// shipped one of the same name. `default` is always there.
///
/// Files are read when a theme is asked for, so a catalog costs one directory listing.
public struct ThemeCatalog: Sendable, Equatable {
    /// Theme name → file.
    public let files: [String: String]
    /// Theme name → the text of a compiled-in theme file (used when no file has that name).
    public let builtIn: [String: String]
    public let shippedDirectory: String?
    public let userDirectory: String?

    public init(shippedDirectory: String?, userDirectory: String?, builtIn: [String: String] = [:]) {
        var files: [String: String] = [:]
        for directory in [shippedDirectory, userDirectory].compactMap({ $0 }) {
            for (name, path) in Self.themeFiles(in: directory) { files[name] = path }
        }
        self.files = files
        self.builtIn = builtIn
        self.shippedDirectory = shippedDirectory
        self.userDirectory = userDirectory
    }

    /// Reads and parses the theme file at `path`, named after the file (`nord.toml` is "nord").
    /// TallyUI only parses theme text; reading files is the running app's.
    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TallyError.badTheme(path: path, line: nil, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TallyError.badTheme(path: path, line: nil, reason: "is not UTF-8 text")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try Theme.parse(text, name: name, path: path)
    }

    /// Theme names, sorted, `default` first.
    public var names: [String] {
        ["default"] + Set(files.keys).union(builtIn.keys).filter { $0 != "default" }.sorted()
    }

    /// The theme called `name` (or the file at `name` when it is a path to a `.toml` file).
    /// Throws `TallyError.unknownTheme` for a name with no file, `TallyError.badTheme` for a
    /// broken file.
    public func theme(named name: String) throws -> Theme {
        if let path = files[name] { return try Self.load(path: path) }
        if let text = builtIn[name] { return try Theme.parse(text, name: name, path: "the built-in \(name).toml") }
        if name == "default" { return .builtInDefault }
        if name.hasSuffix(".toml") || name.contains("/") {
            guard FileManager.default.fileExists(atPath: name) else {
                throw TallyError.badTheme(path: name, line: nil, reason: "does not exist")
            }
            return try Self.load(path: name)
        }
        throw TallyError.unknownTheme(name, available: names,
                                      lookedIn: [shippedDirectory, userDirectory].compactMap { $0 })
    }

    /// The theme a person asked for by name at start (`--theme`, `theme =`): an unknown name is
    /// an error (a typo should not silently give the default colours); a broken file gives the
    /// default theme and a warning that names the file and line.
    public func chosen(_ name: String) throws -> (theme: Theme, warning: String?) {
        do {
            return (try theme(named: name), nil)
        } catch let error as TallyError {
            if case .unknownTheme = error { throw error }
            return ((try? theme(named: "default")) ?? .builtInDefault, error.userMessage)
        }
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

    /// The catalog for this process: the compiled-in themes, shipped theme files found by
    /// `shippedDirectory(environment:executablePath:)`, user themes from `userDirectory(environment:)`.
    public static func discover(environment: [String: String], executablePath: String) -> ThemeCatalog {
        ThemeCatalog(shippedDirectory: shippedDirectory(environment: environment, executablePath: executablePath),
                     userDirectory: userDirectory(environment: environment), builtIn: ShippedThemes.files)
    }

    /// `$TALLY_THEMES_DIR`; else, walking up at most six levels from the executable's real
    /// directory, the first `Themes/` or `share/tally/themes/` holding `default.toml`.
    ///
    /// With `realpath` and `access`: Foundation's URL resolving and file checks were a tenth of
    /// a `tally render`'s start.
    public static func shippedDirectory(environment: [String: String], executablePath: String) -> String? {
        if let explicit = environment["TALLY_THEMES_DIR"], !explicit.isEmpty { return explicit }
        guard !executablePath.isEmpty else { return nil }
        var directory = parent(of: realPath(executablePath))
        for _ in 0...6 {
            for candidate in ["Themes", "share/tally/themes"] {
                let path = (directory == "/" ? "" : directory) + "/" + candidate
                if access(path + "/default.toml", F_OK) == 0 { return path }
            }
            let up = parent(of: directory)
            if up == directory { break }
            directory = up
        }
        return nil
    }

    /// `path` with its symbolic links resolved, made absolute; itself when it cannot be.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else {
            return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The directory holding `path` (`/` for `/` and for a file at the root).
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
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
