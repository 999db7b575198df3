import XCTest
import TallyCore
@testable import TallyUI

/// The task-writing keys and the `a` / `e` form, against the fixture snapshot at 100×30.
final class TaskFormTests: XCTestCase {
    let snapshot = Fixtures.snapshot()

    private func press(_ keys: Key..., state: inout ViewState, width: Int = 100, height: Int = 30) -> [Effect] {
        keys.flatMap { state.handle($0, snapshot: snapshot, width: width, height: height) }
    }

    private func type(_ text: String, state: inout ViewState) -> [Effect] {
        text.flatMap { state.handle(.char($0), snapshot: snapshot, width: 100, height: 30) }
    }

    private func form(_ state: ViewState) -> TaskForm? {
        if case .taskForm(let form) = state.overlay { return form }
        return nil
    }

    func testANewTaskTakesTheFilterAndTabAsDefaults() {
        var state = ViewState()
        _ = press(.char("2"), .char("s"), state: &state)  // Orlando, queued
        _ = press(.char("a"), state: &state)
        let new = try? XCTUnwrap(form(state))
        XCTAssertEqual(new?.text(of: .client), "Orlando")
        XCTAssertEqual(new?.text(of: .status), "queued")
        XCTAssertEqual(new?.text(of: .tier), "progress")
        XCTAssertEqual(new?.focus, .title)
        XCTAssertTrue(state.isTyping, "letters are the title's, not commands")
        XCTAssertEqual(type("Quit 🧾 receipts q", state: &state), [])
        XCTAssertEqual(press(.tab, .tab, .right, .right, .tab, .tab, state: &state), [])
        _ = type("12", state: &state)
        let effects = press(.enter, state: &state)
        XCTAssertNil(state.overlay)
        XCTAssertEqual(effects, [.addTask(NewTask(title: "Quit 🧾 receipts q", clientID: 8, valueTier: "milestone",
                                                               status: "queued", points: 12))])
    }

    func testAnEmptyTitleIsRefusedInTheFormWhichStaysOpen() {
        var state = ViewState()
        _ = press(.char("a"), state: &state)
        _ = type("   ", state: &state)
        XCTAssertEqual(press(.enter, state: &state), [])
        XCTAssertEqual(form(state)?.error, "A task needs a title.")
        XCTAssertEqual(form(state)?.focus, .title)
        _ = press(.tab, .tab, .tab, .tab, state: &state)
        _ = type("x", state: &state)
        XCTAssertEqual(form(state)?.error, "Digits only: points are a whole number from 0 to 1000.")
        XCTAssertEqual(press(.escape, state: &state), [])
        XCTAssertNil(state.overlay, "Esc cancels")
    }

    /// A paste is text: its newlines become spaces in the field and never save the form.
    func testAPasteIsTypedIntoTheFieldNotObeyed() {
        var state = ViewState()
        _ = press(.char("a"), state: &state)
        XCTAssertEqual(press(.paste("Call the bank\nabout the 🏦 loan\tq"), state: &state), [])
        XCTAssertEqual(form(state)?.text(of: .title), "Call the bank about the 🏦 loan q")
        XCTAssertNotNil(form(state), "still open")
        var dashboard = ViewState()
        XCTAssertEqual(press(.paste("qqq"), state: &dashboard), [], "a paste on the dashboard does nothing")
    }

    func testEditFillsTheFormAndSendsItsFields() {
        var state = ViewState()
        _ = press(.char("j"), .char("j"), .char("j"), state: &state)  // 104, milestone, 8 points final
        _ = press(.char("e"), state: &state)
        let filled = form(state)
        XCTAssertEqual(filled?.taskID, 104)
        XCTAssertEqual(filled?.text(of: .title), "Reconcile vendor contract")
        XCTAssertEqual(filled?.text(of: .tier), "milestone")
        XCTAssertEqual(filled?.text(of: .points), "8")
        XCTAssertEqual(filled?.text(of: .client), "Memphis")
        _ = press(.backspace, .backspace, state: &state)
        _ = type("ed", state: &state)
        let effects = press(.enter, state: &state)
        guard case .write(let write)? = effects.first, let edit = write.intent as? EditTask.Intent, edit.taskID == 104 else {
            return XCTFail("\(effects)")
        }
        let values = edit.values
        XCTAssertEqual(values[.title], .text("Reconcile vendor contraed"))
        XCTAssertEqual(values[.pointsFinal], .int(8))
        XCTAssertEqual(values[.status], .text("active"))
    }

    func testPromoteMoveAndDeleteNameTheirTasks() {
        var state = ViewState()
        XCTAssertEqual(press(.char(">"), state: &state), [.message("“Review ECT project requirements” is already active.")])
        XCTAssertEqual(press(.char("J"), state: &state), [.moveTask(taskID: 101, past: 102, down: true)])
        XCTAssertEqual(state.selection, 1, "the selection follows the task")
        XCTAssertEqual(state.selectedTaskID, 101)
        // The page read after the move shows 101 second: K takes it back up past 102.
        var moved = Fixtures.taskRows
        moved.swapAt(0, 1)
        let after = Fixtures.snapshot(rows: moved)
        _ = state.adopt(after, width: 100, height: 30)
        XCTAssertEqual(state.handle(.char("K"), snapshot: after, width: 100, height: 30), [.moveTask(taskID: 101, past: 102, down: false)])
        XCTAssertEqual(state.selection, 0)
        XCTAssertEqual(press(.char("K"), state: &state), [.message("It is already first.")], "101 is first in the first page")
        XCTAssertEqual(press(.char("D"), state: &state), [])
        XCTAssertEqual(press(.char("n"), state: &state), [.message("Kept “Review ECT project requirements”.")])
        _ = press(.char("D"), state: &state)
        XCTAssertEqual(press(.char("y"), state: &state), [.deleteTask(taskID: 101)])
        XCTAssertEqual(press(.char("u"), state: &state), [.undo])
    }

    func testAPendingTaskIsNotEditedTwice() {
        var state = ViewState()
        _ = press(.char("j"), .char("j"), state: &state)  // 103 is waiting for the primary
        XCTAssertEqual(press(.char("e"), state: &state),
                       [.message("“Send quarterly invoice” is waiting for the primary; edit it once it is written.")])
    }

    /// The form over the dashboard, with wide characters, an emoji and an error.
    func testTheFormAt80x24() {
        var state = ViewState()
        _ = press(.char("a"), state: &state, width: 80, height: 24)
        _ = type("Ring the café ☕ about 注文", state: &state)
        _ = press(.tab, .right, .tab, .tab, .tab, state: &state, width: 80, height: 24)
        _ = type("x", state: &state)
        assertScreen(Fixtures.render(state: state, width: 80, height: 24), """
         ◆ tally  14:05 [3 FAIL]                       synced 3m ago · next sync in 50s
         Points ████████▌░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25
         Clients  0 All 40  1 ■ Raleigh 12  2 ■ Orlando 8  3 ■ Memphis 7  …
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  Client          Title                                        Tier        Pts┃
        ┃● ■┏━ New task ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓  4┃
        ┃● ■┃ Title          Ring the café ☕ about 注文                           ┃  2┃
        ┃⧗ ■┃ Client         Raleigh                                               ┃  2┃
        ┃● ■┃ Tier           progress                                              ┃  8┃
        ┃● ■┃ Status         active                                                ┃  1┃
        ┃● ■┃ Points         ▏                                                     ┃  2┃
        ┃● ■┃ Description    —                                                     ┃  2┃
        ┃● ■┃                                                                      ┃  4┃
        ┗━━━┃ ✗ Digits only: points are a whole number from 0 to 1000.             ┃━━━┛
        ╭─ S┃                                                                      ┃e ─╮
        │ ● ┃ Tab next  ←/→ choose  ↵ save  Esc cancel                             ┃   │
        │ Re┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛   │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s ││ tasks     91%   98%            │
        │ ✗ #40  manual    12:59     500 rows    31s ││ goals     90%   96%            │
        │ Failures · 3 unresolved            f opens ││ habits      —  100%            │
        │ 13:00  tasks   network    Could not reach… ││ overall   92%   98%            │
        │ 12:59  goals   timeout    The primary too… ││ 24h ····▄▆▇████▅▇████▇▇██▇ now │
        ╰────────────────────────────────────────────╯╰────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search      ? help
        """)
    }

    /// The smallest screen: the form still shows every field.
    func testTheFormAt60x15() {
        var state = ViewState()
        _ = press(.char("e"), state: &state, width: 60, height: 15)
        assertScreen(Fixtures.render(state: state, width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
        ┏┏━ Edit task #101 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓┓
        ┃┃ Title          Review ECT project requirements▏        ┃┃
        ┃┃ Client         Raleigh                                 ┃┃
        ┃┃ Tier           deliverable                             ┃┃
        ┃┃ Status         active                                  ┃┃
        ┃┃ Points         the tier's                              ┃┃
        ┃┃ Description    Details for Review ECT project require… ┃┃
        ┃┃                                                        ┃┃
        ┃┃ What is to be done (required).                         ┃┃
        ┃┃                                                        ┃┃
        ┃┃ Tab next  ←/→ choose  ↵ save  Esc cancel               ┃┃
        ┃┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
         j/k move  ↵ details  c complete  p points  a add    ? help
        """)
    }

    func testTheDeleteQuestion() {
        var state = ViewState()
        _ = press(.char("D"), state: &state)
        assertScreen(Fixtures.render(state: state, width: 80, height: 24), """
         ◆ tally  14:05 [3 FAIL]                       synced 3m ago · next sync in 50s
         Points ████████▌░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25
         Clients  0 All 40  1 ■ Raleigh 12  2 ■ Orlando 8  3 ■ Memphis 7  …
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  Client          Title                                        Tier        Pts┃
        ┃● ■ Raleigh       Review ECT project requirements              deliverable   4┃
        ┃● ■ Orlando       Draft ICF LPN template                       progress      2┃
        ┃⧗ ■ Revenue       Send quarterly invoice                       quick-win     2┃
        ┃● ■┏━ Delete task #101? ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓   8┃
        ┃● ■┃ “Review ECT project requirements”                                   ┃   1┃
        ┃● ■┃ It is removed from the primary and the cache; u undoes it for 10 s. ┃   2┃
        ┃● ■┃                                                                     ┃   2┃
        ┃● ■┃ y delete  n or Esc keep                                             ┃   4┃
        ┗━━━┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛━━━━┛
        ╭─ Sync ─────────────────────────────────────╮╭─ Cache ───────────── hit rate ─╮
        │ ● idle · last sync 3m ago                  ││            1h   24h            │
        │ Recent jobs                                ││ clients  100%   99%            │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s ││ tasks     91%   98%            │
        │ ✗ #40  manual    12:59     500 rows    31s ││ goals     90%   96%            │
        │ Failures · 3 unresolved            f opens ││ habits      —  100%            │
        │ 13:00  tasks   network    Could not reach… ││ overall   92%   98%            │
        │ 12:59  goals   timeout    The primary too… ││ 24h ····▄▆▇████▅▇████▇▇██▇ now │
        ╰────────────────────────────────────────────╯╰────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search      ? help
        """)
    }
}
