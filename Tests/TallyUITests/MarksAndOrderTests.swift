import XCTest
import TallyCore
@testable import TallyUI

/// `Space` marks, a batch of `c`, `>`, `D`, `e` over the marks, `Esc` clearing them, `o`/`O`
/// sorting and `E` showing the day's energy: the keys against the fixture snapshot at 100×30.
final class MarksAndOrderTests: XCTestCase {
    let snapshot = Fixtures.snapshot()

    private func press(_ keys: Key..., state: inout ViewState, snapshot: Snapshot? = nil) -> [Effect] {
        var effects: [Effect] = []
        for key in keys { effects += state.handle(key, snapshot: snapshot ?? self.snapshot, width: 100, height: 30) }
        return effects
    }

    func complete(_ ids: [Int64]) -> Effect {
        .batch(ids.map { AnyWriteIntent(CompleteTask.Intent(taskID: $0)) }, verb: "completed")
    }

    /// Five `Space`s mark five tasks (the cursor moving on after each), `c` completes all five
    /// as one batch: six keys. The marks have done their work then.
    func testSpaceMarksAndMovesOnAndCCompletesTheMarkedTasks() {
        var state = ViewState()
        for _ in 0..<5 { XCTAssertEqual(press(.char(" "), state: &state), []) }
        XCTAssertEqual(state.marks, [101, 102, 103, 104, 105])
        XCTAssertEqual(state.selection, 5, "the cursor moved on after each mark")
        XCTAssertEqual(press(.char("c"), state: &state), [complete([101, 102, 103, 104, 105])])
        XCTAssertEqual(state.marks, [])
        XCTAssertEqual(press(.char("c"), state: &state), [.complete(taskID: 106, points: nil)], "without marks, c is the selected task's")
    }

    func testSpaceOnAMarkedTaskUnmarksIt() {
        var state = ViewState()
        _ = press(.char(" "), .char(" "), .char("k"), state: &state)
        XCTAssertEqual(state.marks, [101, 102])
        _ = press(.char(" "), state: &state)
        XCTAssertEqual(state.marks, [101])
        // The last row: marked, and the cursor stays.
        _ = press(.char("G"), .char(" "), state: &state)
        XCTAssertEqual(state.marks, [101, 118])
        XCTAssertEqual(state.selection, 17)
    }

    func testEscClearsTheMarksBeforeTheFilters() {
        var state = ViewState()
        _ = press(.char("s"), state: &state)
        var queued = snapshot
        queued.query = TaskQuery(status: .queued)
        _ = press(.char(" "), .char(" "), state: &state, snapshot: queued)
        XCTAssertEqual(state.marks.count, 2)
        XCTAssertEqual(press(.escape, state: &state, snapshot: queued), [])
        XCTAssertEqual(state.marks, [])
        XCTAssertEqual(state.statusFilter, .queued, "the filter is cleared by the next Esc")
        XCTAssertEqual(press(.escape, state: &state, snapshot: queued), [.reload])
        XCTAssertEqual(state.statusFilter, .active)
    }

    /// `>` makes every marked task active; one already active is left as it is.
    func testPromoteActsOnTheMarks() {
        var state = ViewState()
        _ = press(.char(" "), .char(" "), state: &state)
        XCTAssertEqual(press(.char(">"), state: &state), [
            .batch([101, 102].map { AnyWriteIntent(EditTask.Intent(taskID: $0, values: [.status: .text("active")])) }, verb: "promoted"),
        ])
        XCTAssertEqual(state.marks, [])
    }

    /// `D` asks once for all the marked tasks; `y` deletes them, `n` keeps them (and their marks).
    func testDeleteAsksOnceForTheMarks() {
        var state = ViewState()
        _ = press(.char(" "), .char(" "), .char(" "), state: &state)
        XCTAssertEqual(press(.char("D"), state: &state), [])
        XCTAssertEqual(state.overlay, .confirmDeleteMarked([101, 102, 103]))
        XCTAssertEqual(state.keyMode(), .confirmDelete)
        XCTAssertEqual(press(.char("n"), state: &state), [.message("Kept the 3 marked tasks.")])
        XCTAssertEqual(state.marks, [101, 102, 103])
        _ = press(.char("D"), state: &state)
        XCTAssertEqual(press(.char("y"), state: &state),
                       [.batch([101, 102, 103].map { AnyWriteIntent(DeleteTask.Intent(taskID: $0)) }, verb: "deleted")])
        XCTAssertNil(state.overlay)
        XCTAssertEqual(state.marks, [])
    }

    /// `e` with marks: client, tier and status only, each "unchanged" until chosen; what is chosen
    /// goes to every marked task, nothing else.
    func testTheFormWithMarksEditsTheirChoicesTogether() {
        var state = ViewState()
        _ = press(.char(" "), .char(" "), state: &state)
        XCTAssertEqual(press(.char("e"), state: &state), [])
        guard case .taskForm(let form)? = state.overlay else { return XCTFail("no form") }
        XCTAssertEqual(form.batch, [101, 102])
        XCTAssertEqual(form.fields, [.client, .tier, .status])
        XCTAssertEqual(form.text(of: .tier), "unchanged")
        // Saving with nothing chosen is refused in the form.
        XCTAssertEqual(press(.enter, state: &state), [])
        guard case .taskForm(let refused)? = state.overlay else { return XCTFail("the form closed") }
        XCTAssertEqual(refused.error, "Nothing to change: choose a client, tier or status (←/→).")
        // Tab to the tier, → to the first tier, → to the second; Tab twice wraps to the client.
        _ = press(.tab, .right, .right, state: &state)
        guard case .taskForm(let chosen)? = state.overlay else { return XCTFail("the form closed") }
        XCTAssertEqual(chosen.text(of: .tier), TaskForm.tiers[1])
        XCTAssertEqual(chosen.text(of: .client), "unchanged")
        _ = press(.tab, .tab, state: &state)
        guard case .taskForm(let wrapped)? = state.overlay else { return XCTFail("the form closed") }
        XCTAssertEqual(wrapped.focus, .client, "the form's fields are only the three")
        // ← from the first choice goes back to "unchanged", → to the first choice again.
        _ = press(.tab, .left, .left, state: &state)
        guard case .taskForm(let back)? = state.overlay else { return XCTFail("the form closed") }
        XCTAssertEqual(back.text(of: .tier), "unchanged")
        _ = press(.right, state: &state)
        XCTAssertEqual(press(.enter, state: &state), [
            .batch([101, 102].map { AnyWriteIntent(EditTask.Intent(taskID: $0, values: [.valueTier: .text(TaskForm.tiers[0])])) },
                   verb: "saved"),
        ])
        XCTAssertNil(state.overlay)
        XCTAssertEqual(state.marks, [])
    }

    /// Marks are task ids: a new page that no longer holds a marked task (completed, moved to
    /// another status) drops that mark, and keeps the others wherever they now sit.
    func testAMarkedTaskThatLeavesTheListLeavesTheMarks() {
        var state = ViewState()
        _ = press(.char(" "), .char(" "), .char(" "), state: &state)
        let query = state.taskQuery(width: 100, height: 30)
        XCTAssertEqual(query.marks, [101, 102, 103])
        var after = Fixtures.snapshot(rows: Array(Fixtures.taskRows.dropFirst()), query: query)
        after.tasks.marked = [102, 103]
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.marks, [102, 103])
        // A mark made after the page was read stays until a page has looked for it.
        _ = press(.char("G"), .char(" "), state: &state, snapshot: after)
        XCTAssertEqual(state.marks, [102, 103, 118])
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.marks, [102, 103, 118])
    }

    /// `o` cycles the orders, `O` reverses the one in use; each asks for the list again, in that
    /// order, around the selected task.
    func testOCyclesTheOrderAndOReversesIt() {
        var state = ViewState()
        _ = press(.char("j"), .char("j"), state: &state)
        var seen: [TaskOrder] = []
        for _ in 0..<5 {
            XCTAssertEqual(press(.char("o"), state: &state), [.reload])
            seen.append(state.order)
        }
        XCTAssertEqual(seen.map(\.sort), [.points, .client, .oldest, .updated, .workos])
        XCTAssertEqual(press(.char("o"), .char("O"), state: &state), [.reload, .reload])
        XCTAssertEqual(state.order, TaskOrder(.points, reversed: true))
        let query = state.taskQuery(width: 100, height: 30)
        XCTAssertEqual(query.order, TaskOrder(.points, reversed: true))
        XCTAssertEqual(query.anchor, TaskAnchor(id: 103, index: 2, placeKnown: false),
                       "the page is read around the selected task, found first: its index is from another order")
        XCTAssertEqual(press(.char("O"), state: &state), [.reload])
        XCTAssertEqual(state.order, TaskOrder(.points))
        XCTAssertEqual(press(.char("o"), state: &state), [.reload])
        XCTAssertEqual(state.order, TaskOrder(.client), "o goes on to the next order, the right way round")
    }

    /// After a re-sort the selected task stays selected on the row of the screen it was on.
    func testTheSelectedTaskKeepsItsRowWhenTheOrderChanges() {
        let big = Fixtures.snapshot(total: 340)
        var state = ViewState()
        _ = press(.char("j"), .char("j"), .char("j"), state: &state, snapshot: big)
        XCTAssertEqual(state.selection, 3)
        _ = press(.char("o"), state: &state, snapshot: big)
        XCTAssertEqual(state.taskQuery(width: 100, height: 30).anchor, TaskAnchor(id: 104, index: 3, placeKnown: false),
                       "the reader finds the task before reading a page: the old place says nothing of the new")
        // The reader found task 104 at 200 in the new order and read the page around it.
        var sorted = Fixtures.snapshot(rows: Fixtures.taskRows, total: 340, offset: 197, query: state.taskQuery(width: 100, height: 30))
        sorted.tasks.anchor = .at(200)
        _ = state.adopt(sorted, width: 100, height: 30)
        XCTAssertEqual(state.selection, 200)
        XCTAssertEqual(state.selection - state.scrollTop, 3, "on the same row of the screen")
        XCTAssertEqual(state.selectedTaskID, 104)
        XCTAssertEqual(state.taskQuery(width: 100, height: 30).anchor, TaskAnchor(id: 104, index: 200),
                       "once the new order's page is on screen, its place is known again")
    }

    /// `O` looks for the selected task first where the reversal puts it (as far from the end as
    /// it was from the start), so the page read for the new order holds it and its place need
    /// not be counted.
    func testReversingReadsThePageWhereTheSelectedTaskGoes() {
        let big = Fixtures.snapshot(total: 340)
        var state = ViewState()
        _ = press(.char("j"), .char("j"), .char("j"), state: &state, snapshot: big)
        XCTAssertEqual(state.selection, 3)
        XCTAssertEqual(press(.char("O"), state: &state, snapshot: big), [.reload])
        let query = state.taskQuery(width: 100, height: 30)
        XCTAssertEqual(query.order, TaskOrder(.workos, reversed: true))
        XCTAssertEqual(query.anchor, TaskAnchor(id: 104, index: 336))
        XCTAssertTrue(query.offset <= 336 && 336 < query.offset + query.limit, "the page read holds where it goes: \(query)")
        var reversed = Fixtures.snapshot(rows: Fixtures.taskRows, total: 340, offset: 333, query: query)
        reversed.tasks.anchor = .at(336)
        _ = state.adopt(reversed, width: 100, height: 30)
        XCTAssertEqual(state.selection, 336)
        XCTAssertEqual(state.selectedTaskID, 104)
        XCTAssertEqual(state.scrollTop, 340 - DashboardLayout.compute(width: 100, height: 30).visibleTaskRows,
                       "near the end of the list: the last page shows it")

        // A snapshot of another list (not yet read in this order) gives no such hint.
        var other = ViewState()
        _ = press(.char("j"), .char("o"), state: &other, snapshot: big)
        _ = press(.char("O"), state: &other, snapshot: big)
        XCTAssertEqual(other.taskQuery(width: 100, height: 30).anchor?.index, 1)
    }

    /// `J`/`K` swap sort orders, which only moves a task in WorkOS's order.
    func testMovingATaskNeedsWorkOSsOrder() {
        var state = ViewState()
        state.order = TaskOrder(.points)
        XCTAssertEqual(press(.char("J"), state: &state),
                       [.message("J and K move a task in WorkOS's own order: o until the title names no order.")])
        state.order = .workos
        XCTAssertEqual(press(.char("J"), state: &state), [.moveTask(taskID: 101, past: 102, down: true)])
    }

    func testEShowsTheDaysEnergyAndEscClosesIt() {
        var state = ViewState()
        XCTAssertEqual(press(.char("E"), state: &state), [])
        XCTAssertEqual(state.overlay, .energy)
        XCTAssertEqual(state.keyMode(), .energy)
        XCTAssertEqual(press(.char("j"), state: &state), [], "the list does not move under it")
        XCTAssertEqual(press(.escape, state: &state), [])
        XCTAssertNil(state.overlay)
        state.view = .history
        _ = press(.char("E"), state: &state)
        XCTAssertEqual(state.overlay, .energy, "from the history view too")
    }
}
