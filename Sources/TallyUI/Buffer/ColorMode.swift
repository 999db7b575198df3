/// How many colours the terminal shows, which decides how a `Style` is drawn.
public enum ColorMode: String, CaseIterable, Sendable {
    /// 24-bit colour (`COLORTERM=truecolor` or `24bit`).
    case truecolor
    /// The xterm 256-colour palette.
    case palette256
    /// The 16 ANSI colours (8 normal, 8 bright).
    case ansi16
    /// No colour: attributes only (`NO_COLOR`, or a terminal without colours).
    case monochrome

    /// The mode for a terminal described by its environment and terminfo's colour count.
    ///
    /// `NO_COLOR` set and non-empty wins (no-color.org); then `COLORTERM` truecolor/24bit;
    /// then the terminal's own count: 256 or more, 8 or more, else monochrome.
    public static func detect(environment: [String: String], terminalColors: Int) -> ColorMode {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .monochrome }
        if let colorTerm = environment["COLORTERM"]?.lowercased(),
           colorTerm == "truecolor" || colorTerm == "24bit" {
            return .truecolor
        }
        if terminalColors >= 256 { return .palette256 }
        if terminalColors >= 8 { return .ansi16 }
        return .monochrome
    }
}

/// A colour as a terminal draws it in a given `ColorMode`.
public enum TerminalColor: Hashable, Sendable {
    /// The terminal's own foreground or background.
    case `default`
    /// An index into the terminal's palette (0–15 or 0–255).
    case index(Int)
    case rgb(UInt8, UInt8, UInt8)
}

extension Color {
    /// The colour for a terminal in `mode`: RGB in truecolor, the nearest palette index in 256
    /// and 16 colours, the terminal's own colour in monochrome.
    public func terminalColor(in mode: ColorMode) -> TerminalColor {
        switch (self, mode) {
        case (.default, _), (_, .monochrome): return .default
        case (.rgb(let r, let g, let b), .truecolor): return .rgb(r, g, b)
        case (.rgb, .palette256): return index256().map(TerminalColor.index) ?? .default
        case (.rgb, .ansi16): return index16().map(TerminalColor.index) ?? .default
        }
    }

    /// The nearest colour of the xterm 256-colour palette's colour cube (16–231) or grey ramp
    /// (232–255); nil for `.default`. The first 16 are left out: terminals redefine them.
    public func index256() -> Int? {
        guard case .rgb(let r, let g, let b) = self else { return nil }
        let levels = [0, 95, 135, 175, 215, 255]
        func nearestLevel(_ value: UInt8) -> Int {
            let v = Int(value)
            var best = 0
            for index in 1..<levels.count where abs(levels[index] - v) < abs(levels[best] - v) { best = index }
            return best
        }
        let (ri, gi, bi) = (nearestLevel(r), nearestLevel(g), nearestLevel(b))
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cubeDistance = Self.distance((r, g, b), (levels[ri], levels[gi], levels[bi]))

        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = max(0, min(23, (average - 8 + 5) / 10))
        let grey = 8 + 10 * greyIndex
        let greyDistance = Self.distance((r, g, b), (grey, grey, grey))
        return greyDistance < cubeDistance ? 232 + greyIndex : cube
    }

    /// The nearest of the 16 ANSI colours as xterm draws them (0–7 normal, 8–15 bright); nil for
    /// `.default`.
    public func index16() -> Int? {
        guard case .rgb(let r, let g, let b) = self else { return nil }
        var best = 0
        var bestDistance = Int.max
        for (index, entry) in Self.ansiPalette.enumerated() {
            let d = Self.distance((r, g, b), entry)
            if d < bestDistance {
                best = index
                bestDistance = d
            }
        }
        return best
    }

    static let ansiPalette: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// Squared distance weighted for the eye ("redmean"), good enough to pick a palette entry.
    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (Int, Int, Int)) -> Int {
        let (ar, ag, ab) = (Int(a.0), Int(a.1), Int(a.2))
        let meanRed = (ar + b.0) / 2
        let dr = ar - b.0, dg = ag - b.1, db = ab - b.2
        return (((512 + meanRed) * dr * dr) >> 8) + 4 * dg * dg + (((767 - meanRed) * db * db) >> 8)
    }
}
