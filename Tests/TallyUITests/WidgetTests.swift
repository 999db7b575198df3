import Foundation
import XCTest
@testable import TallyUI

/// Each widget alone in a small buffer.
final class WidgetTests: XCTestCase {
    private func draw(_ widget: some Widget, width: Int, height: Int) -> Buffer {
        var buffer = Buffer(width: width, height: height)
        widget.render(in: buffer.area, into: &buffer)
        return buffer
    }

    func testBlockWithTitles() {
        let block = Block(title: "Tasks", rightTitle: "12/340")
        assertScreen(draw(block, width: 26, height: 3), """
        ╭─ Tasks ─────── 12/340 ─╮
        │                        │
        ╰────────────────────────╯
        """)
        XCTAssertEqual(block.inner(Rect(x: 0, y: 0, width: 26, height: 3)), Rect(x: 1, y: 1, width: 24, height: 1))
    }

    func testFocusedBlockUsesHeavyLines() {
        assertScreen(draw(Block(title: "Sync", focused: true), width: 12, height: 3), """
        ┏━ Sync ━━━┓
        ┃          ┃
        ┗━━━━━━━━━━┛
        """)
    }

    func testBlockKeepsTheRightTitleAndCutsTheLeftOne() {
        assertScreen(draw(Block(title: "A very long pane title", rightTitle: "3/9"), width: 24, height: 2), """
        ╭─ A very long… ─ 3/9 ─╮
        ╰──────────────────────╯
        """)
    }

    func testBlockInTinyAreasDrawsNothingWrong() {
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 1), (5, 2)] {
            let buffer = draw(Block(title: "Title", rightTitle: "x"), width: w, height: h)
            XCTAssertEqual(buffer.width, w)
        }
        assertScreen(draw(Block(), width: 2, height: 2), "╭╮\n╰╯")
    }

    func testGaugeShowsEarnedAgainstTarget() {
        assertScreen(draw(Gauge(earned: 9, target: 18, label: "9/18"), width: 15, height: 1), "█████░░░░░ 9/18")
        // 11/18 of 10 cells is 6.1 cells: six full and an eighth.
        assertScreen(draw(Gauge(earned: 11, target: 18), width: 10, height: 1), "██████▏░░░")
    }

    func testGaugeIsFullAndDoneAtOrAboveTarget() {
        let done = Style(fg: .rgb(0, 255, 0))
        let buffer = draw(Gauge(earned: 25, target: 18, label: "25/18", doneStyle: done), width: 12, height: 1)
        assertScreen(buffer, "██████ 25/18")
        XCTAssertEqual(buffer[0, 0].style, done)
        XCTAssertEqual(buffer[7, 0].style, done)
        XCTAssertTrue(Gauge(earned: 0, target: 0).isFull)
        assertScreen(draw(Gauge(earned: 0, target: 0), width: 4, height: 1), "████")
    }

    func testProgressBarWithLabel() {
        let bar = ProgressBar(percent: 30, label: "12/40 chunks · 6,000 rows")
        assertScreen(draw(bar, width: 50, height: 1), "━━━━━─────────────  30%  12/40 chunks · 6,000 rows")
    }

    func testProgressBarDropsTheLabelThenThePercentWhenNarrow() {
        let bar = ProgressBar(percent: 50, label: "12/40 chunks · 6,000 rows")
        assertScreen(draw(bar, width: 20, height: 1), "━━━━━━━╸───────  50%")
        assertScreen(draw(bar, width: 8, height: 1), "━━━━────")
        assertScreen(draw(ProgressBar(percent: 250), width: 11, height: 1), "━━━━━━ 100%")
        assertScreen(draw(ProgressBar(percent: .nan), width: 11, height: 1), "──────   0%")
    }

    func testSparklineBarsAndMissingValues() {
        let line = Sparkline(values: [0, 0.25, 0.5, 0.75, 1, nil, 1], maximum: 1)
        assertScreen(draw(line, width: 7, height: 1), "▁▂▄▆█·█")
        // Only the newest values fit.
        assertScreen(draw(Sparkline(values: [1, 1, 1, 0.5, 1], maximum: 1), width: 2, height: 1), "▄█")
        // Two rows: sixteen levels.
        assertScreen(draw(Sparkline(values: [1, 0.5, 0.25], maximum: 1), width: 3, height: 2), "█\n██▄")
    }

    func testTableAlignsColumnsAndHighlightsTheSelection() {
        let selected = Style(attributes: .reverse)
        let table = Table(columns: [
            Table.Column("Name", width: .flexible(min: 4)),
            Table.Column("Pts", width: .fixed(3), alignment: .right),
        ], rows: [
            Table.Row([Span("Alpha"), Span("5")]),
            Table.Row([Span("Bravo task with a long title"), Span("12")]),
            Table.Row([Span("Charlie"), Span("3")]),
        ], selectedStyle: selected, selected: 1)
        let buffer = draw(table, width: 16, height: 4)
        assertScreen(buffer, """
        Name         Pts
        Alpha          5
        Bravo task …  12
        Charlie        3
        """)
        XCTAssertEqual(buffer[0, 2].style, selected)
        XCTAssertEqual(buffer[15, 2].style, selected)
        XCTAssertEqual(buffer[0, 1].style, .plain)
    }

    func testTableScrollWindow() {
        let rows = (1...10).map { Table.Row([Span("row \($0)")]) }
        let table = Table(columns: [Table.Column("Row", width: .flexible(min: 3))], rows: rows, showsHeader: false, offset: 7)
        assertScreen(draw(table, width: 6, height: 5), "row 8\nrow 9\nrow 10\n\n")
        XCTAssertEqual(Table.scrollOffset(selected: 9, offset: 0, visible: 4, count: 10), 6)
        XCTAssertEqual(Table.scrollOffset(selected: 2, offset: 6, visible: 4, count: 10), 2)
        XCTAssertEqual(Table.scrollOffset(selected: 5, offset: 3, visible: 4, count: 10), 3)
        XCTAssertEqual(Table.scrollOffset(selected: 0, offset: 50, visible: 4, count: 0), 0)
    }

    func testTableKeepsWideCharactersInTheirColumns() {
        let table = Table(columns: [
            Table.Column("Title", width: .fixed(10)),
            Table.Column("Pts", width: .fixed(3), alignment: .right),
        ], rows: [
            Table.Row([Span("日本語のタスク"), Span("5")]),
            Table.Row([Span("🎉 party"), Span("8")]),
            Table.Row([Span("a日b"), Span("1")]),
        ], showsHeader: false)
        let buffer = draw(table, width: 14, height: 3)
        assertScreen(buffer, """
        日本語の…    5
        🎉 party     8
        a日b         1
        """)
        // The points sit in the same column on every row.
        for y in 0..<3 { XCTAssertFalse(buffer[13, y].symbol == " ", "row \(y)") }
    }

    func testListSelection() {
        let list = List(items: [Line("one"), Line("two"), Line("three")], selected: 1, offset: 1)
        let buffer = draw(list, width: 6, height: 2)
        assertScreen(buffer, "two\nthree")
        XCTAssertEqual(buffer[5, 0].style, Style(attributes: .reverse))
    }

    func testModalIsCentredWithAnInputLine() {
        let modal = Modal(title: "Points", lines: [Line("Task 12")], input: Modal.Input(prompt: "Points: ", text: "7"),
                          footer: Line("Enter · Esc"))
        var buffer = Buffer(width: 30, height: 9)
        buffer.fill(buffer.area, with: Cell("x"))
        modal.render(in: buffer.area, into: &buffer)
        assertScreen(buffer, """
        xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        xxxxxxx┏━ Points ━━━━━┓xxxxxxx
        xxxxxxx┃ Task 12      ┃xxxxxxx
        xxxxxxx┃ Points: 7▏   ┃xxxxxxx
        xxxxxxx┃              ┃xxxxxxx
        xxxxxxx┃ Enter · Esc  ┃xxxxxxx
        xxxxxxx┗━━━━━━━━━━━━━━┛xxxxxxx
        xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        """)
    }

    func testLineIsCutWithAnEllipsis() {
        var buffer = Buffer(width: 10, height: 1)
        buffer.put(Line([Span("Tasks"), Span(" · "), Span("Raleigh")]), x: 0, y: 0, maxWidth: 10)
        XCTAssertEqual(buffer.plainText(), "Tasks · R…")
        var exact = Buffer(width: 5, height: 1)
        exact.put(Line([Span("abcde"), Span("f")]), x: 0, y: 0, maxWidth: 5)
        XCTAssertEqual(exact.plainText(), "abcd…")
    }

    func testWrap() {
        XCTAssertEqual(DisplayWidth.wrap("the quick brown fox jumps", to: 10), ["the quick", "brown fox", "jumps"])
        XCTAssertEqual(DisplayWidth.wrap("abcdefghijkl", to: 5), ["abcde", "fghij", "kl"])
        XCTAssertEqual(DisplayWidth.wrap("one two three four", to: 9, maxLines: 2), ["one two", "three …"])
        XCTAssertEqual(DisplayWidth.wrap("日本語の文章です", to: 5), ["日本", "語の", "文章", "です"])
        XCTAssertEqual(DisplayWidth.wrap("", to: 5), [])
        XCTAssertEqual(DisplayWidth.wrap("x", to: 0), [])
    }

    /// A narrow character with the emoji selector (✍️) is the one terminals disagree on: it takes
    /// two cells, the character without the selector and a real blank, so every terminal, ncurses
    /// and `tally render` put the next character in the same column.
    func testAVariationSelectorTakesTwoCellsAndIsWrittenWithoutIt() {
        XCTAssertEqual(DisplayWidth.of("✍"), 1)
        XCTAssertEqual(DisplayWidth.of("✍️"), 2)
        XCTAssertEqual(DisplayWidth.of("🗓"), 1, "U+1F5D3 is a narrow pictograph")
        XCTAssertEqual(DisplayWidth.of("🗓️"), 2)
        XCTAssertEqual(DisplayWidth.of("💧"), 2)
        XCTAssertEqual(DisplayWidth.of("日"), 2)
        XCTAssertEqual(DisplayWidth.cellText(of: "✍️"), "✍")
        XCTAssertEqual(DisplayWidth.cellText(of: "💧"), "💧")
        var buffer = Buffer(width: 8, height: 1)
        buffer.put("NNNNNNNN", x: 0, y: 0)
        buffer.put("✍️J🗓️x", x: 0, y: 0)
        XCTAssertEqual(buffer.cells.map(\.symbol), ["✍", " ", "J", "🗓", " ", "x", "N", "N"])
        XCTAssertFalse(buffer.cells.contains { $0.isContinuation })
        assertScreen(buffer, "✍ J🗓 xNN")
        XCTAssertEqual(ANSIRenderer.render(buffer, mode: .monochrome), "✍ J🗓 xNN")
    }

    /// Text of printable ASCII (written a byte a column) over wide characters blanks the half it
    /// leaves, at every offset and width limit, as text written a character at a time does.
    func testASCIIOverWideCharactersBlanksTheHalfItLeaves() {
        func wideRow() -> Buffer {
            var buffer = Buffer(width: 9, height: 1)
            buffer.put("日本語💧x", x: 0, y: 0)
            return buffer
        }
        for x in -2...8 {
            for maxWidth in [nil, 1, 2, 3] {
                var ascii = wideRow(), slow = wideRow()
                let end = ascii.put("ab c", x: x, y: 0, maxWidth: maxWidth)
                // A control character (dropped, no column) sends the same text the character-at-a-time way.
                let slowEnd = slow.put("ab c\u{7}", x: x, y: 0, maxWidth: maxWidth)
                XCTAssertEqual(ascii.cells, slow.cells, "at \(x), max \(maxWidth ?? -1)")
                XCTAssertEqual(end, slowEnd, "at \(x), max \(maxWidth ?? -1)")
                XCTAssertEqual(ascii.lines()[0].count, ascii.cells.filter { !$0.isContinuation }.count)
            }
        }
        var buffer = wideRow()
        buffer.put("Z", x: 1, y: 0)
        assertScreen(buffer, " Z本語💧x")
        buffer.put("Q", x: 2, y: 0)
        assertScreen(buffer, " ZQ 語💧x")
    }

    /// ncurses sizes a cell by the C library's `wcwidth` of its first character: every cell Tally
    /// writes is as wide there as in the buffer (a wide character is followed by its
    /// continuation, a narrow one is not), or the live screen drifts from `tally render`.
    /// Printable ASCII is counted a byte a column without breaking the text into characters;
    /// every text counts what its characters count one by one.
    func testATextIsAsWideAsItsCharacters() {
        for text in ["", "Fix site visit notes", "tab\there", "line\r\nbreak", "bell\u{07}", "del\u{7f}", "~ 1,234 pts",
                     "café", "日本語のタスク", "✓ done", "🧘 yoga", "e\u{301}", "mixed ascii then 漢字"] {
            XCTAssertEqual(DisplayWidth.of(text), text.reduce(0) { $0 + DisplayWidth.of($1) }, text.debugDescription)
        }
        XCTAssertEqual(DisplayWidth.of("Fix site visit notes"), 20)
    }

    func testEveryCellIsAsWideAsTheCLibrarySays() throws {
        guard setlocale(LC_CTYPE, "C.UTF-8") != nil || setlocale(LC_CTYPE, "en_US.UTF-8") != nil else {
            throw XCTSkip("no UTF-8 locale")
        }
        // `wcwidth` is not imported into Swift on Linux (it needs _XOPEN_SOURCE); it is in libc.
        typealias WcWidth = @convention(c) (wchar_t) -> Int32
        let symbol = try XCTUnwrap(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "wcwidth"))
        let wcwidth = unsafeBitCast(symbol, to: WcWidth.self)
        let texts = ["💧 Drink water", "🏃📚🧘✍️🗓️🥗", "日本語 ｶﾅ", "⌚⚡✅❌", "#️⃣ 1️⃣ ©️ ™️", "Émoji ✍️ and 🗓️", "🗓 ✍ ☀ ☀️"]
        for text in texts {
            var buffer = Buffer(width: 40, height: 1)
            buffer.put(text, x: 0, y: 0)
            for x in 0..<buffer.width where !buffer[x, 0].isContinuation {
                guard let scalar = buffer[x, 0].symbol.unicodeScalars.first else { continue }
                let cells = x + 1 < buffer.width && buffer[x + 1, 0].isContinuation ? 2 : 1
                XCTAssertEqual(Int(wcwidth(wchar_t(bitPattern: scalar.value))), cells,
                               "\(buffer[x, 0].symbol) (U+\(String(scalar.value, radix: 16, uppercase: true))) in \(text)")
            }
        }
    }

    /// A box drawn over half of a wide character blanks all of it, as text written there does:
    /// a terminal would draw the whole character and push the box's border aside.
    func testFillingOverHalfAWideCharacterBlanksIt() {
        var buffer = Buffer(width: 6, height: 1)
        buffer.put("💧ab日", x: 0, y: 0)
        buffer.fill(Rect(x: 1, y: 0, width: 4, height: 1), with: Cell("#"))
        XCTAssertEqual(buffer.cells.map(\.symbol), [" ", "#", "#", "#", "#", " "])
    }
}
