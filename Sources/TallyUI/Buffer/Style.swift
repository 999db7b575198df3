import Foundation

/// A colour as a theme or a client record names it: the terminal's own, or an RGB value.
public enum Color: Hashable, Sendable {
    /// The terminal's own foreground or background (themes write `default`).
    case `default`
    case rgb(UInt8, UInt8, UInt8)

    /// Parses `#rrggbb`, `#rgb` or `default` (any case, blanks around it allowed); nil for
    /// anything else.
    ///
    /// Read as bytes: a theme's thirty colours are parsed at every start, and by `Character`
    /// (Unicode's whitespace and case tables on first use) they were a twentieth of a
    /// `tally render`.
    public init?(hex text: String?) {
        guard let text else { return nil }
        var bytes = Array(text.utf8)[...]
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C }
        while let first = bytes.first, isBlank(first) { bytes.removeFirst() }
        while let last = bytes.last, isBlank(last) { bytes.removeLast() }
        // OR-ing 0x20 lowers a capital letter and turns no other byte into a letter.
        if bytes.count == 7, bytes.map({ $0 | 0x20 }).elementsEqual("default".utf8) {
            self = .default
            return
        }
        if bytes.first == UInt8(ascii: "#") { bytes.removeFirst() }
        var digits: [UInt32] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(UInt32(byte - UInt8(ascii: "0")))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(UInt32(byte - UInt8(ascii: "a") + 10))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(UInt32(byte - UInt8(ascii: "A") + 10))
            default: return nil
            }
        }
        if digits.count == 3 { digits = digits.flatMap { [$0, $0] } }
        guard digits.count == 6 else { return nil }
        let value = digits.reduce(0) { $0 << 4 | $1 }
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
