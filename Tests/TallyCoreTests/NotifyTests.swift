import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `[notify]`: the rules on a clock the test moves, the memory in the cache, the settings, and
/// the delivery (a real program that appends to a file, a terminal's escape).
final class NotifyTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    /// Monday 2026-11-23, 08:00 UTC.
    let monday = Date(timeIntervalSince1970: 1_795_392_000 + 8 * 3600)

    /// Today's figures with `earned` points on the goal row, at the clock's hour.
    func observation(_ clock: TestClock, earned: Int, target: Int = 18, habits: [NotifyObservation.HabitAtRisk] = [],
                     failed: Int = 0, reachable: Bool? = nil, queued: Int = 0) -> NotifyObservation {
        let today = LocalDay(clock.now, in: utc)
        let hour = clock.now.timeIntervalSince(today.start(in: utc)) / 3600
        let row = DailyGoal(id: 1, date: today.description, targetPoints: target, earnedPoints: earned, taskCount: earned / 3,
                            currentStreak: 4)
        let figures = Ledger.figures(goals: [row], today: today, context: Ledger.Today(hour: hour))
        return NotifyObservation(today: today, hour: hour, figures: figures, habitsAtRisk: habits, failedSyncsInARow: failed,
                                 lastSyncError: failed > 0 ? "tasks: Cannot reach PostgreSQL at db.example.com" : nil,
                                 primaryReachable: reachable, queuedWrites: queued)
    }

    func testTheMinimumAndTheTargetAreToldOnceADay() async {
        let clock = TestClock(now: monday)
        var rules = NotifyRules(settings: NotifySettings())
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 4)), [], "nothing reached at 8:00")
        await clock.advance(by: 2 * 3600)
        let minimum = rules.notices(for: observation(clock, earned: 12))
        XCTAssertEqual(minimum.map(\.event), [.minimum])
        XCTAssertEqual(minimum.first?.title, "Minimum met")
        XCTAssertEqual(minimum.first?.body, "12/18 points today · 6 to the target")
        await clock.advance(by: 60)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 13)), [], "once a day")
        await clock.advance(by: 3600)
        let target = rules.notices(for: observation(clock, earned: 19))
        XCTAssertEqual(target.map(\.event), [.target])
        XCTAssertEqual(target.first?.body, "19/18 points today from 6 tasks")
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 25)), [])

        // The next day: told again when reached again, and the target alone when both come at once.
        await clock.advance(by: 24 * 3600)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 20)).map(\.event), [.target])
        XCTAssertEqual(rules.told[.minimum], LocalDay(clock.now, in: utc), "the minimum counts as told with the target")
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 20)), [])
    }

    func testBehindPaceIsToldFromTheConfiguredHourUntilTheDayEnds() async {
        let clock = TestClock(now: monday.addingTimeInterval(5 * 3600))  // 13:00
        var settings = NotifySettings()
        settings.behindAt = 14
        var rules = NotifyRules(settings: settings)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 2)), [], "behind, but before 14:00")
        await clock.advance(by: 90 * 60)  // 14:30
        let behind = rules.notices(for: observation(clock, earned: 2))
        XCTAssertEqual(behind.map(\.event), [.behind])
        let expected = Int(Ledger.expectedPoints(hour: 14.5, target: 18).rounded())
        XCTAssertEqual(behind.first?.body, "2/18 points at 14:30; \(expected) expected by now")
        await clock.advance(by: 60)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 2)), [])

        // The next day, on track at 14:00: nothing; behind after the working day: nothing either.
        await clock.advance(by: 24 * 3600 - 31 * 60)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 11)), [])
        await clock.advance(by: 4.5 * 3600)  // 18:30
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 2)), [])
    }

    func testHabitStreaksAtRiskAreToldInTheEveningWithTheirNamesCleaned() async {
        let clock = TestClock(now: monday.addingTimeInterval(11 * 3600))  // 19:00
        var rules = NotifyRules(settings: NotifySettings())
        let habits = [NotifyObservation.HabitAtRisk(name: "Med\u{1b}]0;owned\u{07}itate", streak: 48),
                      NotifyObservation.HabitAtRisk(name: "Journal", streak: 18)]
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 14, habits: habits)).map(\.event), [.minimum])
        await clock.advance(by: 3600)  // 20:00
        let streak = rules.notices(for: observation(clock, earned: 14, habits: habits))
        XCTAssertEqual(streak.map(\.event), [.streak])
        XCTAssertEqual(streak.first?.title, "2 habit streaks at risk")
        XCTAssertEqual(streak.first?.body, "Meditate (48), Journal (18): not checked in today")
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 14, habits: habits)), [])
    }

    func testFailingSyncsAndThePrimaryComingBack() async {
        let clock = TestClock(now: monday)
        var settings = NotifySettings()
        settings.syncFailures = 3
        var rules = NotifyRules(settings: settings)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 0, failed: 2, reachable: false)), [])
        await clock.advance(by: 60)
        let failing = rules.notices(for: observation(clock, earned: 0, failed: 3, reachable: false))
        XCTAssertEqual(failing.map(\.event), [.syncFailing])
        XCTAssertEqual(failing.first?.body, "The last 3 syncs failed: tasks: Cannot reach PostgreSQL at db.example.com")
        await clock.advance(by: 60)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 0, failed: 4, reachable: false)), [])
        await clock.advance(by: 60)
        let back = rules.notices(for: observation(clock, earned: 0, reachable: true, queued: 2))
        XCTAssertEqual(back.map(\.event), [.primaryBack])
        XCTAssertEqual(back.first?.body, "Syncs reach the primary again; 2 queued writes are being sent")

        // A primary that was never away is not "back"; one that is back again the same day is not told twice.
        var fresh = NotifyRules(settings: settings)
        XCTAssertEqual(fresh.notices(for: observation(clock, earned: 0, reachable: true)), [])
        _ = rules.notices(for: observation(clock, earned: 0, reachable: false))
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 0, reachable: true)), [])
    }

    func testOnlyTheChosenEventsAndNotWhatAnEarlierRunTold() {
        let clock = TestClock(now: monday.addingTimeInterval(4 * 3600))
        var settings = NotifySettings()
        settings.events = [.target]
        var rules = NotifyRules(settings: settings)
        XCTAssertEqual(rules.notices(for: observation(clock, earned: 12)), [], "the minimum is not chosen")
        let today = LocalDay(clock.now, in: utc)
        var restarted = NotifyRules(settings: NotifySettings(), told: [.target: today, .minimum: today])
        XCTAssertEqual(restarted.notices(for: observation(clock, earned: 20)), [])
        var yesterday = NotifyRules(settings: NotifySettings(), told: [.target: today.adding(days: -1)])
        XCTAssertEqual(yesterday.notices(for: observation(clock, earned: 20)).map(\.event), [.target])
    }

    /// The observation from a real snapshot: figures at the observation's hour (not the
    /// snapshot's), the failed syncs in a row, whether the newest one reached the primary, the
    /// habits a check-in today would keep going.
    func testTheObservationOfASnapshot() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let readAt = monday.addingTimeInterval(2 * 3600)
        let data = DemoData.make(taskCount: 150, days: 60, now: readAt, timeZone: utc)
        try store.writeNow { db in
            try data.insert(into: db, tablePrefix: "cached_")
            for completion in data.habitCompletions { try CacheRows.addHabitCheckIn(completion, pending: false, db) }
            try CacheMeta.set(db, CacheMeta.lastSyncAt, Timestamp.format(readAt))
            for (index, status) in [SyncJob.Status.completed, .failed, .running, .failed].enumerated() {
                var job = SyncJob(kind: .scheduled, status: status, entities: Namespace.allCases,
                                  startedAt: Timestamp.format(readAt.addingTimeInterval(Double(index) * 60)))
                job.errorMessage = status == .failed ? "tasks: failure \(index)" : nil
                try job.insert(db)
                if index == 3 {
                    try CacheRows.record(SyncFailure(jobID: job.id, at: job.startedAt, entity: "tasks", errorType: .network,
                                                     message: "Cannot reach PostgreSQL", attempt: 3), db)
                }
            }
        }
        let snapshot = try store.snapshot(query: TaskQuery(limit: 1), now: readAt, timeZone: utc)
        let later = readAt.addingTimeInterval(6 * 3600)
        let seen = NotifyObservation(snapshot: snapshot, now: later, timeZone: utc, workday: 9...18)
        XCTAssertEqual(seen.hour, 16)
        XCTAssertEqual(seen.figures?.earned, snapshot.goal.earned)
        XCTAssertEqual(seen.figures?.expected, Ledger.expectedPoints(hour: 16, target: snapshot.goal.target))
        XCTAssertEqual(seen.failedSyncsInARow, 2, "newest first: failed, running (skipped), failed, then completed")
        XCTAssertEqual(seen.lastSyncError, "tasks: failure 3")
        XCTAssertEqual(seen.primaryReachable, false, "the newest finished job could not reach the primary")
        // The demo's habits all ran through yesterday: every active one with a streak is at risk
        // (a weekdays habit too on a Monday), except those already checked in today.
        let expected = snapshot.habits.filter { ($0.currentStreak ?? 0) > 0 && !snapshot.habitsDone.contains($0.id) }.map(\.name)
        XCTAssertEqual(seen.habitsAtRisk.map(\.name), expected)
        XCTAssertFalse(expected.isEmpty)

        let neverSynced = try CacheStore(path: dir.file("empty.db")).snapshot(query: TaskQuery(limit: 1), now: readAt, timeZone: utc)
        XCTAssertNil(NotifyObservation(snapshot: neverSynced, now: later, timeZone: utc, workday: 9...18).figures,
                     "an empty cache has no figures to tell about")
    }

    func testHabitsAtRiskFollowWorkOSsStreakRules() {
        let today = LocalDay(monday, in: utc)  // a Monday
        let friday = today.adding(days: -3), sunday = today.adding(days: -1), lastMonday = today.adding(days: -7)
        let habits = [
            Habit(id: 1, name: "Daily, done yesterday", frequency: "daily", currentStreak: 5),
            Habit(id: 2, name: "Daily, done today", frequency: "daily", currentStreak: 6),
            Habit(id: 3, name: "Daily, broken already", frequency: "daily", currentStreak: 5),
            Habit(id: 4, name: "Weekdays, done Friday", frequency: "weekdays", currentStreak: 9),
            Habit(id: 5, name: "Weekly, done a week ago", frequency: "weekly", currentStreak: 3),
            Habit(id: 6, name: "No streak", frequency: "daily", currentStreak: 0),
            Habit(id: 7, name: "Inactive", frequency: "daily", currentStreak: 5, isActive: false),
        ]
        let days: [Int64: Set<LocalDay>] = [1: [sunday], 2: [sunday, today], 3: [friday], 4: [friday], 5: [lastMonday], 6: [sunday], 7: [sunday]]
        XCTAssertEqual(NotifyObservation.habitsAtRisk(habits, days: days, today: today).map(\.name),
                       ["Daily, done yesterday", "Weekdays, done Friday", "Weekly, done a week ago"])
        XCTAssertEqual(NotifyObservation.habitsAtRisk(habits, days: days, today: today.adding(days: 5)).map(\.name), [],
                       "a Saturday: nothing continues, and a weekdays habit is not due")
    }

    // MARK: Memory

    func testTheCacheRemembersTheDayAndOnlyOneClaimWins() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let other = try CacheStore(path: dir.file("cache.db"))
        let day = LocalDay(monday, in: utc)
        XCTAssertTrue(try store.writeNow { db in try NotifyMemory.claim(.target, day: day, db) })
        XCTAssertFalse(try other.writeNow { db in try NotifyMemory.claim(.target, day: day, db) }, "another dashboard on the cache")
        XCTAssertTrue(try other.writeNow { db in try NotifyMemory.claim(.minimum, day: day, db) })
        XCTAssertTrue(try store.writeNow { db in try NotifyMemory.claim(.target, day: day.adding(days: 1), db) })
        XCTAssertFalse(try store.writeNow { db in try NotifyMemory.claim(.target, day: day, db) }, "an earlier day")
        XCTAssertEqual(try store.read { db in try NotifyMemory.read(db) }, [.target: day.adding(days: 1), .minimum: day])
        XCTAssertEqual(try store.read { db in try String.fetchOne(db, sql: "SELECT value FROM cache_meta WHERE key = 'tally.notified.target'") },
                       day.adding(days: 1).description)
    }

    // MARK: Settings

    func testTheNotifyTableOfTheConfig() throws {
        let dir = TempDirectory()
        func load(_ text: String) throws -> Config {
            let path = dir.file("config.toml")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try Config.resolve(Config.Overrides(config: path), environment: ["HOME": dir.path])
        }
        XCTAssertNil(try load("theme = \"nord\"\n").notify, "no table, no notifications")
        let config = try load("""
            [notify]
            command = ["notify-send", "-u", "low", "{title}", "{body}"]
            events = ["target", "sync_failing"]
            behind_at = 15.5
            evening = 21
            sync_failures = 5
            timeout = 3
            """)
        var expected = NotifySettings()
        expected.delivery = .program(["notify-send", "-u", "low", "{title}", "{body}"])
        expected.events = [.target, .syncFailing]
        expected.behindAt = 15.5
        expected.evening = 21
        expected.syncFailures = 5
        expected.timeout = 3
        XCTAssertEqual(config.notify, expected)
        XCTAssertEqual(try load("[notify]\ncommand = \"bell\"\n").notify?.delivery, .bell)
        XCTAssertEqual(try load("[notify]\n").notify, NotifySettings(), "an empty table: every event, delivered automatically")

        let refusals = [
            ("[notify]\nevents = [\"target\", \"lunch\"]\n", "line 2: unknown event \"lunch\" in [notify] events (minimum, target, behind, streak, sync_failing, primary_back)"),
            ("[notify]\ncommand = []\n", "line 2: command in [notify] must be a list of strings, the program first"),
            ("[notify]\ncommand = \"beep\"\n", "line 2: command in [notify] must be a list"),
            ("[notify]\nevening = 25\n", "line 2: evening in [notify] must be an hour from 0 to 24"),
            ("[notify]\nsync_failures = 9\n", "line 2: sync_failures in [notify] must be a whole number from 1 to 8"),
            ("[notify]\ntimeout = 0\n", "line 2: timeout in [notify] must be a number of seconds"),
            ("[notify]\nsound = true\n", "line 2: unknown setting \"sound\" in [notify] (command, events, behind_at, evening, sync_failures, timeout)"),
            ("notify = 1\n", "line 1: [notify] must be a table"),
        ]
        for (text, message) in refusals {
            XCTAssertThrowsError(try load(text), text) { error in
                XCTAssertTrue(error.userMessage.contains(message), "\(text): \(error.userMessage)")
                XCTAssertFalse(error.userMessage.contains("\n"))
            }
        }
    }

    func testTheArgumentsGetTheTitleAndBodyInOnePass() {
        XCTAssertEqual(NotifySettings.arguments(["notify-send", "--urgency=low", "{title}", "Tally: {body} ({title})", "{nothing}"],
                                                title: "Target {body}", body: "18/18; $(rm -rf ~)"),
                       ["notify-send", "--urgency=low", "Target {body}", "Tally: 18/18; $(rm -rf ~) (Target {body})", "{nothing}"])
    }

    // MARK: Delivery

    func testTerminalEscapesCarryNothingThatEndsThem() {
        XCTAssertEqual(TerminalNotice(.osc777, title: "Target hit", body: "18/18; done").sequence,
                       "\u{1b}]777;notify;Target hit;18/18, done\u{1b}\\")
        XCTAssertEqual(TerminalNotice(.osc9, title: "Target hit", body: "18/18").sequence, "\u{1b}]9;Target hit: 18/18\u{1b}\\")
        XCTAssertEqual(TerminalNotice(.bell, title: "x", body: "y").sequence, "\u{07}")
        let hostile = TerminalNotice(.osc777, title: "a\u{1b}\\\u{07}b", body: "c\u{9c}\u{1b}]0;x\u{07}d").sequence
        XCTAssertEqual(hostile, "\u{1b}]777;notify;ab;cd\u{1b}\\")
        XCTAssertEqual(TerminalNotice(.osc9, title: "T", body: "B", tmux: true).sequence,
                       "\u{1b}Ptmux;\u{1b}\u{1b}]9;T: B\u{1b}\u{1b}\\\u{1b}\\")
    }

    func testAutomaticDeliveryPrefersNotifySendOnADesktopThenTheTerminal() throws {
        let dir = TempDirectory()
        let program = dir.file("notify-send")
        try "#!/bin/sh\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let path = "/nonexistent:\(dir.path)"
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["PATH": path, "WAYLAND_DISPLAY": "wayland-0"]),
                       .program(NotifyDelivery.notifySend))
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["PATH": path]), .terminal(.bell, tmux: false),
                       "no desktop session to show it (SSH)")
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["PATH": "/nonexistent", "DISPLAY": ":0"]),
                       .terminal(.bell, tmux: false))
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["TERM_PROGRAM": "iTerm.app"]), .terminal(.osc9, tmux: false))
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["TERM": "foot"]), .terminal(.osc777, tmux: false))
        XCTAssertEqual(NotifyDelivery.resolve(.automatic, environment: ["TERM_PROGRAM": "tmux", "TMUX": "/tmp/tmux-0/default,1,0"]),
                       .terminal(.bell, tmux: true))
        XCTAssertEqual(NotifyDelivery.resolve(.osc777, environment: ["TMUX": "/tmp/tmux-0/default,1,0"]), .terminal(.osc777, tmux: true))
        XCTAssertEqual(NotifyDelivery.resolve(.program(["true"]), environment: [:]), .program(["true"]))
    }

    func testTheProgramRunsWithoutAShellAndItsFailuresAreSaid() async throws {
        let dir = TempDirectory()
        let log = dir.file("notifications.log")
        let template = ["/bin/sh", "-c", "printf '%s|%s\\n' \"$1\" \"$2\" >> \"$0\"", log, "{title}", "{body}"]
        let arguments = NotifySettings.arguments(template, title: "Target hit", body: "18/18 points; `touch \(dir.file("owned"))`")
        let outcome = await NotifyProgram.run(arguments, timeout: 10)
        XCTAssertEqual(outcome, .exited(0))
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "Target hit|18/18 points; `touch \(dir.file("owned"))`\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("owned")), "a body is never run")

        let failed = await NotifyProgram.run(["/bin/sh", "-c", "echo noise; exit 3"], timeout: 10)
        XCTAssertEqual(failed, .exited(3))
        XCTAssertEqual(failed.failure, "exited with status 3")
        let missing = await NotifyProgram.run(["tally-no-such-notifier"], timeout: 10)
        guard case .couldNotStart(let reason) = missing else { return XCTFail("\(missing)") }
        XCTAssertTrue(reason.hasPrefix("tally-no-such-notifier: "), reason)
    }

    func testAProgramThatOutlastsItsTimeoutIsKilledWithWhatItStarted() async throws {
        let dir = TempDirectory()
        let clock = TestClock()
        let pidFile = dir.file("sleeper.pid")
        let run = Task {
            await NotifyProgram.run(["/bin/sh", "-c", "sleep 600 & echo $! > \"$0\"; wait; echo late >> \"$0\"", pidFile],
                                    timeout: 5, clock: clock)
        }
        let asleep = await clock.waitForSleepers(1)
        XCTAssertTrue(asleep, "the timeout waits on the clock")
        // The shell has started its sleep before the test moves time on.
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasSuffix("\n") != true, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let sleeper = try XCTUnwrap(pid_t((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        await clock.advance(by: 4)
        XCTAssertEqual(clock.sleepers, 1, "not yet")
        await clock.advance(by: 1)
        let outcome = await run.value
        XCTAssertEqual(outcome, .timedOut)
        XCTAssertEqual(outcome.failure, "did not finish in time and was killed")
        XCTAssertFalse(try String(contentsOfFile: pidFile, encoding: .utf8).contains("late"))
        // The shell's child went with it (it may linger as a zombie until its new parent reaps it).
        func gone() -> Bool {
            if kill(sleeper, 0) != 0 { return true }
            let stat = (try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8)) ?? ""
            return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
        }
        let until = Date().addingTimeInterval(10)
        while !gone(), Date() < until { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertTrue(gone(), "the sleep the shell started was killed too")
    }
}
