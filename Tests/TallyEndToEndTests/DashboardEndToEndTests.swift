import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// The real binary in a real terminal (tmux), on a demo workspace.
final class DashboardEndToEndTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primary: String { dir.file("primary.db") }

    override func setUpWithError() throws {
        try TmuxDriver.require()
        dir = TempDirectory("tally-e2e")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func dashboard(width: Int = 120, height: Int = 40) throws -> TmuxDriver {
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary 'sqlite://\(primary)'",
                                  width: width, height: height)
        let started = tmux.wait(for: "Tasks · active")
        XCTAssertTrue(started.ok, "dashboard did not start:\n\(started.screen)")
        return tmux
    }

    func sqlite(_ path: String, _ sql: String) -> String {
        shell("sqlite3 '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testNavigatesFiltersSearchesAndOpensHelpAndFailures() throws {
        let tmux = try dashboard()
        tmux.send("s")
        XCTAssertTrue(tmux.wait(for: "Tasks · queued").ok)
        tmux.send("s")
        XCTAssertTrue(tmux.wait(for: "Tasks · backlog").ok)
        tmux.send("0", "s", "s")
        XCTAssertTrue(tmux.wait(for: "Tasks · all").ok, tmux.capture())

        // Client filter: 2 is the second client in the list, Kentucky.
        tmux.send("2")
        let filtered = tmux.wait { screen in
            // Only the task pane (right of the first heavy border) counts: the clients pane
            // lists Raleigh on the same lines.
            let rows = screen.split(separator: "\n").compactMap { line in line.firstIndex(of: "┃").map { line[$0...] } }
            return rows.contains { $0.contains("■ Kentucky") } && !rows.contains { $0.contains("■ Raleigh ") }
        }
        XCTAssertTrue(filtered.ok, filtered.screen)
        tmux.send("0")

        tmux.send("/")
        tmux.send("invoice", literal: true)
        tmux.send("Enter")
        let searched = tmux.wait { screen in
            // The task pane is right of the first heavy border; the clients pane has swatches too.
            let rows = screen.split(separator: "\n").compactMap { line -> Substring? in
                guard let bar = line.firstIndex(of: "┃") else { return nil }
                let pane = line[line.index(after: bar)...]
                return pane.contains("■") ? pane : nil
            }
            return !rows.isEmpty && rows.allSatisfy { $0.lowercased().contains("invoice") }
        }
        XCTAssertTrue(searched.ok, searched.screen)
        tmux.send("Escape")

        tmux.send("j", "j", "Enter")
        XCTAssertTrue(tmux.wait(for: "Value tier").ok || tmux.wait(for: "tier").ok)
        tmux.send("Escape")

        tmux.send("?")
        XCTAssertTrue(tmux.wait(for: "complete the selected task").ok)
        tmux.send("Escape")
        tmux.send("f")
        XCTAssertTrue(tmux.wait(for: "ailures").ok)
        tmux.send("Escape", "q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    /// `a`, a title with an emoji, Enter: the task is on the primary and on screen; `e` renames
    /// it, `D` `y` deletes it, `u` brings it back.
    func testAddsEditsDeletesAndUndoesFromTheKeyboard() throws {
        let tmux = try dashboard()
        tmux.send("a")
        XCTAssertTrue(tmux.wait(for: "New task").ok, tmux.capture())
        tmux.send("Ring the printer 🖨 back", literal: true)
        tmux.send("Tab", "Tab", "Right", "Right", "Enter")
        let added = tmux.wait { $0.contains("added “Ring the printer 🖨 back”") && $0.contains("Ring the printer 🖨 back  ") }
        XCTAssertTrue(added.ok, added.screen)
        XCTAssertEqual(sqlite(primary, "SELECT status || ' ' || value_tier FROM tasks WHERE title = 'Ring the printer 🖨 back'"),
                       "active milestone")

        tmux.send("g", "e")
        XCTAssertTrue(tmux.wait(for: "Edit task").ok, tmux.capture())
        tmux.send("C-u")
        tmux.send("Ring the printer", literal: true)
        tmux.send("Enter")
        XCTAssertTrue(tmux.wait(for: "saved “Ring the printer”").ok, tmux.capture())
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE title = 'Ring the printer'"), "1")

        tmux.send("D")
        XCTAssertTrue(tmux.wait(for: "Delete task").ok, tmux.capture())
        tmux.send("y")
        XCTAssertTrue(tmux.wait(for: "deleted").ok, tmux.capture())
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE title = 'Ring the printer'"), "0")
        tmux.send("u")
        let back = tmux.wait { $0.contains("undone") && $0.contains("Ring the printer  ") }
        XCTAssertTrue(back.ok, back.screen)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE title = 'Ring the printer'"), "1")

        // A pasted block of lines is one title, and the form stays open until Enter.
        tmux.send("a")
        XCTAssertTrue(tmux.wait(for: "New task").ok, tmux.capture())
        tmux.paste("Pasted first line\nsecond line")
        let pasted = tmux.wait { $0.contains("Pasted first line second line") && $0.contains("New task") }
        XCTAssertTrue(pasted.ok, pasted.screen)
        tmux.send("Escape")

        // An empty title is refused in the form, which stays open.
        tmux.send("a", "Enter")
        XCTAssertTrue(tmux.wait(for: "A task needs a title.").ok, tmux.capture())
        tmux.send("Escape", "q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    func testShowsATaskAnotherProcessInsertedWithinASecond() throws {
        let tmux = try dashboard()
        let before = Date()
        _ = sqlite(cache, "INSERT INTO cached_tasks (id, client_id, title, status, sort_order, created_at, updated_at) VALUES (777001, 7, 'Written by the MCP server', 'active', -5, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
        let shown = tmux.wait(for: "Written by the MCP server", timeout: 3)
        XCTAssertTrue(shown.ok, shown.screen)
        XCTAssertLessThan(Date().timeIntervalSince(before), 1.5, "shown within the poll interval")
        tmux.send("q")
    }

    func testSurvivesResizing() throws {
        let tmux = try dashboard()
        for (w, h) in [(50, 12), (60, 15), (200, 60), (1, 1), (100, 30), (61, 16)] {
            tmux.resize(width: w, height: h)
            let screen = tmux.settled()
            XCTAssertFalse(screen.contains("__EXITED__"), "crashed at \(w)x\(h):\n\(screen)")
            if w < 60 || h < 15, w > 40 { XCTAssertTrue(tmux.wait(for: "terminal too small").ok, screen) }
            if w >= 100 { XCTAssertTrue(tmux.wait(for: "Points").ok, screen) }
        }
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok)
    }

    /// What tmux shows after the failures view came and went is what `tally render` prints for
    /// the same workspace: no character left over from the failures view, and the habits whose
    /// emoji carries a variation selector (✍️, 🗓️) take the same columns in both.
    func testTheLiveScreenMatchesRenderAfterTheFailuresView() throws {
        let tmux = try dashboard(width: 120, height: 40)
        tmux.send("f")
        XCTAssertTrue(tmux.wait(for: "Nothing to retry.").ok, tmux.capture())
        tmux.send("Escape")
        let back = tmux.wait { !$0.contains("Nothing to retry.") && $0.contains("Tasks · active") }
        XCTAssertTrue(back.ok, back.screen)
        let live = lines(tmux.settled(), count: 40)
        let rendered = try Tally.run(["render", "--size", "120x40", "--cache", cache, "--primary", "sqlite://\(primary)"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        let frame = lines(rendered.stdout, count: 40)

        let journal = try XCTUnwrap(live.first { $0.contains("Journal") }, live.joined(separator: "\n"))
        XCTAssertTrue(journal.hasPrefix("│  ✍  Journal "), journal)  // the first column marks a habit done today
        // The clients, habits and tasks panes hold nothing that changes with the clock: the
        // same text, row for row. (The header and the sync and cache panes say "3s ago" and
        // count lookups, so there only the borders are compared.)
        let bottomStrip = try XCTUnwrap(frame.firstIndex { $0.hasPrefix("╭─ Sync") })
        for row in 2..<bottomStrip {
            XCTAssertEqual(live[row], frame[row], "row \(row)")
        }
        XCTAssertEqual(live[39], frame[39], "the key line")
        for row in 0..<40 {
            XCTAssertEqual(borderColumns(live[row]), borderColumns(frame[row]), "borders of row \(row):\n\(live[row])\n\(frame[row])")
        }
        tmux.send("q")
    }

    /// The header says when a sync will run: the demo was just synced and goes stale after
    /// 15 minutes, so the first timer check after that (16 minutes at most).
    func testTheHeaderSaysWhenTheNextSyncRuns() throws {
        let tmux = try dashboard()
        let header = tmux.capture().split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(header.contains("next sync in 15m") || header.contains("next sync in 16m"), header)
        XCTAssertFalse(header.contains("refresh"), header)
        tmux.send("q")
    }

    /// `count` lines of `text`, trailing spaces dropped (tmux and `render` both drop them).
    func lines(_ text: String, count: Int) -> [String] {
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " }.reversed())
        }
        while rows.count < count { rows.append("") }
        return Array(rows.prefix(count))
    }

    /// The columns (counted in terminal cells) of the pane borders on a line.
    func borderColumns(_ line: String) -> [Int] {
        var columns: [Int] = []
        var column = 0
        for character in line {
            if "│┃╭╮╰╯┏┓┗┛".contains(character) { columns.append(column) }
            // The demo's wide characters are all emoji with Emoji_Presentation.
            column += character.unicodeScalars.first?.properties.isEmojiPresentation == true ? 2 : 1
        }
        return columns
    }

    func testQuitLeavesAWorkingShell() throws {
        let tmux = try dashboard()
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok)
        assertShellIsUsable(tmux)
    }

    func testSIGTERMRestoresTheTerminal() throws {
        let tmux = try dashboard()
        guard let shellPID = tmux.panePID() else { return XCTFail("no pane pid") }
        let child = shell("pgrep -P \(shellPID) -x tally || pgrep -P \(shellPID)").output
            .split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertFalse(child.isEmpty)
        shell("kill -TERM \(child)")
        XCTAssertTrue(tmux.wait(for: "__EXITED__").ok, tmux.capture())
        assertShellIsUsable(tmux)
    }

    /// The pane is back on the main screen, the cursor shows, typing echoes and runs.
    func assertShellIsUsable(_ tmux: TmuxDriver, file: StaticString = #filePath, line: UInt = #line) {
        let state = shell("tmux -L \(TmuxDriver.socket) display-message -p -t \(tmux.session) '#{alternate_on} #{cursor_flag} #{mouse_any_flag}'").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(state, "0 1 0", "alternate screen off, cursor on, mouse off", file: file, line: line)
        tmux.send("echo ok-$((40+2))", literal: true)
        tmux.send("Enter")
        XCTAssertTrue(tmux.wait(for: "ok-42").ok, tmux.capture(), file: file, line: line)
        let styled = tmux.captureWithAttributes().split(separator: "\n").last { $0.contains("ok-42") } ?? ""
        XCTAssertFalse(styled.contains("\u{1b}[7m") || styled.contains("\u{1b}[1m"), "no leftover attributes: \(styled.debugDescription)",
                       file: file, line: line)
    }

    func testCompletingATaskUpdatesGaugeListAndDatabase() throws {
        let listed = try Tally.run(["tasks", "--json", "--cache", cache, "--limit", "1"])
        let tasks = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        let first = try XCTUnwrap(tasks?.first)
        let id = try XCTUnwrap(first["id"] as? Int)
        let title = try XCTUnwrap(first["title"] as? String)
        let points = try XCTUnwrap(first["points"] as? Int)
        let status = try Tally.run(["status", "--json", "--cache", cache])
        let before = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["points"] as? Int)

        let tmux = try dashboard()
        XCTAssertTrue(tmux.capture().contains("\(before)/18"))
        tmux.send("c")
        let done = tmux.wait { $0.contains("\(before + points)/18") && $0.contains("+\(points) pts") }
        XCTAssertTrue(done.ok, done.screen)
        let taskLines = done.screen.split(separator: "\n").filter { $0.contains("┃") }
        XCTAssertFalse(taskLines.contains { $0.contains(title) && $0.contains("┃●") }, "the task left the active list")
        XCTAssertEqual(sqlite(primary, "SELECT status || ' ' || points_final FROM tasks WHERE id = \(id)"), "done \(points)")
        XCTAssertEqual(sqlite(cache, "SELECT status || ' ' || points_final FROM cached_tasks WHERE id = \(id)"), "done \(points)")
        let today = LocalDay(Date()).description
        XCTAssertEqual(sqlite(primary, "SELECT earned_points FROM daily_goals WHERE date = '\(today)'"), "\(before + points)")
        XCTAssertEqual(sqlite(cache, "SELECT earned_points FROM cached_daily_goals WHERE date = '\(today)'"), "\(before + points)")
        tmux.send("q")
    }

    /// `Tab` to the habits pane, `Space` checks the first habit in (✓, the count, the primary's
    /// completion row), `u` takes it back, `Enter` shows its detail; the commands agree.
    func testChecksAHabitInFromTheHabitsPane() throws {
        let listed = try Tally.run(["habits", "--json", "--cache", cache])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let habits = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let first = try XCTUnwrap(habits.first)
        let id = try XCTUnwrap(first["id"] as? Int)
        let name = try XCTUnwrap(first["name"] as? String)
        let streak = try XCTUnwrap(first["currentStreak"] as? Int)
        XCTAssertEqual(first["completedToday"] as? Bool, false)
        let today = LocalDay(Date()).description
        // The demo's habits carry the check-ins behind their streaks.
        let before = Int(sqlite(primary, "SELECT count(*) FROM habit_completions WHERE habit_id = \(id)")) ?? 0

        let tmux = try dashboard()
        XCTAssertTrue(tmux.wait(for: "0/\(habits.count) today").ok, tmux.capture())
        tmux.send("Tab", "Space")
        let done = tmux.wait { $0.contains("“\(name)” checked in") && $0.contains("1/\(habits.count) today") }
        XCTAssertTrue(done.ok, done.screen)
        XCTAssertTrue(done.screen.split(separator: "\n").contains { $0.contains("┃✓") && $0.contains(name) }, done.screen)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM habit_completions WHERE habit_id = \(id)"), "\(before + 1)")
        XCTAssertEqual(sqlite(primary, "SELECT current_streak FROM habits WHERE id = \(id)"), "\(streak + 1)", "the demo's streak goes on")
        XCTAssertEqual(sqlite(primary, "SELECT last_completed_date FROM habits WHERE id = \(id)"), today)
        XCTAssertEqual(sqlite(cache, "SELECT count(*) FROM tally_habit_checkins WHERE habit_id = \(id) AND completed_at >= '\(today)'"), "1")

        // Once a day.
        tmux.send("Space")
        XCTAssertTrue(tmux.wait(for: "already done today").ok, tmux.capture())

        tmux.send("u")
        let undone = tmux.wait { $0.contains("undone") && $0.contains("0/\(habits.count) today") }
        XCTAssertTrue(undone.ok, undone.screen)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM habit_completions WHERE habit_id = \(id)"), "\(before)")
        XCTAssertEqual(sqlite(primary, "SELECT current_streak FROM habits WHERE id = \(id)"), "\(streak)")

        tmux.send("Enter")
        let detail = tmux.wait { $0.contains("Habit #\(id)") && $0.contains("Last 30 days") }
        XCTAssertTrue(detail.ok, detail.screen)
        tmux.send("Escape", "q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())

        // The command line checks in the same way and says what is wrong in one line.
        let checked = try Tally.run(["habit", "done", name, "--note", "from the shell", "--cache", cache, "--primary", "sqlite://\(primary)"])
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertTrue(checked.stdout.hasPrefix("Checked in \(id)"), checked.stdout)
        let again = try Tally.run(["habit", "done", String(id), "--cache", cache, "--primary", "sqlite://\(primary)"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.hasPrefix("Already done today"), again.stdout)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) || ' ' || max(note) FROM habit_completions WHERE habit_id = \(id)"), "\(before + 1) from the shell")
        let unknown = try Tally.run(["habit", "done", "no such habit", "--cache", cache, "--primary", "sqlite://\(primary)"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("There is no habit"), unknown.stderr)
        let after = try Tally.run(["habits", "--json", "--cache", cache])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.first { $0["id"] as? Int == id }?["completedToday"] as? Bool, true)
    }
}
