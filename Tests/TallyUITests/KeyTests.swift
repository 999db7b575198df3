import XCTest
import TallyCore
@testable import TallyUI

/// The key map against the fixture snapshot at 100×30 (15 task rows on screen).
final class KeyTests: XCTestCase {
    let snapshot = Fixtures.snapshot()

    private func press(_ keys: Key..., state: inout ViewState, snapshot: Snapshot? = nil, width: Int = 100,
                       height: Int = 30) -> [Effect] {
        var effects: [Effect] = []
        for key in keys { effects += state.handle(key, snapshot: snapshot ?? self.snapshot, width: width, height: height) }
        return effects
    }

    private func type(_ text: String, state: inout ViewState) -> [Effect] {
        text.flatMap { state.handle(.char($0), snapshot: snapshot, width: 100, height: 30) }
    }

    func testMovingTheSelection() {
        var state = ViewState()
        XCTAssertEqual(press(.char("j"), .down, state: &state), [])
        XCTAssertEqual(state.selection, 2)
        _ = press(.char("k"), state: &state)
        XCTAssertEqual(state.selection, 1)
        _ = press(.up, .up, .up, state: &state)
        XCTAssertEqual(state.selection, 0, "stops at the top")
        _ = press(.char("G"), state: &state)
        XCTAssertEqual(state.selection, 17)
        XCTAssertEqual(state.scrollTop, 3, "the last row is on screen")
        _ = press(.char("j"), state: &state)
        XCTAssertEqual(state.selection, 17, "stops at the bottom")
        _ = press(.char("g"), state: &state)
        XCTAssertEqual(state.selection, 0)
        XCTAssertEqual(state.scrollTop, 0)
        XCTAssertEqual(state.selectedTask(in: snapshot)?.task.id, 101)
    }

    func testPagingByTheVisibleRows() {
        var state = ViewState()
        let visible = DashboardLayout.compute(width: 100, height: 30, snapshot: snapshot).visibleTaskRows
        XCTAssertEqual(visible, 15)
        _ = press(.pageDown, state: &state)
        XCTAssertEqual(state.selection, 15)
        _ = press(.pageDown, state: &state)
        XCTAssertEqual(state.selection, 17)
        _ = press(.pageUp, state: &state)
        XCTAssertEqual(state.selection, 2)
    }

    func testLeavingTheLoadedPageAsksForAReload() {
        // 340 tasks; the snapshot holds rows 0..<18 of them.
        let big = Fixtures.snapshot(total: 340)
        var state = ViewState()
        XCTAssertEqual(press(.pageDown, state: &state, snapshot: big), [])
        XCTAssertEqual(press(.pageDown, state: &state, snapshot: big), [.reload])
        XCTAssertEqual(state.selection, 30)
        let query = state.taskQuery(width: 100, height: 30)
        XCTAssertLessThanOrEqual(query.offset, state.scrollTop)
        XCTAssertGreaterThanOrEqual(query.offset + query.limit, state.scrollTop + 15)
        XCTAssertEqual(query.limit, 45)
        _ = press(.char("G"), state: &state, snapshot: big)
        XCTAssertEqual(state.selection, 339)
        XCTAssertNil(state.selectedTask(in: big), "row 339 is not in the loaded page")
        // A page loaded around the selection finds it.
        let page = Fixtures.snapshot(rows: Fixtures.taskRows, total: 340, offset: 330)
        XCTAssertEqual(state.selectedTask(in: page)?.task.id, Fixtures.taskRows[9].task.id)
    }

    func testClientFilterByNumber() {
        var state = ViewState()
        state.selection = 5
        XCTAssertEqual(press(.char("2"), state: &state), [.reload])
        XCTAssertEqual(state.clientFilter, 8, "the second client, Orlando")
        XCTAssertEqual(state.selection, 0)
        XCTAssertEqual(state.taskQuery(width: 100, height: 30).clientID, 8)
        XCTAssertEqual(press(.char("2"), state: &state), [.reload])
        XCTAssertNil(state.clientFilter, "the same number again shows all")
        _ = press(.char("6"), state: &state)
        XCTAssertEqual(state.clientFilter, 13)
        XCTAssertEqual(press(.char("0"), state: &state), [.reload])
        XCTAssertNil(state.clientFilter)
        XCTAssertEqual(press(.char("0"), state: &state), [], "already all")
        XCTAssertEqual(press(.char("9"), state: &state), [.message("There is no client 9; 1–6 pick one, 0 shows all.")])
    }

    func testStatusFilterCycles() {
        var state = ViewState()
        var seen: [StatusFilter] = []
        for _ in 0..<5 {
            XCTAssertEqual(press(.char("s"), state: &state), [.reload])
            seen.append(state.taskQuery(visibleRows: 10).status)
        }
        XCTAssertEqual(seen, [.queued, .backlog, .doneToday, .all, .active])
    }

    func testSearchIsTypedThenApplied() {
        var state = ViewState()
        XCTAssertEqual(press(.char("/"), state: &state), [])
        XCTAssertTrue(state.isTyping)
        XCTAssertEqual(type("ect q", state: &state), [], "q is a letter while typing, not quit")
        _ = press(.backspace, .backspace, state: &state)
        XCTAssertEqual(state.searchDraft, "ect")
        XCTAssertEqual(state.search, "", "not applied yet")
        XCTAssertEqual(press(.enter, state: &state), [.reload])
        XCTAssertEqual(state.search, "ect")
        XCTAssertNil(state.searchDraft)
        XCTAssertEqual(state.taskQuery(visibleRows: 10).search, "ect")
        // Esc while typing clears the search.
        _ = press(.char("/"), .escape, state: &state)
        XCTAssertEqual(state.search, "")
        XCTAssertNil(state.searchDraft)
    }

    func testEscapeClearsFiltersAndSearch() {
        var state = ViewState()
        _ = press(.char("3"), .char("s"), .char("/"), state: &state)
        _ = type("fix", state: &state)
        _ = press(.enter, state: &state)
        XCTAssertEqual(press(.escape, state: &state), [.reload])
        XCTAssertNil(state.clientFilter)
        XCTAssertEqual(state.search, "")
        XCTAssertEqual(state.statusFilter, .active)
        XCTAssertEqual(press(.escape, state: &state), [])
    }

    func testEnterOpensTheTaskAndEscapeClosesIt() {
        var state = ViewState()
        _ = press(.char("j"), .enter, state: &state)
        XCTAssertEqual(state.overlay, .taskDetail(Fixtures.taskRows[1]))
        XCTAssertEqual(press(.char("j"), state: &state), [], "the overlay takes the keys")
        XCTAssertEqual(state.selection, 1)
        _ = press(.escape, state: &state)
        XCTAssertNil(state.overlay)
    }

    func testCompleteTheSelectedTask() {
        var state = ViewState()
        XCTAssertEqual(press(.char("c"), state: &state), [.complete(taskID: 101, points: nil)])
        _ = press(.char("j"), .char("j"), state: &state)
        XCTAssertEqual(press(.char("c"), state: &state), [.message("“Send quarterly invoice” is already waiting for the primary.")])
        var done = Fixtures.taskRows
        done[0].task.status = "done"
        _ = press(.char("g"), state: &state)
        XCTAssertEqual(press(.char("c"), state: &state, snapshot: Fixtures.snapshot(rows: done)),
                       [.message("“Review ECT project requirements” is already done.")])
        let empty = Fixtures.snapshot(rows: [])
        XCTAssertEqual(press(.char("c"), state: &state, snapshot: empty), [.message("No task selected.")])
    }

    func testPointsPromptTakesDigitsOnly() throws {
        var state = ViewState()
        _ = press(.char("p"), state: &state)
        guard case .points(let prompt) = state.overlay else { return XCTFail("no prompt") }
        XCTAssertEqual(prompt.taskID, 101)
        XCTAssertEqual(prompt.defaultPoints, 4, "a deliverable is worth 4")
        _ = press(.char("-"), state: &state)
        guard case .points(let negative) = state.overlay else { return XCTFail("prompt closed") }
        XCTAssertEqual(negative.error, "Points can't be negative.")
        XCTAssertEqual(negative.input, "")
        _ = press(.char("x"), state: &state)
        guard case .points(let letter) = state.overlay else { return XCTFail("prompt closed") }
        XCTAssertEqual(letter.error, "Digits only: points are a whole number of 0 or more.")
        _ = press(.char("1"), .char("2"), .backspace, .char("7"), state: &state)
        guard case .points(let typed) = state.overlay else { return XCTFail("prompt closed") }
        XCTAssertEqual(typed.input, "17")
        XCTAssertNil(typed.error)
        XCTAssertEqual(press(.enter, state: &state), [.complete(taskID: 101, points: 17)])
        XCTAssertNil(state.overlay)
        // Enter with nothing typed takes the task's own points; Esc cancels.
        _ = press(.char("p"), state: &state)
        XCTAssertEqual(press(.enter, state: &state), [.complete(taskID: 101, points: nil)])
        _ = press(.char("p"), .char("3"), state: &state)
        XCTAssertEqual(press(.escape, state: &state), [])
        XCTAssertNil(state.overlay)
    }

    func testCommandKeys() {
        var state = ViewState()
        XCTAssertEqual(press(.char("u"), state: &state), [.undo])
        XCTAssertEqual(press(.char("R"), state: &state), [.refresh])
        XCTAssertEqual(press(.char("t"), state: &state), [.nextTheme])
        XCTAssertEqual(press(.ctrl("l"), state: &state), [.redraw])
        XCTAssertEqual(press(.char("q"), state: &state), [.quit])
        XCTAssertEqual(press(.ctrl("c"), state: &state), [.quit])
        _ = press(.char("/"), state: &state)
        XCTAssertEqual(press(.ctrl("c"), state: &state), [.quit], "Ctrl-C quits even while typing")
    }

    func testHelpOverlay() {
        var state = ViewState()
        _ = press(.char("?"), state: &state)
        XCTAssertEqual(state.overlay, .help)
        XCTAssertEqual(press(.char("q"), state: &state), [], "q closes the help first")
        XCTAssertNil(state.overlay)
    }

    func testFailuresViewAndRetry() {
        var state = ViewState()
        _ = press(.char("f"), state: &state)
        XCTAssertEqual(state.view, .failures)
        _ = press(.char("j"), .char("j"), .char("j"), state: &state)
        XCTAssertEqual(state.failureSelection, 2)
        XCTAssertEqual(press(.char("r"), state: &state), [.retry(jobID: 37)])
        _ = press(.char("g"), state: &state)
        XCTAssertEqual(press(.char("r"), state: &state), [.retry(jobID: 40)])
        _ = press(.escape, state: &state)
        XCTAssertEqual(state.view, .dashboard)
        _ = press(.char("f"), .char("f"), state: &state)
        XCTAssertEqual(state.view, .dashboard, "f toggles")
        // With no failures listed, r resumes the last failed job.
        var clean = snapshot
        clean.failures = []
        state.view = .failures
        XCTAssertEqual(press(.char("r"), state: &state, snapshot: clean), [.retry(jobID: 40)])
    }

    func testTabCyclesThePanesAndTheClientsPaneFilters() {
        var state = ViewState()
        _ = press(.tab, state: &state)
        XCTAssertEqual(state.focus, .habits)
        _ = press(.tab, state: &state)
        XCTAssertEqual(state.focus, .sync)
        _ = press(.tab, state: &state)
        XCTAssertEqual(state.focus, .clients)
        _ = press(.backTab, state: &state)
        XCTAssertEqual(state.focus, .sync)
        _ = press(.tab, state: &state)
        XCTAssertEqual(press(.char("j"), .char("j"), state: &state), [])
        XCTAssertEqual(state.clientCursor, 2)
        XCTAssertEqual(press(.enter, state: &state), [.reload])
        XCTAssertEqual(state.clientFilter, 8)
        // At 60×15 only the tasks are on screen.
        var small = ViewState()
        _ = press(.tab, state: &small, width: 60, height: 15)
        XCTAssertEqual(small.focus, .tasks)
    }

    func testMouseClickSelectsAndWheelScrolls() {
        var state = ViewState()
        let layout = DashboardLayout.compute(width: 100, height: 30, snapshot: snapshot)
        let click = MouseEvent(x: layout.tasks.x + 10, y: layout.firstTaskRowY + 4, kind: .click)
        XCTAssertEqual(press(.mouse(click), state: &state), [])
        XCTAssertEqual(state.selection, 4)
        _ = press(.mouse(MouseEvent(x: layout.tasks.x + 10, y: 10, kind: .wheelDown)), state: &state)
        XCTAssertEqual(state.selection, 7)
        _ = press(.mouse(MouseEvent(x: layout.tasks.x + 10, y: 10, kind: .wheelUp)), state: &state)
        XCTAssertEqual(state.selection, 4)
        // A click on a client filters by it.
        guard let clients = layout.clients else { return XCTFail("no clients pane") }
        XCTAssertEqual(press(.mouse(MouseEvent(x: 5, y: clients.y + 2, kind: .click)), state: &state), [.reload])
        XCTAssertEqual(state.clientFilter, 7)
    }

    func testAdoptingASmallerSnapshotClampsTheSelection() {
        var state = ViewState()
        state.selection = 17
        state.scrollTop = 3
        let smaller = Fixtures.snapshot(rows: Array(Fixtures.taskRows.prefix(5)))
        XCTAssertEqual(state.adopt(smaller, width: 100, height: 30), [])
        XCTAssertEqual(state.selection, 4)
        XCTAssertEqual(state.scrollTop, 0)
        // A snapshot for other filters must be rebuilt.
        state.statusFilter = .queued
        XCTAssertEqual(state.adopt(smaller, width: 100, height: 30), [.reload])
    }

    func testTooSmallScreenOnlyQuits() {
        var state = ViewState()
        XCTAssertEqual(press(.char("j"), state: &state, width: 40, height: 10), [])
        XCTAssertEqual(press(.char("q"), state: &state, width: 40, height: 10), [.quit])
        XCTAssertEqual(press(.char("j"), state: &state, width: 0, height: 0), [])
    }

    /// In the habits pane `Space` and `c` check the selected habit in, `Enter` opens its detail;
    /// in the tasks pane `c` still completes the task.
    func testTheHabitsPaneChecksInTheSelectedHabit() {
        var state = ViewState()
        XCTAssertEqual(press(.char("c"), state: &state), [.complete(taskID: 101, points: nil)], "c on the tasks pane completes")
        XCTAssertEqual(press(.char(" "), state: &state), [], "Space on the tasks pane marks the task")
        XCTAssertEqual(state.marks, [101])
        _ = press(.escape, .char("k"), state: &state)
        _ = press(.tab, state: &state)
        XCTAssertEqual(state.focus, .habits)
        XCTAssertEqual(press(.char(" "), state: &state), [.message("“Drink water” is already done today.")])
        XCTAssertEqual(press(.char("j"), state: &state), [])
        XCTAssertEqual(state.habitCursor, 1)
        XCTAssertEqual(press(.char(" "), state: &state), [.checkInHabit(habitID: 2)])
        XCTAssertEqual(press(.char("c"), state: &state), [.checkInHabit(habitID: 2)])
        XCTAssertEqual(press(.char("u"), state: &state), [.undo])
        XCTAssertEqual(press(.char("p"), state: &state), [.message("Tab to the tasks pane for that.")])
        // A check-in on its way is not sent twice.
        var waiting = snapshot
        waiting.pendingHabits = [2]
        XCTAssertEqual(press(.char(" "), state: &state, snapshot: waiting), [.message("“Morning run” is already waiting for the primary.")])
        // The cursor scrolls the pane: the 8th habit on a pane of 6 rows.
        _ = press(.char("G"), state: &state)
        XCTAssertEqual(state.habitCursor, 7)
        XCTAssertEqual(state.habitScroll, 2)
        _ = press(.char("g"), .char("j"), state: &state)

        XCTAssertEqual(press(.enter, state: &state), [])
        XCTAssertEqual(state.overlay, .habitDetail(habitID: 2))
        XCTAssertEqual(state.keyMode(), .habitDetail)
        XCTAssertEqual(press(.char("c"), state: &state), [.checkInHabit(habitID: 2)])
        XCTAssertEqual(press(.char(" "), state: &state), [.checkInHabit(habitID: 2)])
        XCTAssertEqual(press(.char("j"), state: &state), [], "the list does not move under the detail")
        XCTAssertEqual(press(.escape, state: &state), [])
        XCTAssertNil(state.overlay)
        XCTAssertEqual(state.focus, .habits)
    }
}
