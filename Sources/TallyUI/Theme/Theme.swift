import Foundation
import TallyCore
import TOMLKit

/// A colour theme: a value for every `ThemeKey`, and the style of every `ThemeRole` built from
/// them. Theme files are flat TOML (`Themes/*.toml`); keys a file leaves out come from the
/// default theme, as in btop.
public struct Theme: Sendable, Equatable {
    public let name: String
    /// Every key's value (a file's own, or the default theme's).
    public let values: [ThemeKey: ThemeValue]
    private let styles: [Style]
    /// False for a theme whose every colour is `default` (monochrome): then data colours, such
    /// as client swatches, are not drawn either.
    public let hasColors: Bool

    /// A theme from `values`; missing keys take the built-in default theme's values.
    public init(name: String, values: [ThemeKey: ThemeValue]) {
        var complete = values
        for key in ThemeKey.allCases where complete[key] == nil {
            complete[key] = Self.defaultValues[key] ?? ThemeValue(.default)
        }
        self.name = name
        self.values = complete
        styles = ThemeRole.allCases.map { Self.style(for: $0, values: complete) }
        hasColors = complete.values.contains { $0.color != .default }
    }

    /// The style of `role`.
    public func style(_ role: ThemeRole) -> Style { styles[role.rawValue] }

    /// `role`'s text on `background`'s colour (a red label on the top bar): the foreground and
    /// attributes of one, the background and attributes of the other.
    public func style(_ role: ThemeRole, on background: ThemeRole) -> Style {
        let front = style(role), back = style(background)
        return Style(fg: front.fg, bg: back.bg, attributes: front.attributes.union(back.attributes),
                     monochromeAttributes: front.monochromeAttributes.union(back.monochromeAttributes))
    }

    /// The colour of `key`.
    public func color(_ key: ThemeKey) -> Color { values[key]?.color ?? .default }

    public static func == (lhs: Theme, rhs: Theme) -> Bool {
        lhs.name == rhs.name && lhs.values == rhs.values
    }

    static func style(for role: ThemeRole, values: [ThemeKey: ThemeValue]) -> Style {
        let recipe = role.recipe
        let fg = values[recipe.fg] ?? ThemeValue(.default)
        let bg = values[recipe.bg] ?? ThemeValue(.default)
        var attributes = recipe.attributes.union(fg.attributes)
        if recipe.bg != .mainBg { attributes.formUnion(bg.attributes) }
        // A role left without its colour keeps standing out through attributes.
        let colourless = recipe.standsOutByBackground ? bg.color == .default
            : (fg.color == .default && bg.color == .default)
        if colourless { attributes.formUnion(recipe.monochrome) }
        return Style(fg: fg.color, bg: bg.color, attributes: attributes, monochromeAttributes: recipe.monochrome)
    }

    // MARK: Files

    /// Parses a theme file's text. `path` names the file in errors.
    public static func parse(_ text: String, name: String, path: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TallyError.badTheme(path: path, line: error.source.begin.line, reason: error.description)
        } catch {
            throw TallyError.badTheme(path: path, line: nil, reason: "is not valid TOML")
        }
        // Every key is checked; the lines are worked out only for a file with a mistake, whose
        // first one in the file's order is the one reported (a theme is parsed at every start).
        var values: [ThemeKey: ThemeValue] = [:]
        values.reserveCapacity(table.keys.count)
        var mistakes: [(key: String, reason: String)] = []
        for key in table.keys where key != "description" {
            guard let themeKey = ThemeKey(rawValue: key) else {
                mistakes.append((key, "unknown key \"\(key)\""))
                continue
            }
            guard let string = table[key]?.string else {
                mistakes.append((key, "\(key) must be a string such as \"#89b4fa\" or \"default\""))
                continue
            }
            switch ThemeValue.parse(string) {
            case .success(let value): values[themeKey] = value
            case .failure(let failure): mistakes.append((key, "\(key): \(failure.reason)"))
            }
        }
        if !mistakes.isEmpty {
            let lines = keyLines(in: text)
            let first = mistakes.min { (lines[$0.key] ?? 0, $0.key) < (lines[$1.key] ?? 0, $1.key) }!
            throw TallyError.badTheme(path: path, line: lines[first.key], reason: first.reason)
        }
        return Theme(name: name, values: values)
    }

    /// The 1-based line of each key's first assignment, bare or quoted, in one pass over `text`
    /// (a theme is parsed at every start, so this is not done once per key).
    static func keyLines(in text: String) -> [String: Int] {
        var lines: [String: Int] = [:]
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let rest = line.drop(while: { $0 == " " || $0 == "\t" })
            guard let first = rest.first else { continue }
            let key: Substring
            let after: Substring
            if first == "\"" || first == "'" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: first) else { continue }
                key = body[..<close]
                after = body[body.index(after: close)...]
            } else {
                let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) ?? rest.endIndex
                key = rest[..<end]
                after = rest[end...]
            }
            guard !key.isEmpty, after.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("=") else { continue }
            if lines[String(key)] == nil { lines[String(key)] = number }
        }
        return lines
    }

    // MARK: Built in

    /// The default (dark) theme, compiled in so Tally has colours when no theme file is found.
    /// `Themes/default.toml` holds the same values.
    public static let builtInDefault = Theme(name: "default", values: defaultValues)

    static let defaultValues: [ThemeKey: ThemeValue] = {
        let hex: [ThemeKey: String] = [
            .mainFg: "default", .mainBg: "default",
            .title: "#89b4fa", .border: "#585b70", .borderFocused: "#89b4fa",
            .selectedFg: "#11111b", .selectedBg: "#89b4fa",
            .headerFg: "#cdd6f4", .headerBg: "#313244",
            .muted: "#7f849c", .accent: "#cba6f7", .ok: "#a6e3a1", .warn: "#f9e2af", .error: "#f38ba8",
            .pending: "#fab387",
            .gaugeFilled: "#89b4fa", .gaugeEmpty: "#45475a", .gaugeDone: "#a6e3a1",
            .progressFilled: "#94e2d5", .progressEmpty: "#45475a", .sparkline: "#89dceb",
            .hintKey: "#89b4fa", .hintText: "#a6adc8",
        ]
        var values: [ThemeKey: ThemeValue] = [:]
        for (key, text) in hex { values[key] = ThemeValue(Color(hex: text) ?? .default) }
        return values
    }()
}
