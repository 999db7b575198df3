import XCTest
@testable import TallyUI

final class ColorTests: XCTestCase {
    func testColorModeDetection() {
        XCTAssertEqual(ColorMode.detect(environment: ["NO_COLOR": "1", "COLORTERM": "truecolor"], terminalColors: 256), .monochrome)
        XCTAssertEqual(ColorMode.detect(environment: ["NO_COLOR": ""], terminalColors: 256), .palette256, "empty NO_COLOR is unset")
        XCTAssertEqual(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 8), .truecolor)
        XCTAssertEqual(ColorMode.detect(environment: ["COLORTERM": "24bit"], terminalColors: 8), .truecolor)
        XCTAssertEqual(ColorMode.detect(environment: ["COLORTERM": "yes"], terminalColors: 256), .palette256)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 16), .ansi16)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 8), .ansi16)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 2), .monochrome)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: -1), .monochrome)
    }

    func testNearestPaletteColours() {
        XCTAssertEqual(Color.rgb(255, 0, 0).index256(), 196)
        XCTAssertEqual(Color.rgb(0, 0, 0).index256(), 16)
        XCTAssertEqual(Color.rgb(255, 255, 255).index256(), 231)
        XCTAssertEqual(Color.rgb(128, 128, 128).index256(), 244)
        XCTAssertEqual(Color.rgb(0x87, 0xaf, 0xff).index256(), 111)
        XCTAssertNil(Color.default.index256())

        XCTAssertEqual(Color.rgb(255, 0, 0).index16(), 9)
        XCTAssertEqual(Color.rgb(205, 0, 0).index16(), 1)
        XCTAssertEqual(Color.rgb(0, 0, 0).index16(), 0)
        XCTAssertEqual(Color.rgb(255, 255, 255).index16(), 15)
        XCTAssertEqual(Color.rgb(0x6b, 0x72, 0x80).index16(), 8)
        XCTAssertNil(Color.default.index16())

        XCTAssertEqual(Color.rgb(1, 2, 3).terminalColor(in: .truecolor), .rgb(1, 2, 3))
        XCTAssertEqual(Color.rgb(255, 0, 0).terminalColor(in: .palette256), .index(196))
        XCTAssertEqual(Color.rgb(255, 0, 0).terminalColor(in: .ansi16), .index(9))
        XCTAssertEqual(Color.rgb(255, 0, 0).terminalColor(in: .monochrome), .default)
        XCTAssertEqual(Color.default.terminalColor(in: .truecolor), .default)
    }

    func testHexParsing() {
        XCTAssertEqual(Color(hex: "#3B82F6"), .rgb(0x3b, 0x82, 0xf6))
        XCTAssertEqual(Color(hex: "#abc"), .rgb(0xaa, 0xbb, 0xcc))
        XCTAssertEqual(Color(hex: "default"), .default)
        XCTAssertNil(Color(hex: "#12345g"))
        XCTAssertNil(Color(hex: nil))
        XCTAssertEqual(Color(hex: " \t#ABC\n"), .rgb(0xaa, 0xbb, 0xcc))
        XCTAssertEqual(Color(hex: "3b82f6"), .rgb(0x3b, 0x82, 0xf6))
        XCTAssertEqual(Color(hex: " Default "), .default)
        for bad in ["", "  ", "#", "##abc", "#abcd", "#1234567", "defaults", "defaul", "#ab c", "#éab", "#abc\u{0}", "DEF@ULT"] {
            XCTAssertNil(Color(hex: bad), bad.debugDescription)
        }
    }

    /// "ab" in red bold on blue, then "c" plain; a second line with "d" underlined.
    private func sample() -> Buffer {
        var buffer = Buffer(width: 3, height: 2)
        let style = Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255), attributes: .bold, monochromeAttributes: .reverse)
        buffer.put("ab", x: 0, y: 0, style: style)
        buffer.put("c", x: 2, y: 0)
        buffer.put("d", x: 0, y: 1, style: Style(attributes: .underline))
        return buffer
    }

    func testANSIRendererTruecolor() {
        XCTAssertEqual(ANSIRenderer.render(sample(), mode: .truecolor),
                       "\u{1b}[0;1;38;2;255;0;0;48;2;0;0;255mab\u{1b}[0mc\n\u{1b}[0;4md\u{1b}[0m  ")
    }

    func testANSIRenderer256() {
        XCTAssertEqual(ANSIRenderer.render(sample(), mode: .palette256),
                       "\u{1b}[0;1;38;5;196;48;5;21mab\u{1b}[0mc\n\u{1b}[0;4md\u{1b}[0m  ")
    }

    func testANSIRenderer16() {
        XCTAssertEqual(ANSIRenderer.render(sample(), mode: .ansi16),
                       "\u{1b}[0;1;91;44mab\u{1b}[0mc\n\u{1b}[0;4md\u{1b}[0m  ")
    }

    func testANSIRendererMonochromeUsesAttributesOnly() {
        XCTAssertEqual(ANSIRenderer.render(sample(), mode: .monochrome),
                       "\u{1b}[0;1;7mab\u{1b}[0mc\n\u{1b}[0;4md\u{1b}[0m  ")
        var plain = Buffer(width: 2, height: 1)
        plain.put("hi", x: 0, y: 0)
        XCTAssertEqual(ANSIRenderer.render(plain, mode: .monochrome), "hi")
    }

    func testANSIRendererEndsEveryStyledLineWithAReset() {
        let screen = Fixtures.render(width: 100, height: 30)
        for mode in ColorMode.allCases {
            let text = ANSIRenderer.render(screen, mode: mode)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, 30, "\(mode)")
            // Every line leaves the terminal reset: its last sequence is `ESC[0m`.
            for line in lines where line.contains("\u{1b}") {
                let last = line.range(of: "\u{1b}[", options: .backwards).map { line[$0.lowerBound...] } ?? ""
                XCTAssertTrue(last.hasPrefix("\u{1b}[0m"), "\(mode): \(line)")
            }
            XCTAssertTrue(onlySGR(text), "\(mode): only colour sequences, no cursor movement")
        }
    }

    func testWideCharactersAreWrittenOnce() {
        var buffer = Buffer(width: 4, height: 1)
        buffer.put("日x", x: 0, y: 0)
        XCTAssertEqual(ANSIRenderer.render(buffer, mode: .monochrome), "日x ")
    }
}

/// Whether every escape in `text` is an SGR sequence (`ESC [ digits ; … m`).
func onlySGR(_ text: String) -> Bool {
    var scalars = text.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
        guard scalar == "\u{1b}" else { continue }
        guard scalars.next() == "[" else { return false }
        while let next = scalars.next() {
            if next == "m" { break }
            guard ("0"..."9").contains(next) || next == ";" else { return false }
        }
    }
    return true
}
