import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// WorkOS's energy and readiness rules as pure values: the level a readiness maps to, the day
/// target's adjustment, today's energy and where it comes from, the energy gate, and the match
/// score (the same in Swift and in SQL).
final class EnergyTests: XCTestCase {
    let newYork = TimeZone(identifier: "America/New_York")!

    func testReadinessMapsToLevelsAtWorkOSsThresholds() {
        XCTAssertEqual(EnergyLevel(readiness: 100), .high)
        XCTAssertEqual(EnergyLevel(readiness: 76), .high)
        XCTAssertEqual(EnergyLevel(readiness: 75), .medium)
        XCTAssertEqual(EnergyLevel(readiness: 60), .medium)
        XCTAssertEqual(EnergyLevel(readiness: 59), .low)
        XCTAssertEqual(EnergyLevel(readiness: 0), .low)
    }

    func testTheDayTargetMovesByReadinessBands() {
        let high = GoalAdjustment(readiness: 85, sleep: 80)
        XCTAssertEqual([high.adjustedTarget, high.adjustmentPercentage], [21, 15])
        XCTAssertEqual(high.reason, "High readiness (85/100) - increased target by 15% to leverage peak energy. Sleep quality: 80/100.")
        XCTAssertEqual(high.energyLevel, .high)
        let good = GoalAdjustment(readiness: 72, sleep: nil)
        XCTAssertEqual([good.adjustedTarget, good.adjustmentPercentage], [18, 0])
        XCTAssertEqual(good.energyLevel, .medium, "72 is medium energy, and no change to the target")
        XCTAssertEqual(GoalAdjustment(readiness: 70, sleep: nil).adjustedTarget, 18)
        let low = GoalAdjustment(readiness: 65, sleep: nil)
        XCTAssertEqual([low.adjustedTarget, low.adjustmentPercentage], [14, -25], "13.5 rounds up, as Math.round does")
        XCTAssertEqual(low.energyLevel, .medium, "65 is medium energy yet −25 %: the bands differ")
        XCTAssertEqual(GoalAdjustment(readiness: 84, sleep: nil, base: 20).adjustedTarget, 20)
        XCTAssertEqual(GoalAdjustment(readiness: 90, sleep: nil, base: 10).adjustedTarget, 12, "11.5 rounds up")
        let none = GoalAdjustment(readiness: nil, sleep: 70)
        XCTAssertEqual([none.adjustedTarget, none.adjustmentPercentage], [18, 0])
        XCTAssertNil(none.sleepScore)
        XCTAssertEqual(none.reason, "No energy data available, using standard target")
    }

    func reading(at text: String, level: String = "low", readiness: Int? = nil) -> EnergyReading {
        EnergyReading(id: 1, level: level, ouraReadiness: readiness, recordedAt: text)
    }

    func testTodaysEnergyIsTodaysReadingThenOuraThenTheDefault() throws {
        // 2026-03-10 09:00 in New York.
        let now = try XCTUnwrap(Timestamp.parse("2026-03-10T13:00:00.000Z"))
        let today = LocalDay(now, in: newYork)
        // A reading at 00:30 New York time is today's; at 23:30 the evening before is not,
        // though both are 2026-03-10 in UTC.
        let thisMorning = EnergyContext.today(newest: reading(at: "2026-03-10T04:30:00.000Z", readiness: 55),
                                              oura: OuraScores(readiness: nil, sleep: nil), today: today, timeZone: newYork)
        XCTAssertEqual(thisMorning, EnergyContext(level: .low, readinessScore: 55, sleepScore: nil, source: .manual,
                                                  timestamp: "2026-03-10T04:30:00.000Z"))
        let withOura = EnergyContext.today(newest: reading(at: "2026-03-10T04:30:00.000Z", readiness: 55),
                                           oura: OuraScores(readiness: 81, sleep: 77), today: today, timeZone: newYork)
        XCTAssertEqual(withOura.level, .low, "the logged level stands")
        XCTAssertEqual(withOura.readinessScore, 81, "Oura's readiness before the reading's own")
        XCTAssertEqual(withOura.sleepScore, 77)
        let lastNight = EnergyContext.today(newest: reading(at: "2026-03-10T03:30:00.000Z", readiness: 55),
                                            oura: OuraScores(readiness: 81, sleep: 77), today: today, timeZone: newYork)
        XCTAssertEqual(lastNight, EnergyContext(level: .high, readinessScore: 81, sleepScore: 77, source: .oura))
        let nothing = EnergyContext.today(newest: reading(at: "2026-03-10T03:30:00.000Z", readiness: 55), oura: .none,
                                          today: today, timeZone: newYork)
        XCTAssertEqual(nothing, EnergyContext(level: .medium, readinessScore: nil, sleepScore: nil, source: .default),
                       "an old reading's readiness says nothing about today")
        let odd = EnergyContext.today(newest: reading(at: "2026-03-10T12:00:00.000Z", level: "Exhausted"), oura: .none,
                                      today: today, timeZone: newYork)
        XCTAssertEqual(odd.level, .medium, "a level WorkOS does not know counts as medium")
    }

    func testTheGateAllowsLoadsByReadiness() {
        XCTAssertNil(EnergyGate(readiness: nil).allowed)
        XCTAssertEqual(EnergyGate(readiness: 59).allowed, ["low"])
        XCTAssertEqual(EnergyGate(readiness: 60).allowed, ["low", "medium"])
        XCTAssertEqual(EnergyGate(readiness: 75).allowed, ["low", "medium"])
        XCTAssertNil(EnergyGate(readiness: 76).allowed)
        let gate = EnergyGate(readiness: 55)
        XCTAssertTrue(gate.allows("low"))
        XCTAssertFalse(gate.allows(nil), "no load counts as medium")
        XCTAssertFalse(gate.allows("HIGH"))
        XCTAssertEqual(gate.explanation(filteredLoads: ["high", nil, "high"]), """
            Readiness 55/100: Filtering to low cognitive load tasks only to protect energy (Filtered: 2 high cognitive load tasks, \
            1 medium cognitive load task. Recovery mode active - prioritizing wellbeing over productivity.)
            """)
        XCTAssertEqual(EnergyGate(readiness: 70).explanation(filteredLoads: []),
                       "Readiness 70/100: Allowing low and medium cognitive load tasks")
    }

    func testAMatchScoresAsWorkOSDoes() {
        let deepMilestone = EnergyMatch.Task(cognitiveLoad: "high", valueTier: "milestone", drainType: "deep", effortEstimate: 5,
                                             status: "active", category: "work")
        let high = EnergyMatch(.high).score(deepMilestone)
        XCTAssertEqual(high.score, 100 + 20 + 10 + 10 + 5)
        XCTAssertEqual(high.reason, """
            Perfect match: High cognitive load task for high energy. Bonus: High-value work best done with high energy. \
            Bonus: Deep work suited for high energy. Bonus: High energy allows tackling larger tasks. \
            Bonus: Finish active tasks to maintain momentum
            """)
        XCTAssertEqual(EnergyMatch(.low).score(deepMilestone).score, 5)
        let quick = EnergyMatch.Task(cognitiveLoad: nil, valueTier: "checkbox", drainType: "admin", effortEstimate: 1,
                                     status: "queued", category: "personal")
        XCTAssertEqual(EnergyMatch(.low).score(quick).score, 50 + 20 + 10 + 15 + 5, "no load is medium: 50 at low energy")
        XCTAssertEqual(EnergyMatch(.medium).score(quick).score, 100)
        let zeroEffort = EnergyMatch.Task(cognitiveLoad: "low", valueTier: nil, drainType: nil, effortEstimate: 0, status: nil, category: nil)
        XCTAssertEqual(EnergyMatch(.low).score(zeroEffort).score, 100, "an effort of 0 earns no quick-win bonus")
    }

    /// The SQL score orders thousands of tasks; it must be the Swift score for every kind of task.
    func testTheSQLScoreIsTheSwiftScore() throws {
        let queue = try DatabaseQueue()
        let loads: [String?] = ["high", "medium", "low", nil, "", "other"]
        let tiers: [String?] = ["checkbox", "progress", "deliverable", "milestone", nil]
        let drains: [String?] = ["deep", "shallow", "admin", nil]
        let efforts: [Int?] = [nil, 0, 1, 2, 3, 4, 5, 8]
        let statuses: [String?] = ["active", "queued", "backlog"]
        let categories: [String?] = ["work", "personal"]
        var tasks: [EnergyMatch.Task] = []
        for load in loads { for tier in tiers { for drain in drains { for effort in efforts {
            for status in statuses { for category in categories {
                tasks.append(EnergyMatch.Task(cognitiveLoad: load, valueTier: tier, drainType: drain, effortEstimate: effort,
                                              status: status, category: category))
            } }
        } } } }
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, load TEXT, value_tier TEXT, drain_type TEXT, effort_estimate INTEGER, status TEXT, category TEXT)")
            for (n, task) in tasks.enumerated() {
                try db.execute(sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: [
                    n, task.cognitiveLoad, task.valueTier, task.drainType, task.effortEstimate, task.status, task.category])
            }
        }
        for level in EnergyLevel.allCases {
            let match = EnergyMatch(level)
            let scores = try queue.read { db in try Int.fetchAll(db, sql: "SELECT \(match.sqlScore) FROM t ORDER BY n") }
            XCTAssertEqual(scores, tasks.map { match.score($0).score }, "\(level)")
        }
    }

    func testTheOuraCacheGivesTodaysUnexpiredScores() throws {
        let dir = TempDirectory()
        let path = dir.file("oura-health.db")
        let now = try XCTUnwrap(Timestamp.parse("2026-03-10T13:00:00.000Z"))
        let today = LocalDay(now, in: newYork)
        XCTAssertEqual(OuraCache(path: path).scores(on: today, now: now), .none, "no file, no scores")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for table in ["readiness_data", "sleep_data"] {
                try db.execute(sql: "CREATE TABLE \(table) (id TEXT PRIMARY KEY, day TEXT NOT NULL, data TEXT NOT NULL, cached_at TEXT NOT NULL, expires_at TEXT NOT NULL)")
            }
            try db.execute(sql: """
                INSERT INTO readiness_data VALUES ('r1', '2026-03-10', '{"score": 83, "contributors": {}}', '2026-03-10T11:00:00.000Z', '2026-03-11T11:00:00.000Z');
                INSERT INTO readiness_data VALUES ('r0', '2026-03-09', '{"score": 40}', '2026-03-09T11:00:00.000Z', '2026-03-11T11:00:00.000Z');
                INSERT INTO sleep_data VALUES ('s1', '2026-03-10', '{"score": 71.6}', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z');
                """)
        }
        XCTAssertEqual(OuraCache(path: path).scores(on: today, now: now), OuraScores(readiness: 83, sleep: nil),
                       "the sleep row expired an hour ago")
        XCTAssertEqual(OuraCache(path: path).scores(on: today, now: now.addingTimeInterval(-7200)), OuraScores(readiness: 83, sleep: 72))
        XCTAssertEqual(OuraCache(path: path).scores(on: today.adding(days: 1), now: now), .none)
        XCTAssertEqual(OuraCache.defaultPath(environment: ["HOME": "/home/me"]), "/home/me/.oura-cache/oura-health.db")
        XCTAssertEqual(OuraCache.defaultPath(environment: ["HOME": "/home/me", "OURA_CACHE_DIR": "/data/oura"]), "/data/oura/oura-health.db")
    }

    /// The level's word, trimmed and lowered byte by byte for ASCII, is what Foundation's
    /// trimming and lowering gave, for ASCII and everything else.
    func testTheLevelWordIsWhatFoundationsTrimmingAndCaseGave() {
        func reference(_ level: String?) -> String? {
            guard let level = level?.trimmingCharacters(in: .whitespaces), !level.isEmpty else { return nil }
            return EnergyLevel(rawValue: level.lowercased())?.rawValue ?? TextSafety.sanitize(level)
        }
        let levels: [String?] = [nil, "", "   ", "\t", "high", " High ", "\tLOW\t", "Medium", "exhausted", "Peak!",
                                 "Ｈigh", " high\u{00A0}", "\u{2003}low", "weird\u{1b}[31m", "LOW\n", "ünïcode"]
        for level in levels {
            XCTAssertEqual(DayEnergy(level: level).levelWord, reference(level), level.debugDescription)
        }
        XCTAssertEqual(DayEnergy(level: " High ").levelWord, "high")
    }
}
