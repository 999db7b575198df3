import Foundation
import XCTest
import TallyCore
@testable import TallyUI

/// The screen as a new user first meets it: columns sized by their content, subtasks as a
/// checklist, one date style, sentences that read naturally, no key hints in printed frames.
final class ScreenItemsTests: XCTestCase {
    func text(_ buffer: Buffer) -> String { buffer.plainText() }

    /// The Client column shows "General Admin" whole wherever the titles leave room, and gives
    /// way to the titles only when they need it.
    func testTheClientColumnTakesItsWidthFromTheNames() {
        for width in [100, 140, 200] {
            let screen = text(Fixtures.render(width: width, height: 40))
            XCTAssertTrue(screen.contains("■ General Admin "), "at \(width) columns:\n\(screen)")
            XCTAssertFalse(screen.contains("General …") || screen.contains("General Adm…"), "at \(width) columns")
        }
        // Room shared with titles that need it: the client gets no more than a quarter.
        XCTAssertEqual(TasksPane.clientWidth(needs: 15, titleNeeds: 60, room: 48), 12)
        XCTAssertEqual(TasksPane.clientWidth(needs: 15, titleNeeds: 30, room: 48), 15)
        XCTAssertEqual(TasksPane.clientWidth(needs: 40, titleNeeds: 20, room: 100), 40)
        XCTAssertEqual(TasksPane.clientWidth(needs: 40, titleNeeds: 20, room: 30), 10, "the titles take what they need, the client a third")
        XCTAssertEqual(TasksPane.clientWidth(needs: 40, titleNeeds: 5, room: 30), 18, "the title keeps its minimum of 12")
        XCTAssertEqual(TasksPane.clientWidth(needs: 3, titleNeeds: 20, room: 100), 6, "as wide as its header")
    }

    func detail(subtasks: String?) -> String {
        var rows = Fixtures.taskRows
        rows[0].task.subtasks = subtasks
        return text(Fixtures.render(Fixtures.snapshot(rows: rows), state: ViewState(overlay: .taskDetail(rows[0])), width: 100, height: 40))
    }

    func testSubtasksAreAChecklistAndNothingWhenEmpty() {
        let screen = detail(subtasks: #"[{"title":"Outline","done":true},{"title":"Finish the draft","done":false}]"#)
        XCTAssertTrue(screen.contains("Subtasks     [x] Outline"), screen)
        XCTAssertTrue(screen.contains("             [ ] Finish the draft"), screen)
        for empty in ["[]", "", nil] as [String?] {
            XCTAssertFalse(detail(subtasks: empty).contains("Subtasks"), "\(String(describing: empty))")
        }
        // Text that is not a JSON list is shown as it is, never raw control bytes.
        let broken = detail(subtasks: "[{\"title\": \"Outl\u{1b}[2Jine\"")
        XCTAssertTrue(broken.contains("Subtasks     [{\"title\": \"Outl"), broken)
        XCTAssertFalse(broken.contains("\u{1b}"))
        // Strings, 0/1 and unknown shapes are tolerated; a long list is counted.
        let mixed = detail(subtasks: #"["Call", {"title":"Send","done":1}, 42, {"done":true}]"#)
        XCTAssertTrue(mixed.contains("[ ] Call") && mixed.contains("[x] Send"), mixed)
        let long = (1...9).map { #"{"title":"Step \#($0)","done":\#($0 <= 2)}"# }.joined(separator: ",")
        let many = detail(subtasks: "[\(long)]")
        XCTAssertTrue(many.contains("[ ] Step 5") && !many.contains("Step 6"), many)
        XCTAssertTrue(many.contains("… 4 more (0 done)"), many)
    }

    /// Days are written one way everywhere: `26 Dec` in the habit detail as in the history,
    /// `21 Jan 2026 14:05:00` with the time.
    func testOneDateStyle() {
        let habit = text(Fixtures.render(state: ViewState(overlay: .habitDetail(habitID: 1)), width: 100, height: 30))
        XCTAssertTrue(habit.contains("26 Dec"), habit)
        XCTAssertFalse(habit.contains("12/26"), "the first day of the row of cells, as month/day before")
        let task = text(Fixtures.render(state: ViewState(overlay: .taskDetail(Fixtures.taskRows[0])), width: 100, height: 30))
        XCTAssertTrue(task.contains("21 Jan 2026 14:05:00 (3d ago)"), task)
        XCTAssertNil(task.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression), task)
    }

    func testAnEmptyListSaysSoInPlainWords() {
        var state = ViewState()
        state.statusFilter = .doneToday
        state.clientFilter = 7
        state.search = "invoice"
        let empty = Fixtures.snapshot(rows: [], query: TaskQuery(clientID: 7, status: .doneToday, search: "invoice"))
        let screen = text(Fixtures.render(empty, state: state, width: 100, height: 30))
        XCTAssertTrue(screen.contains("No tasks done today for Raleigh matching “invoice”"), screen)
        state.statusFilter = .queued
        state.clientFilter = nil
        state.search = ""
        let queued = text(Fixtures.render(Fixtures.snapshot(rows: [], query: TaskQuery(status: .queued)), state: state, width: 100, height: 30))
        XCTAssertTrue(queued.contains("No queued tasks"), queued)
    }

    /// A frame printed as text (`tally render`) tells nobody to press a key.
    func testAPrintedFrameHasNoKeyHintWhenTooSmall() {
        var chrome = Fixtures.chrome()
        chrome.isInteractive = false
        let printed = text(Fixtures.render(chrome: chrome, width: 50, height: 20))
        XCTAssertTrue(printed.contains("terminal too small — needs 60×15"), printed)
        XCTAssertTrue(printed.contains("now 50×20"), printed)
        XCTAssertFalse(printed.contains("quits"), printed)
        XCTAssertTrue(text(Fixtures.render(width: 50, height: 20)).contains("now 50×20 · q quits"), "on a terminal it says how to leave")
    }

    /// Every value of the form starts in the same column, focused or not, choice or text.
    func testTheFormsValuesLineUp() {
        var state = ViewState()
        for key: Key in [.char("e"), .char("x")] { _ = state.handle(key, snapshot: Fixtures.snapshot(), width: 100, height: 30) }
        for focus in 0..<3 {
            let lines = text(Fixtures.render(state: state, width: 100, height: 30)).split(separator: "\n").map(String.init)
            var starts: Set<Int> = []
            for label in ["Title", "Client", "Tier", "Status", "Points", "Description"] {
                guard let line = lines.first(where: { $0.contains("┃ \(label) ") }), let range = line.range(of: "┃ \(label) ") else {
                    return XCTFail("no \(label) row")
                }
                let rest = line[range.upperBound...]
                let value = rest.firstIndex { $0 != " " && $0 != "◂" } ?? rest.endIndex
                starts.insert(DisplayWidth.of(String(line[..<value])))
            }
            XCTAssertEqual(starts.count, 1, "focus \(focus): values start at \(starts)")
            _ = state.handle(.tab, snapshot: Fixtures.snapshot(), width: 100, height: 30)
        }
    }
}
