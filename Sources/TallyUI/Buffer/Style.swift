import Foundation

/// A colour as a theme or a client record names it: the terminal's own, or an RGB value.
public enum Color: Hashable, Sendable {
    /// The terminal's own foreground or background (themes write `default`).
    case `default`
    case rgb(UInt8, UInt8, UInt8)

    /// Parses `#rrggbb`, `#rgb` or `default`; nil for anything else.
    public init?(hex text: String?) {
        // Trimmed by `Character`: Foundation's `trimmingCharacters(in:)` goes through NSString,
        // whose first use was a tenth of the theme's parsing at every start.
        guard let text, case var text = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()),
              !text.isEmpty else { return nil }
        if text.lowercased() == "default" { self = .default; return }
        if text.hasPrefix("#") { text.removeFirst() }
        if text.count == 3 { text = text.map { "\($0)\($0)" }.joined() }
        guard text.count == 6, let value = UInt32(text, radix: 16) else { return nil }
        self = .rgb(UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff))
    }
}

/// Text attributes a cell can carry.
public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = Attributes(rawValue: 1 << 0)
    public static let dim = Attributes(rawValue: 1 << 1)
    public static let italic = Attributes(rawValue: 1 << 2)
    public static let underline = Attributes(rawValue: 1 << 3)
    public static let reverse = Attributes(rawValue: 1 << 4)
}

/// How a cell looks: resolved colours and attributes.
///
/// `monochromeAttributes` are what the style falls back on where colours are missing: a
/// selection drawn as a coloured bar becomes reverse video on a monochrome terminal. Renderers
/// draw `resolved(for:)`, which applies them (see `ColorMode`).
public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attributes: Attributes
    /// Added to `attributes` when the terminal shows few or no colours.
    public var monochromeAttributes: Attributes

    public init(fg: Color = .default, bg: Color = .default, attributes: Attributes = [],
                monochromeAttributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
        self.monochromeAttributes = monochromeAttributes
    }

    public static let plain = Style()

    public func with(fg: Color? = nil, bg: Color? = nil, adding: Attributes = []) -> Style {
        Style(fg: fg ?? self.fg, bg: bg ?? self.bg, attributes: attributes.union(adding),
              monochromeAttributes: monochromeAttributes)
    }

    /// The style as a terminal in `mode` should draw it: with colours, as it is; on a
    /// monochrome terminal, without colours and with the monochrome attributes, so that
    /// selection and focus stay visible.
    public func resolved(for mode: ColorMode) -> Style {
        switch mode {
        case .truecolor, .palette256, .ansi16:
            return Style(fg: fg, bg: bg, attributes: attributes)
        case .monochrome:
            return Style(attributes: attributes.union(monochromeAttributes))
        }
    }
}
