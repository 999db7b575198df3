import Foundation
import XCTest
import TallyCore
@testable import TallyUI

/// The selection is an item, not a row: after a reload puts rows above or below it, the
/// highlight and the keys stay on the task (habit, client, failure) the person chose.
final class SelectionTests: XCTestCase {
    func press(_ keys: Key..., state: inout ViewState, snapshot: Snapshot) -> [Effect] {
        keys.flatMap { state.handle($0, snapshot: snapshot, width: 100, height: 30) }
    }

    /// The fixture's 18 tasks with `extra` put in at `position`.
    func rows(inserting extra: [TaskRow], at position: Int) -> [TaskRow] {
        var rows = Fixtures.taskRows
        rows.insert(contentsOf: extra, at: position)
        return rows
    }

    let newcomers = [Fixtures.task(201, "Call the bank", client: 0), Fixtures.task(202, "Book the venue", client: 1)]

    func testTheHighlightStaysOnTheTaskWhenRowsArriveAboveIt() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        _ = press(.char("j"), .char("j"), .char("j"), .char("j"), state: &state, snapshot: before)
        XCTAssertEqual(state.selectedTask(in: before)?.task.id, 105, "the fifth task, Update staff schedule")

        let after = Fixtures.snapshot(rows: rows(inserting: newcomers, at: 0))
        XCTAssertEqual(state.adopt(after, width: 100, height: 30), [])
        XCTAssertEqual(state.selection, 6, "two rows further down")
        XCTAssertEqual(state.selectedTask(in: after)?.task.id, 105)
        XCTAssertEqual(press(.char("c"), state: &state, snapshot: after), [.complete(taskID: 105, points: nil)])
        _ = press(.enter, state: &state, snapshot: after)
        XCTAssertEqual(state.overlay, .taskDetail(after.tasks.rows[6]))
        let screen = Fixtures.render(after, state: state, width: 100, height: 30).plainText()
        XCTAssertTrue(screen.contains("Task #105"), screen)
    }

    func testRowsArrivingBelowLeaveTheSelectionAlone() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        _ = press(.char("j"), .char("j"), .char("j"), .char("j"), state: &state, snapshot: before)
        let after = Fixtures.snapshot(rows: rows(inserting: newcomers, at: 10))
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.selection, 4)
        XCTAssertEqual(press(.char("c"), state: &state, snapshot: after), [.complete(taskID: 105, points: nil)])
    }

    /// A key that arrives with a snapshot the state has not adopted yet (the list changed
    /// between the frame and the key) acts on the highlighted id, not on the row index.
    func testAKeyActsOnTheHighlightedTaskEvenIfTheRowsMovedUnderIt() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        _ = press(.char("j"), .char("j"), state: &state, snapshot: before)
        XCTAssertEqual(state.selectedTaskID, 103)
        let moved = Fixtures.snapshot(rows: rows(inserting: newcomers, at: 0))
        XCTAssertEqual(press(.char("e"), state: &state, snapshot: moved), [.message("“Send quarterly invoice” is waiting for the primary; edit it once it is written.")])
        _ = press(.char("j"), state: &state, snapshot: before)
        XCTAssertEqual(press(.char("D"), state: &state, snapshot: moved), [])
        XCTAssertEqual(state.overlay, .confirmDelete(Fixtures.taskRows[3]), "104 was highlighted: 104 is asked about")
    }

    /// The task left the list (another program completed it): the task now in its place is
    /// selected, and the status line says where it went; a deleted one is said deleted.
    func testATaskThatLeftTheListHandsTheSelectionToItsNeighbour() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        _ = press(.char("j"), .char("j"), .char("j"), state: &state, snapshot: before)
        XCTAssertEqual(state.selectedTaskID, 104)
        let query = state.taskQuery(width: 100, height: 30)
        XCTAssertEqual(query.anchor, TaskAnchor(id: 104, index: 3), "the page is asked to follow 104")

        var done = Fixtures.taskRows[3].task
        done.status = "done"
        var remaining = Fixtures.taskRows
        remaining.remove(at: 3)
        var after = Fixtures.snapshot(rows: remaining, query: query)
        after.tasks.anchor = .left(done)
        XCTAssertEqual(state.adopt(after, width: 100, height: 30, announcing: before),
                       [.message("“Reconcile vendor contract” moved to done")])
        XCTAssertEqual(state.selection, 3)
        XCTAssertEqual(state.selectedTaskID, 105, "the task that now sits where it was")
        XCTAssertEqual(press(.char("c"), state: &state, snapshot: after), [.complete(taskID: 105, points: nil)])

        // Deleted elsewhere.
        let second = state.taskQuery(width: 100, height: 30)
        remaining.remove(at: 3)
        var gone = Fixtures.snapshot(rows: remaining, query: second)
        gone.tasks.anchor = .left(nil)
        XCTAssertEqual(state.adopt(gone, width: 100, height: 30, announcing: after), [.message("“Update staff schedule” was deleted")])
        XCTAssertEqual(state.selectedTaskID, 106)

        // Moved to another client while the list shows one client.
        state.clientFilter = 7
        let third = state.taskQuery(width: 100, height: 30)
        var moved = remaining[3].task
        moved.clientID = 8
        var elsewhere = Fixtures.snapshot(rows: Array(remaining.dropFirst(4)), query: third)
        elsewhere.tasks.anchor = .left(moved)
        XCTAssertEqual(state.adopt(elsewhere, width: 100, height: 30, announcing: gone), [.message("“Fix intake form” moved to Orlando")])

        // The person's own write: nothing said (its own report says it).
        state = ViewState()
        _ = press(.char("j"), state: &state, snapshot: before)
        var quiet = Fixtures.snapshot(rows: Array(Fixtures.taskRows.dropFirst(2)), query: state.taskQuery(width: 100, height: 30))
        quiet.tasks.anchor = .left(nil)
        XCTAssertEqual(state.adopt(quiet, width: 100, height: 30), [])
        XCTAssertEqual(state.selectedTaskID, 104)
    }

    /// A page read without following the selected task (the task is not on it) is read again.
    func testAPageWithoutTheSelectedTaskIsReadAgain() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        _ = press(.char("j"), state: &state, snapshot: before)
        let elsewhere = Fixtures.snapshot(rows: Array(Fixtures.taskRows.dropFirst(5)), total: 40, offset: 5)
        XCTAssertEqual(state.adopt(elsewhere, width: 100, height: 30), [.reload])
        XCTAssertEqual(state.selectedTaskID, 102, "kept until a page says where it is")
    }

    /// After `a`, the cursor goes to the new task once the list holds it.
    func testTheNewTaskIsSelectedOnceTheListHoldsIt() {
        var state = ViewState()
        _ = press(.char("j"), .char("j"), state: &state, snapshot: Fixtures.snapshot())
        state.selectTask(id: 201)
        XCTAssertEqual(state.taskQuery(width: 100, height: 30).anchor?.id, 201)
        let after = Fixtures.snapshot(rows: rows(inserting: [newcomers[0]], at: 0))
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.selection, 0)
        XCTAssertEqual(state.selectedTask(in: after)?.task.title, "Call the bank")
    }

    func testTheHabitsClientsAndFailuresFollowTheirItems() {
        var state = ViewState()
        let before = Fixtures.snapshot()
        // The habits pane: Meditate (the fourth).
        _ = press(.tab, .char("j"), .char("j"), .char("j"), state: &state, snapshot: before)
        XCTAssertEqual(state.focus, .habits)
        XCTAssertEqual(state.selectedHabit(in: before)?.name, "Meditate")
        var after = before
        after.habits.insert(Habit(id: 9, name: "Stretch", emoji: "🤸", frequency: "daily", currentStreak: 1, longestStreak: 1), at: 0)
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.habitCursor, 4)
        XCTAssertEqual(press(.char(" "), state: &state, snapshot: after), [.message("“Meditate” is already done today.")])
        _ = press(.char("k"), state: &state, snapshot: after)
        XCTAssertEqual(press(.char(" "), state: &state, snapshot: after), [.checkInHabit(habitID: 3)], "Read 20 pages")
        // A habit made inactive elsewhere: its neighbour, and a word.
        var inactive = after
        inactive.habits.removeAll { $0.id == 3 }
        XCTAssertEqual(state.adopt(inactive, width: 100, height: 30, announcing: after),
                       [.message("“Read 20 pages” left the habits list (no longer active)")])
        XCTAssertEqual(state.selectedHabit(in: inactive)?.name, "Meditate")

        // The clients pane: Memphis (third); a client sorted in above it.
        state = ViewState()
        _ = press(.backTab, .char("j"), .char("j"), .char("j"), state: &state, snapshot: before)
        XCTAssertEqual(state.focus, .clients)
        XCTAssertEqual(state.cursorClientID, 9)
        after = before
        after.clients.insert(ClientSummary(client: Client(id: 20, name: "Atlanta", type: "client", color: "#000000"), openTasks: 1), at: 0)
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.clientCursor, 4)
        XCTAssertEqual(press(.enter, state: &state, snapshot: after), [.reload])
        XCTAssertEqual(state.clientFilter, 9, "Memphis, as chosen")

        // The failures view: the second failure; a newer one arrives on top.
        state = ViewState()
        _ = press(.char("f"), .char("j"), state: &state, snapshot: before)
        let chosen = before.failures[1]
        after = before
        var newer = before.failures[0]
        newer.id = 99
        newer.jobID = 77
        after.failures.insert(newer, at: 0)
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.failureSelection, 2)
        XCTAssertEqual(press(.char("r"), state: &state, snapshot: after), [.retry(jobID: chosen.jobID)])
    }
}
