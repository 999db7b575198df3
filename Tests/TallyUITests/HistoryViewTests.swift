import XCTest
import TallyCore
@testable import TallyApp
@testable import TallyUI

/// The history view (`h`) from a fixed history: 100 days ending Saturday 24 January 2026 (the
/// fixture snapshot's today), the last 30 of them `Fixtures.history`'s points.
final class HistoryViewTests: XCTestCase {
    static let history: History = {
        let today = Fixtures.today
        var completions: [History.Completion] = []
        let clients: [Int64] = [7, 8, 9, 10, 11, 13]
        for back in 0..<100 {
            let day = today.adding(days: -back)
            var points: Int
            if back < Fixtures.history.count {
                points = Fixtures.history[Fixtures.history.count - 1 - back].earned
            } else if day.weekdayFromMonday >= 5 {
                points = back % 3 == 0 ? 4 : 0
            } else {
                points = [18, 21, 9, 19, 14][(back * 7) % 5]
            }
            // Tasks of 1–7 points, one client after another, through the working day.
            var minute = 9 * 60
            var index = back
            while points > 0 {
                let worth = min(points, [4, 2, 7, 1, 2][index % 5])
                let at = day.start(in: Fixtures.utc).addingTimeInterval(Double(minute) * 60)
                completions.append(.init(at: at, points: worth, clientID: clients[(index * 5 + back) % clients.count]))
                points -= worth
                index += 1
                minute += 37
            }
        }
        let goals = [DailyGoal(id: 1, date: today.adding(days: -99).description, targetPoints: 18, earnedPoints: 0)]
        return History.build(completions: completions, goals: goals, adjustedTargets: [today.adding(days: -3).description: 12],
                             today: today, timeZone: Fixtures.utc, defaultTarget: 18)
    }()

    func render(width: Int, height: Int, weeksBack: Int = 0, theme: Theme = .builtInDefault,
                history: History? = HistoryViewTests.history) -> Buffer {
        var state = ViewState(view: .history)
        state.historyWeeksBack = weeksBack
        return Screen.render(ScreenModel(snapshot: Fixtures.snapshot(), state: state, chrome: Fixtures.chrome(), history: history),
                             width: width, height: height, theme: theme)
    }

    func testTheFixtureDays() {
        let history = Self.history
        XCTAssertEqual(history.todayFigures.earned, 11)
        XCTAssertEqual(history.days.suffix(30).map(\.earned), Fixtures.history.map(\.earned))
        XCTAssertEqual(history.days.count, 100)
        XCTAssertEqual(history.day(Fixtures.today.adding(days: -3)).target, 12)
    }

    func testHistoryAt60x15() {
        assertScreen(render(width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
         Today 11/18 · expected 10.2 · on track   Streak 8 · best 8
        ╭─ 30 days ────────────── hit 20/30 ─╮╭─ 16 weeks ─────────╮
        │ 24        ▃      █             ▅   ││      Nov  Dec Jan  │
        │      ▅   ▃█   █  █ ▃▅    ▃█ ▅ ▃█   ││ M ··▒█▒██▒█▒██▒███ │
        │ 18 ─██───███─██──█████──████████─  ││ T ··██▒█▒██▒█▒░███ │
        │     ██   ██████  █████  ████████   ││ W ··█▒██▒█▒██▒░▒▒█ │
        │    ███   ██████  █████  ████████▅  ││ T ··█▒█▒██▒█▒██░░█ │
        │    ████  ██████  █████  █████████  ││ F ·█▒██▒█▒██▒▒████ │
        │    ████  ██████  ██████ █████████  ││ S ·░░▒░░▒░░▒░████▒ │
        │  0 ████  ███████ ██████ █████████  ││ S ·░▒░░▒░░▒░░█▒██  │
        │    ▒██▒░░███▒██▒░█████▒░████████▒  ││ █ hit  ▒ partial   │
        │       29     5      12      today  ││ ░ missed  · none   │
        ╰────────────────────────────────────╯╰────────────────────╯
         ←/→ weeks  h/Esc back  R refresh  t theme  q quit   ? help
        """)
    }

    func testHistoryAt80x24() {
        assertScreen(render(width: 80, height: 24), """
         ◆ tally  14:05 [3 FAIL]                       synced 3m ago · next sync in 50s
         Points ████████▌░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25
        ╭─ Points · last 30 days ─────────────────────────────── hit 20/30 · avg 14.9 ─╮
        │              ▁         ▅       ▃     █     ▁           ▃   ▁     ▆           │
        │ 18       ──▆─█───────█─█─▆─▁─▆─█─────█─▆─█─█─▆─────▆─█─█─▆─█─▆ █─█───        │
        │          ▄ █ █       █ █ █ █ █ █     █ █ █ █ █     █ █ █ █ █ █─█ █ ▂         │
        │          █ █ █ ▇     █ █ █ █ █ █     █ █ █ █ █ ▂   █ █ █ █ █ █ █ █ █         │
        │  0       █ █ █ █     █ █ █ █ █ █ ▅   █ █ █ █ █ █   █ █ █ █ █ █ █ █ █         │
        │          ▒ █ █ ▒ ░ ░ █ █ █ ▒ █ █ ▒ ░ █ █ █ █ █ ▒ ░ █ █ █ █ █ █ █ █ ▒         │
        │                29 Dec        5 Jan         12 Jan              today         │
        ╰──────────────────────────────────────────────────────────────────────────────╯
        ╭─ 17 weeks ────────────────────────────╮╭─ Today ────────────────── on track ─╮
        │    Oct     Nov       Dec     Jan      ││ █████████████████▊░░░░░░░░░░░ 11/18 │
        │ Mo · · · ▒ █ ▒ █ █ ▒ █ ▒ █ █ ▒ █ █ █  ││ ┃ expected 10.2 by 14:05 · +0.8     │
        │ Tu · · · █ █ ▒ █ ▒ █ █ ▒ █ ▒ ░ █ █ █  ││ 9:00–18:00 · 3 tasks · min 12       │
        │ We · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ░ ▒ ▒ █  │╰─────────────────────────────────────╯
        │ Th · · · █ ▒ █ ▒ █ █ ▒ █ ▒ █ █ ░ ░ █  │╭─ Clients · this week ───── 109 pts ─╮
        │ Fr · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ▒ █ █ █ █  ││ ■ Raleigh       ████████████████ 28 │
        │ Sa · · ░ ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ █ █ █ █ ▒◂ ││ ■ Revenue       ████████████     21 │
        │ Su · · ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ ░ █ ▒ █ █    ││ ■ General Admin ██████████▎      18 │
        │ Streak 8 · longest 8                  ││ ■ Memphis       █████████▏       16 │
        │ █ hit  ▒ partial  ░ missed  · no data ││ ■ Kentucky      █████████▏       16 │
        ╰───────────────────────────────────────╯╰─────────────────────────────────────╯
         ←/→ weeks  h/Esc back  R refresh  t theme  q quit                       ? help
        """)
    }

    func testHistoryAt120x40() {
        assertScreen(render(width: 120, height: 40), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                       synced 3m ago · next sync in 50s
         Points █████████▊░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 today · 25 this week   Pressure 3   Clients 3/4
        ╭─ Points · last 30 days ─────────────────────────────────────────────────────────────────────── hit 20/30 · avg 14.9 ─╮
        │ 24                                                      ██                                        ▁▁                 │
        │                                    ▃▃                   ██                                        ██                 │
        │                                    ██          ▄▄       ██                         ▄▄             ██                 │
        │                     ▅▅             ██          ██       ██       ▅▅                ██    ▅▅       ██                 │
        │                     ██          ▇▇ ██          ██       ██    ▇▇ ██             ▇▇ ██    ██    ▇▇ ██                 │
        │ 18            ───██─██──────────██─██─██────██─██───────██─██─██─██─██───────██─██─██─██─██─██ ██─██────             │
        │                  ██ ██          ██ ██ ██    ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██                 │
        │                  ██ ██          ██ ██ ██ ▄▄ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██                 │
        │                  ██ ██          ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██                 │
        │                  ██ ██          ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██                 │
        │               ██ ██ ██          ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██─██ ██ ▁▁              │
        │               ██ ██ ██          ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ▄▄       ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ▄▄    ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │  0            ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██    ██ ██ ██ ██ ██ ██ ██ ██ ██              │
        │               ▒▒ ██ ██ ▒▒ ░░ ░░ ██ ██ ██ ▒▒ ██ ██ ▒▒ ░░ ██ ██ ██ ██ ██ ▒▒ ░░ ██ ██ ██ ██ ██ ██ ██ ██ ▒▒              │
        │                        29 Dec               5 Jan                12 Jan               19 Jan      today              │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
        ╭─ 33 weeks ────────────────────────────────────────────────────────────╮╭─ Today ────────────────────────── on track ─╮
        │    Jun   Jul     Aug       Sep     Oct     Nov       Dec     Jan      ││ ██████████████████████▋░░░░░░░░░░░░░░ 11/18 │
        │ Mo · · · · · · · · · · · · · · · · · · · ▒ █ ▒ █ █ ▒ █ ▒ █ █ ▒ █ █ █  ││ ┃ expected 10.2 by 14:05 · +0.8 ahead       │
        │ Tu · · · · · · · · · · · · · · · · · · · █ █ ▒ █ ▒ █ █ ▒ █ ▒ ░ █ █ █  ││ 9:00–18:00 · 3 tasks · min 12               │
        │ We · · · · · · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ░ ▒ ▒ █  │╰─────────────────────────────────────────────╯
        │ Th · · · · · · · · · · · · · · · · · · · █ ▒ █ ▒ █ █ ▒ █ ▒ █ █ ░ ░ █  │╭─ Clients · this week ───────────── 109 pts ─╮
        │ Fr · · · · · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ▒ █ █ █ █  ││ ■ Raleigh       ████████████████████████ 28 │
        │ Sa · · · · · · · · · · · · · · · · · · ░ ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ █ █ █ █ ▒◂ ││ ■ Revenue       ██████████████████       21 │
        │ Su · · · · · · · · · · · · · · · · · · ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ ░ █ ▒ █ █    ││ ■ General Admin ███████████████▍         18 │
        │ Streak 8 · longest 8                                                  ││ ■ Memphis       █████████████▊           16 │
        │ █ hit  ▒ partial  ░ missed  · no data                                 ││ ■ Kentucky      █████████████▊           16 │
        ╰───────────────────────────────────────────────────────────────────────╯│ ■ Orlando       ████████▋                10 │
                                                                                 ╰─────────────────────────────────────────────╯
         ←/→ weeks  h/Esc back  R refresh  t theme  q quit                                                               ? help
        """)
    }

    func testHistoryAt200x50() {
        assertScreen(render(width: 200, height: 50), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                                                                                                       synced 3m ago · next sync in 50s
         Points ████████████████████████▌░░░░░░░░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 today · 25 this week   Pressure 3   Clients 3/4
        ╭─ Points · last 30 days ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────── hit 20/30 · avg 14.9 ─╮
        │ 24                                                                                            ████                                                                                                   │
        │                                                                                               ████                                                                  ▆▆▆▆                             │
        │                                                            ▄▄▄▄                               ████                                                                  ████                             │
        │                                                            ████                ▂▂▂▂           ████                                         ▂▂▂▂                     ████                             │
        │                                                            ████                ████           ████                                         ████                     ████                             │
        │                                   ████                     ████                ████           ████           ████                          ████      ████           ████                             │
        │                                   ████                ▆▆▆▆ ████                ████           ████      ▆▆▆▆ ████                     ▆▆▆▆ ████      ████      ▆▆▆▆ ████                             │
        │ 18                      ─────▄▄▄▄─████────────────────████─████─▄▄▄▄──────▄▄▄▄─████───────────████─▄▄▄▄─████─████─▄▄▄▄───────────▄▄▄▄─████─████─▄▄▄▄─████─▄▄▄▄ ████─████──────                       │
        │                              ████ ████                ████ ████ ████      ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████      ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████      ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████ ▆▆▆▆ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                              ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████                             │
        │                         ████ ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████─████ ████                             │
        │                         ████ ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ▆▆▆▆                        │
        │                         ████ ████ ████                ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ▂▂▂▂           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ▄▄▄▄      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████           ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ▆▆▆▆      ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │  0                      ████ ████ ████ ████           ████ ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████      ████ ████ ████ ████ ████ ████ ████ ████ ████                        │
        │                         ▒▒▒▒ ████ ████ ▒▒▒▒ ░░░░ ░░░░ ████ ████ ████ ▒▒▒▒ ████ ████ ▒▒▒▒ ░░░░ ████ ████ ████ ████ ████ ▒▒▒▒ ░░░░ ████ ████ ████ ████ ████ ████ ████ ████ ▒▒▒▒                        │
        │                                        29 Dec                             5 Jan                              12 Jan                             19 Jan                  today                        │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
        ╭─ 53 weeks ────────────────────────────────────────────────────────────────────────────────────────────────────╮╭─ Today ────────────────────────────────────────────────────────────────── on track ─╮
        │      Feb     Mar       Apr     May     Jun       Jul     Aug       Sep     Oct     Nov       Dec     Jan      ││ ███████████████████████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 11/18 │
        │ Mo · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · ▒ █ ▒ █ █ ▒ █ ▒ █ █ ▒ █ █ █  ││ ┃ expected 10.2 by 14:05 · +0.8 ahead                                               │
        │ Tu · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · █ █ ▒ █ ▒ █ █ ▒ █ ▒ ░ █ █ █  ││ 9:00–18:00 · 3 tasks · min 12                                                       │
        │ We · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ░ ▒ ▒ █  │╰─────────────────────────────────────────────────────────────────────────────────────╯
        │ Th · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · █ ▒ █ ▒ █ █ ▒ █ ▒ █ █ ░ ░ █  │╭─ Clients · this week ───────────────────────────────────────────────────── 109 pts ─╮
        │ Fr · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ▒ █ █ █ █  ││ ■ Raleigh       ████████████████████████████████████████████████████████████████ 28 │
        │ Sa · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · ░ ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ █ █ █ █ ▒◂ ││ ■ Revenue       ████████████████████████████████████████████████                 21 │
        │ Su · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · · ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ ░ █ ▒ █ █    ││ ■ General Admin █████████████████████████████████████████▏                       18 │
        │ Streak 8 · longest 8                                                                                          ││ ■ Memphis       ████████████████████████████████████▋                            16 │
        │ █ hit  ▒ partial  ░ missed  · no data                                                                         ││ ■ Kentucky      ████████████████████████████████████▋                            16 │
        ╰───────────────────────────────────────────────────────────────────────────────────────────────────────────────╯│ ■ Orlando       ██████████████████████▉                                          10 │
                                                                                                                         ╰─────────────────────────────────────────────────────────────────────────────────────╯
         ←/→ weeks  h/Esc back  R refresh  t theme  q quit                                                                                                                                               ? help
        """)
    }

    /// Two weeks back: the bars end on the Saturday two weeks ago, the clients are that week's.
    func testHistoryTwoWeeksBackAt100x30() {
        assertScreen(render(width: 100, height: 30, weeksBack: 2), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Points · 30 days to Sat 10 Jan ────────────────────────────────────────── hit 15/30 · avg 12.8 ─╮
        │ 24                                                                 ▁▁                   ██       │
        │     ▆▆             ▆▆             ▆▆                ▃▃             ██          ▆▆       ██       │
        │ 18  ██───────▄▄─▇▇─██─────────────██───────▄▄────▄▄─██──────────▇▇─██─▄▄────▄▄─██───────██─▄▄─   │
        │     ██       ██ ██ ██             ██       ██    ██ ██          ██ ██ ██ ▂▂ ██ ██       ██ ██    │
        │     ██       ██ ██ ██ ▇▇          ██ ▇▇    ██    ██ ██          ██ ██ ██ ██ ██ ██       ██ ██    │
        │     ██       ██ ██ ██ ██          ██ ██    ██ ██ ██ ██          ██ ██ ██ ██ ██ ██       ██ ██    │
        │     ██       ██ ██ ██ ██ ▆▆       ██ ██ ▆▆ ██ ██ ██ ██ ▆▆       ██ ██ ██ ██ ██ ██       ██ ██    │
        │     ██       ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██       ██ ██    │
        │     ██ ▅▅    ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ▂▂    ██ ██    │
        │  0  ██ ██    ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██ ██       ██ ██ ██ ██ ██ ██ ██    ██ ██    │
        │     ██ ▒▒ ░░ ██ ██ ██ ▒▒ ▒▒ ░░ ░░ ██ ▒▒ ▒▒ ██ ▒▒ ██ ██ ▒▒ ░░ ░░ ██ ██ ██ ▒▒ ██ ██ ▒▒ ░░ ██ ██    │
        │              15 Dec               22 Dec               29 Dec               5 Jan                │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────╯
        ╭─ 27 weeks ────────────────────────────────────────────────╮╭─ Today ────────────────── on track ─╮
        │    Jul   Aug       Sep     Oct     Nov       Dec     Jan  ││ █████████████████▊░░░░░░░░░░░ 11/18 │
        │ Mo · · · · · · · · · · · · · · · ▒ █ ▒ █ █ ▒ █ ▒ █ █ ▒ █  ││ ┃ expected 10.2 by 14:05 · +0.8     │
        │ Tu · · · · · · · · · · · · · · · █ █ ▒ █ ▒ █ █ ▒ █ ▒ ░ █  ││ 9:00–18:00 · 3 tasks · min 12       │
        │ We · · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ░ ▒  │╰─────────────────────────────────────╯
        │ Th · · · · · · · · · · · · · · · █ ▒ █ ▒ █ █ ▒ █ ▒ █ █ ░  │╭─ Clients · week of 5 Jan ─ 103 pts ─╮
        │ Fr · · · · · · · · · · · · · · █ ▒ █ █ ▒ █ ▒ █ █ ▒ ▒ █ █  ││ ■ Raleigh       ████████████████ 19 │
        │ Sa · · · · · · · · · · · · · · ░ ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ █ █ █  ││ ■ Kentucky      ████████████████ 19 │
        │ Su · · · · · · · · · · · · · · ░ ▒ ░ ░ ▒ ░ ░ ▒ ░ ░ █ ▒ █  ││ ■ Revenue       ████████████████ 19 │
        │ Streak 8 · longest 8                                      ││ ■ Memphis       ███████████████▏ 18 │
        │ █ hit  ▒ partial  ░ missed  · no data                     ││ ■ General Admin ███████████████▏ 18 │
        ╰───────────────────────────────────────────────────────────╯│ ■ Orlando       ████████▍        10 │
                                                                     ╰─────────────────────────────────────╯
         ←/→ weeks  h/Esc back  R refresh  t theme  q quit                                           ? help
        """)
    }

    /// Every size from the smallest to wide and tall draws without crashing, keeps the key line,
    /// and shows the bars and the calendar; an empty history (a first run) too.
    func testEverySizeAndAnEmptyHistory() {
        let empty = History.build(completions: [], goals: [], today: Fixtures.today, timeZone: Fixtures.utc)
        XCTAssertEqual(empty.days.count, 1)
        for history in [Self.history, empty] {
            for width in stride(from: 60, through: 260, by: 11) {
                for height in stride(from: 15, through: 70, by: 6) {
                    let screen = rows(render(width: width, height: height, weeksBack: 3, history: history))
                    XCTAssertEqual(screen.count, height)
                    XCTAssertTrue(screen.last?.contains("h/Esc back") ?? false, "\(width)×\(height)")
                    let text = screen.joined(separator: "\n")
                    XCTAssertTrue(text.contains("30 days") && text.contains("weeks"), "\(width)×\(height)\n\(text)")
                }
            }
        }
        let screen = rows(render(width: 80, height: 24, history: empty)).joined(separator: "\n")
        XCTAssertTrue(screen.contains("no points this week"), screen)
        XCTAssertTrue(screen.contains("Streak 0 · longest 0"), screen)
    }

    /// Before the history is read, the view says so instead of showing zeros.
    func testHistoryNotYetRead() {
        let screen = rows(render(width: 80, height: 24, history: nil)).joined(separator: "\n")
        XCTAssertTrue(screen.contains("reading the history…"), screen)
    }

    /// The characters alone tell the days apart: the monochrome theme draws the same text as
    /// the default theme, and every status has its own character in the calendar.
    func testMonochromeShowsTheSameCharacters() throws {
        let catalog = ThemeCatalog(shippedDirectory: ThemeTests.shipped, userDirectory: nil)
        let mono = try catalog.theme(named: "monochrome")
        for (width, height) in [(60, 15), (80, 24), (120, 40), (200, 50)] {
            // Only the clients' swatches differ: a colour swatch `■` is `□` without colours.
            XCTAssertEqual(render(width: width, height: height, theme: mono).plainText().replacingOccurrences(of: "□", with: "■"),
                           render(width: width, height: height).plainText(), "\(width)×\(height)")
        }
        let glyphs = Set(DayGlyph.legend.map(DayGlyph.symbol))
        XCTAssertEqual(glyphs.count, DayGlyph.legend.count, "one character per status")
        XCTAssertFalse(glyphs.contains(" "))
        let screen = render(width: 120, height: 40).plainText()
        for glyph in glyphs { XCTAssertTrue(screen.contains(glyph), glyph) }
    }

    /// In every colour depth the hit days are in the theme's done colour and the missed ones
    /// in its error colour; in monochrome no colour at all is written, only attributes.
    func testEveryColourDepth() {
        let buffer = render(width: 120, height: 40)
        let theme = Theme.builtInDefault
        // The calendar's cells, found by their characters.
        var hit: Style?, missed: Style?, partial: Style?
        // The calendar: the lower left quarter.
        for y in (buffer.height / 2)..<buffer.height {
            for x in 0..<(buffer.width / 2) {
                let cell = buffer[x, y]
                switch cell.symbol {
                case "█" where hit == nil && cell.style == theme.style(.gaugeDone): hit = cell.style
                case "░" where missed == nil: missed = cell.style
                case "▒" where partial == nil: partial = cell.style
                default: break
                }
            }
        }
        XCTAssertEqual(hit, theme.style(.gaugeDone))
        XCTAssertEqual(missed?.fg, theme.style(.error).fg)
        XCTAssertEqual(partial?.fg, theme.style(.gaugeFilled).fg)
        for mode in ColorMode.allCases {
            let text = ANSIRenderer.render(buffer, mode: mode)
            XCTAssertTrue(onlySGR(text), "\(mode)")
            switch mode {
            case .truecolor: XCTAssertTrue(text.contains("38;2;"), "\(mode)")
            case .palette256: XCTAssertTrue(text.contains("38;5;") && !text.contains("38;2;"), "\(mode)")
            case .ansi16: XCTAssertFalse(text.contains("38;5;") || text.contains("38;2;"), "\(mode)")
            case .monochrome: XCTAssertFalse(text.contains("38;") || text.contains("48;"), "\(mode)")
            }
            // The characters are the same in every depth.
            let stripped = text.replacingOccurrences(of: "\u{1b}\\[[0-9;]*m", with: "", options: .regularExpression)
            XCTAssertEqual(stripped.split(separator: "\n").map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) },
                           buffer.plainText().split(separator: "\n").map(String.init), "\(mode)")
        }
    }

    func testKeysOpenScrollAndLeave() {
        let snapshot = Fixtures.snapshot()
        var state = ViewState()
        func press(_ keys: Key...) -> [Effect] {
            keys.flatMap { state.handle($0, snapshot: snapshot, width: 100, height: 30) }
        }
        XCTAssertEqual(press(.char("h")), [])
        XCTAssertEqual(state.view, .history)
        _ = press(.left, .char("["), .left)
        XCTAssertEqual(state.historyWeeksBack, 3)
        _ = press(.right, .char("]"))
        XCTAssertEqual(state.historyWeeksBack, 1)
        _ = press(.right, .right)
        XCTAssertEqual(state.historyWeeksBack, 0, "never past today")
        _ = press(.char("["), .char("["), .char("["), .char("["), .char("["), .char("["), .char("["), .char("["), .char("["),
                  .char("["), .char("["), .char("["), .char("["), .char("["), .char("["), .char("["), .char("["))
        state.clampHistory(to: Self.history)
        XCTAssertEqual(state.historyWeeksBack, 14, "back to the week of the first day with data, 99 days ago")
        _ = press(.escape)
        XCTAssertEqual(state.view, .dashboard)
        _ = press(.char("h"))
        XCTAssertEqual(state.historyWeeksBack, 0, "opens at today")
        _ = press(.char("h"))
        XCTAssertEqual(state.view, .dashboard, "h leaves it too")
        XCTAssertEqual(press(.char("h"), .char("q")), [.quit])
        XCTAssertEqual(press(.char("?")), [])
        XCTAssertEqual(state.overlay, .help)
        XCTAssertEqual(Keymap.sections(for: .history).first?.section, .history)
    }

    /// A session on a cache of its own in a new directory (the caller removes it), with task 1
    /// done today, and a way to complete another task now.
    private func sessionOnItsOwnCache(startBackground: Bool) throws
        -> (session: DashboardSession, complete: (Int64, String) throws -> Void, directory: String) {
        let directory = NSTemporaryDirectory() + "tally-history-session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = Config()
        config.cachePath = directory + "/cache.db"
        let cache = try CacheStore(path: config.cachePath)
        let complete = { (id: Int64, tier: String) throws in
            let now = Timestamp.format(Date())
            try cache.writeNow { db in
                try WorkTask(id: id, title: "t\(id)", status: "done", valueTier: tier, createdAt: now, updatedAt: now,
                             completedAt: now).insert(db)
            }
        }
        try complete(1, "deliverable")
        let session = DashboardSession(workspace: Workspace(config: config, cache: cache, primary: nil),
                                       catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, startBackground: startBackground)
        return (session, complete, directory)
    }

    /// The running session reads the history when `h` opens the view and again only after the
    /// cache changed (a snapshot rebuild).
    func testTheSessionReadsTheHistoryWhenOpenedAndAfterAChange() throws {
        let (session, complete, directory) = try sessionOnItsOwnCache(startBackground: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertNil(session.model.history, "not read before the view opens")
        session.handle(.char("h"))
        XCTAssertEqual(session.model.history?.todayFigures.earned, 4)
        XCTAssertTrue(rows(session.frame()).joined(separator: "\n").contains("Points · last 30 days"))
        try complete(2, "milestone")
        session.handle(.left)
        XCTAssertEqual(session.model.history?.todayFigures.earned, 4, "a key reads nothing")
        XCTAssertEqual(session.model.state.historyWeeksBack, 0, "nothing before this week to go back to")
        session.rebuild(countLookups: false)
        XCTAssertEqual(session.model.history?.todayFigures.earned, 11, "read again after the change")
        session.handle(.char("h"))
        XCTAssertEqual(session.model.state.view, .dashboard)
    }

    /// A running dashboard (background reads) reads the history once at start, then only for its
    /// view: a change while the view is closed reads nothing; `h` shows the history it has at
    /// once and the newer one as soon as the read behind it is done.
    func testTheRunningSessionReadsTheHistoryOnlyForItsView() throws {
        let (session, complete, directory) = try sessionOnItsOwnCache(startBackground: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        defer { session.shutdown() }
        func tick(until done: () -> Bool) {
            let deadline = Date().addingTimeInterval(10)
            while !done(), Date() < deadline {
                session.tick()
                usleep(10_000)
            }
        }
        XCTAssertTrue(session.historyReadInFlight, "read once at start")
        tick { !session.historyReadInFlight }
        XCTAssertEqual(session.preparedHistory?.history.todayFigures.earned, 4)

        try complete(2, "milestone")
        session.rebuild(countLookups: false)
        XCTAssertFalse(session.historyReadInFlight, "a change while the view is closed reads nothing")
        XCTAssertEqual(session.preparedHistory?.history.todayFigures.earned, 4)

        session.handle(.char("h"))
        XCTAssertEqual(session.model.history?.todayFigures.earned, 4, "the history it has, at once")
        XCTAssertNil(session.preparedHistory, "held once, by the view")
        XCTAssertFalse(session.historyReadInFlight, "not read while the key's frame is drawn")
        session.tick()
        XCTAssertTrue(session.historyReadInFlight, "but right after it")
        tick { session.model.history?.todayFigures.earned == 11 }
        XCTAssertEqual(session.model.history?.todayFigures.earned, 11, "the newer history once read")
        XCTAssertTrue(rows(session.frame()).joined(separator: "\n").contains("Points · last 30 days"))

        try complete(3, "checkbox")
        session.rebuild(countLookups: false)
        XCTAssertTrue(session.historyReadInFlight, "while the view shows, a change reads it again")
        tick { session.model.history?.todayFigures.earned == 12 }
        XCTAssertEqual(session.model.history?.todayFigures.earned, 12)

        session.handle(.char("h"))
        XCTAssertEqual(session.model.state.view, .dashboard)
        tick { !session.historyReadInFlight }
        try complete(4, "checkbox")
        session.rebuild(countLookups: false)
        XCTAssertFalse(session.historyReadInFlight, "closed again: nothing read")
        XCTAssertEqual(session.model.history?.todayFigures.earned, 12)
    }
}
