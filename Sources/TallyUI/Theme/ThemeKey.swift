/// The keys a theme file sets, each a colour (`#rrggbb` or `default`) optionally followed by
/// attributes (`"#89b4fa bold"`, `"default reverse"`).
public enum ThemeKey: String, CaseIterable, Sendable {
    case mainFg = "main_fg", mainBg = "main_bg"
    case title, border, borderFocused = "border_focused"
    case selectedFg = "selected_fg", selectedBg = "selected_bg"
    case headerFg = "header_fg", headerBg = "header_bg"
    case muted, accent, ok, warn, error, pending
    case gaugeFilled = "gauge_filled", gaugeEmpty = "gauge_empty", gaugeDone = "gauge_done"
    case progressFilled = "progress_filled", progressEmpty = "progress_empty"
    case sparkline
    case hintKey = "hint_key", hintText = "hint_text"
}

/// A theme key's value: a colour and the attributes written after it.
public struct ThemeValue: Hashable, Sendable {
    public var color: Color
    public var attributes: Attributes

    public init(_ color: Color, attributes: Attributes = []) {
        self.color = color
        self.attributes = attributes
    }

    /// Parses `#rrggbb`, `#rgb` or `default`, then attribute names; nil with a reason otherwise.
    static func parse(_ text: String) -> Result<ThemeValue, ThemeValueError> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        guard let first = words.first else { return .failure(.badColor(text)) }
        guard first.lowercased() == "default" || first.hasPrefix("#"), let color = Color(hex: first) else {
            return .failure(.badColor(first))
        }
        var attributes: Attributes = []
        for word in words.dropFirst() {
            guard let attribute = Self.attributeNames[word.lowercased()] else { return .failure(.badAttribute(word)) }
            attributes.insert(attribute)
        }
        return .success(ThemeValue(color, attributes: attributes))
    }

    static let attributeNames: [String: Attributes] = [
        "bold": .bold, "dim": .dim, "italic": .italic, "underline": .underline, "reverse": .reverse,
    ]
}

enum ThemeValueError: Error {
    case badColor(String)
    case badAttribute(String)

    var reason: String {
        switch self {
        case .badColor(let text):
            return "bad colour \(text.debugDescription) (write #rrggbb or default)"
        case .badAttribute(let word):
            return "unknown attribute \(word.debugDescription) (use bold, dim, italic, underline or reverse)"
        }
    }
}
