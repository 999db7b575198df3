import XCTest
import TallyCore
@testable import TallyUI

/// Hostile data and odd sizes: nothing from the cache reaches the terminal as an instruction,
/// wide text keeps columns aligned, and no size crashes.
final class SafetyTests: XCTestCase {
    private func hostileSnapshot() -> Snapshot {
        var rows = Fixtures.taskRows
        rows[0].task.title = "Evil \u{1b}[2J\u{1b}[Htitle\u{07} with \u{9b}31mcontrols\r\n"
        rows[0].task.description = "line one\nline two \u{1b}]0;pwned\u{07}done"
        rows[0].clientName = "Ra\u{1b}[31mleigh"
        rows[1].task.title = "日本語のタスクを完了する 🎉🎉 very long title that goes on"
        rows[2].task.title = "Émoji ✍️ and 🗓️ and 👩‍💻 mixed"
        var snapshot = Fixtures.snapshot(rows: rows)
        snapshot.clients[0].client.name = "Ral\u{1b}[2Jeigh"
        snapshot.habits[0].name = "Drink\u{1b}[5m water"
        snapshot.habits[0].emoji = "\u{1b}[31m💧"
        snapshot.failures[0].message = "boom \u{1b}[?1049l back to the shell"
        snapshot.failures[0].detail = "{\"e\":\"\u{1b}[2J\"}"
        return snapshot
    }

    func testControlCharactersNeverReachTheOutput() {
        let snapshot = hostileSnapshot()
        let views: [ViewState] = [ViewState(), ViewState(view: .failures),
                                  ViewState(overlay: .taskDetail(snapshot.tasks.rows[0]))]
        for state in views {
            for (width, height) in [(60, 15), (100, 30), (200, 60)] {
                let screen = Fixtures.render(snapshot, state: state, width: width, height: height)
                let text = screen.plainText()
                XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(state.view) \(width)×\(height)")
                XCTAssertFalse(text.unicodeScalars.contains { (0x7f...0x9f).contains($0.value) })
                for mode in ColorMode.allCases {
                    XCTAssertTrue(onlySGR(ANSIRenderer.render(screen, mode: mode)), "\(mode) \(width)×\(height)")
                }
            }
        }
        let dashboard = Fixtures.render(snapshot, width: 100, height: 30).plainText()
        XCTAssertTrue(dashboard.contains("Evil title with controls"), "the text is still shown, the C1 CSI sequence removed whole")
        XCTAssertFalse(dashboard.contains("[2J"))
        XCTAssertTrue(dashboard.contains("Raleigh"))
        let detail = Fixtures.render(snapshot, state: ViewState(overlay: .taskDetail(snapshot.tasks.rows[0])),
                                     width: 100, height: 30).plainText()
        XCTAssertTrue(detail.contains("line one line two done"), detail)
        let failures = Fixtures.render(snapshot, state: ViewState(view: .failures), width: 100, height: 30).plainText()
        XCTAssertTrue(failures.contains("boom  back to the shell"), failures)
    }

    func testWideTitlesKeepTheColumnsAligned() {
        let screen = Fixtures.render(hostileSnapshot(), width: 100, height: 30)
        let layout = DashboardLayout.compute(width: 100, height: 30, snapshot: hostileSnapshot())
        let right = layout.tasks.maxX - 1
        let pointsX = right - 1
        for row in 0..<layout.visibleTaskRows {
            let y = layout.firstTaskRowY + row
            XCTAssertEqual(screen[right, y].symbol, "┃", "right border on row \(y)")
            XCTAssertFalse(screen[pointsX, y].isContinuation, "points column on row \(y)")
        }
        assertScreen(crop(screen, Rect(x: 30, y: 4, width: 70, height: 3)), """
        ┃● ■ Raleigh    Evil title with controls              deliverable   4┃
        ┃● ■ Orlando    日本語のタスクを完了する 🎉🎉 very l… progress      2┃
        ┃⧗ ■ Revenue    Émoji ✍  and 🗓  and 👩‍💻 mixed          quick-win     2┃
        """)
    }

    func testEverySizeRendersWithoutCrashing() {
        let snapshot = Fixtures.snapshot()
        let states: [ViewState] = [
            ViewState(), ViewState(view: .failures), ViewState(overlay: .help),
            ViewState(overlay: .taskDetail(Fixtures.taskRows[0])),
            ViewState(overlay: .points(.init(taskID: 101, title: "A task", defaultPoints: 3, input: "12", error: "x"))),
        ]
        var search = ViewState()
        search.searchDraft = String(repeating: "long search ", count: 20)
        let sizes = [0, 1, 2, 3, 10, 14, 15, 16, 23, 24, 29, 30, 31, 45, 59, 60, 61, 79, 80, 99, 100, 101, 160, 200, 260]
        for state in states + [search] {
            for width in sizes {
                for height in sizes where height <= 80 {
                    let buffer = Fixtures.render(snapshot, state: state, width: width, height: height)
                    XCTAssertEqual(buffer.width, width)
                    XCTAssertEqual(buffer.height, height)
                    var copy = state
                    for key in [Key.char("j"), .pageDown, .char("G"), .tab, .mouse(MouseEvent(x: width / 2, y: height / 2, kind: .click))] {
                        _ = copy.handle(key, snapshot: snapshot, width: width, height: height)
                    }
                }
            }
        }
    }

    func testZeroOneAndJustTooSmall() {
        let zero = Fixtures.render(width: 0, height: 0)
        XCTAssertEqual(zero.cells.count, 0)
        XCTAssertEqual(zero.plainText(), "")
        XCTAssertEqual(Fixtures.render(width: 1, height: 1).plainText(), "…")
        let small = Fixtures.render(width: 59, height: 14).plainText()
        XCTAssertTrue(small.contains("terminal too small — needs 60×15"))
        let narrow = Fixtures.render(width: 200, height: 14).plainText()
        XCTAssertTrue(narrow.contains("terminal too small — needs 60×15"))
        XCTAssertFalse(Fixtures.render(width: 60, height: 15).plainText().contains("too small"))
    }

    func testEmptySnapshotAndMissingData() {
        var snapshot = Snapshot.empty(now: Fixtures.now, today: Fixtures.today)
        snapshot.tasks = TaskPage(rows: [], total: 5, offset: 0)  // a page that does not hold the rows
        snapshot.clients = [ClientSummary(client: Client(id: 1, name: "", color: "not a colour"), openTasks: 0)]
        snapshot.habits = [Habit(id: 1, name: "", emoji: nil, frequency: nil, currentStreak: nil, longestStreak: nil)]
        snapshot.recentJobs = [SyncJob(id: nil, kind: .manual, status: .failed, entities: [], startedAt: "garbage")]
        snapshot.failures = [SyncFailure(jobID: nil, at: "", entity: "", errorType: .internal, message: "", attempt: 0)]
        for (width, height) in [(60, 15), (100, 30), (200, 60)] {
            let text = Fixtures.render(snapshot, width: width, height: height).plainText()
            XCTAssertTrue(text.contains("Tasks"), "\(width)×\(height)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, height, "every row drawn at \(width)×\(height)")
            XCTAssertTrue(lines.allSatisfy { DisplayWidth.of(String($0)) <= width }, "no row wider than \(width)")
            // The failures view lists the failure with nothing in it: its type, and "—" for what is missing.
            let failures = Fixtures.render(snapshot, state: ViewState(view: .failures), width: width, height: height).plainText()
            XCTAssertTrue(failures.contains("internal"), "\(width)×\(height):\n\(failures)")
            XCTAssertFalse(failures.contains("garbage"), "an unreadable start time is not shown raw")
        }
    }

    private func crop(_ buffer: Buffer, _ rect: Rect) -> Buffer {
        var out = Buffer(width: rect.width, height: rect.height)
        for y in 0..<rect.height {
            for x in 0..<rect.width { out[x, y] = buffer[rect.x + x, rect.y + y] }
        }
        return out
    }
}
