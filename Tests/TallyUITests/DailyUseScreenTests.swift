import XCTest
import TallyCore
@testable import TallyUI

/// Marks, orders and today's energy as the screen shows them, from the fixed snapshot in
/// `Fixtures` (Saturday 24 January 2026, 14:05 UTC), at the sizes people use.
final class DailyUseScreenTests: XCTestCase {
    /// A day WorkOS adjusted: readiness 62, a low morning reading, the target cut to 14.
    static func energySnapshot() -> Snapshot {
        var snapshot = Fixtures.snapshot()
        snapshot.goal.target = 14
        snapshot.goal.targetIsAdjusted = true
        snapshot.goal.dailyDebt = 3
        snapshot.energy = DayEnergy(readiness: 62, level: "low", adjustedTarget: 14,
                                    reason: "Low readiness (62/100) - reduced target by 25% to prevent burnout and protect wellbeing. Sleep quality: 58/100.",
                                    source: "oura", note: "slept badly", recordedAt: Fixtures.iso(6 * 3600), sleep: 58)
        return snapshot
    }

    /// Three tasks marked: the mark column, the count in the title; the list sorted by points.
    func testMarkedAndSortedAt100x30() {
        var state = ViewState()
        state.marks = [101, 104, 108]
        state.order = TaskOrder(.points)
        var snapshot = Fixtures.snapshot(query: TaskQuery(order: TaskOrder(.points)))
        snapshot.tasks.rows.sort { Points.forTask($0.task) > Points.forTask($1.task) }
        assertScreen(Fixtures.render(snapshot, state: state, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active · most points first · 3 marked ━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃    Client          Title                            Tier        Pts┃
        │ 1 ■ Raleigh              12│┃* ● ■ Memphis       Reconcile vendor contract        milestone     8┃
        │ 2 ■ Orlando               8│┃  ● ■ Memphis       Compile grant application        milestone     7┃
        │ 3 ■ Memphis               7│┃* ● ■ Raleigh       Review ECT project requirements  deliverable   4┃
        │ 4 ■ Kentucky              5│┃* ● ■ Orlando       Write board summary              deliverable   4┃
        │ 5 ■ Revenue               6│┃  ● ■ Raleigh       Migrate CRM pipeline             deliverable   4┃
        │ 6 ■ General Admin         2│┃  ● ■ Orlando       Draft ICF LPN template           progress      2┃
        ╰────────────────────────────╯┃  ⧗ ■ Revenue       Send quarterly invoice           quick-win     2┃
        ╭─ Habits ─ 2/8 today · 1–6 ─╮┃  ● ■ Raleigh       Fix intake form                  quick-win     2┃
        │     Habit          Now Best│┃  ● ■ General Admin Plan training deck               progress      2┃
        │✓ 💧 Drink water      6   14│┃  ● ■ Revenue       Audit payroll export             progress      2┃
        │  🏃 Morning run      3    3│┃  ● ■ Kentucky      Schedule site visit notes        quick-win     2┃
        │  📚 Read 20 pages    0   21│┃  ● ■ Orlando       Test client portal               progress      2┃
        │✓ 🧘 Meditate        12   30│┃  ● ■ Memphis       Follow up on survey results      quick-win     2┃
        │  ✍  Journal          2    9│┃  ● ■ Revenue       Prepare monthly newsletter       progress      2┃
        │  🗓  Weekly review    4    4│┃  ● ■ Kentucky      Troubleshoot website copy        quick-win     2┃
        ╰────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    func testEnergyAt100x30() {
        assertScreen(Fixtures.render(Self.energySnapshot(), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points █████████████▍░░░ 11/14* · on track   Energy low 62   Streak 6 · best 14   Debt 3 · week 25
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃  Client          Title                              Tier        Pts┃
        │ 1 ■ Raleigh              12│┃● ■ Raleigh       Review ECT project requirements    deliverable   4┃
        │ 2 ■ Orlando               8│┃● ■ Orlando       Draft ICF LPN template             progress      2┃
        │ 3 ■ Memphis               7│┃⧗ ■ Revenue       Send quarterly invoice             quick-win     2┃
        │ 4 ■ Kentucky              5│┃● ■ Memphis       Reconcile vendor contract          milestone     8┃
        │ 5 ■ Revenue               6│┃● ■ Kentucky      Update staff schedule              checkbox      1┃
        │ 6 ■ General Admin         2│┃● ■ Raleigh       Fix intake form                    quick-win     2┃
        ╰────────────────────────────╯┃● ■ General Admin Plan training deck                 progress      2┃
        ╭─ Habits ─ 2/8 today · 1–6 ─╮┃● ■ Orlando       Write board summary                deliverable   4┃
        │     Habit          Now Best│┃● ■ Revenue       Audit payroll export               progress      2┃
        │✓ 💧 Drink water      6   14│┃● ■ Memphis       Compile grant application          milestone     7┃
        │  🏃 Morning run      3    3│┃● ■ Raleigh       Document data backup               checkbox      1┃
        │  📚 Read 20 pages    0   21│┃● ■ Kentucky      Schedule site visit notes          quick-win     2┃
        │✓ 🧘 Meditate        12   30│┃● ■ Orlando       Test client portal                 progress      2┃
        │  ✍  Journal          2    9│┃● ■ Raleigh       Migrate CRM pipeline               deliverable   4┃
        │  🗓  Weekly review    4    4│┃● ■ General Admin Clean up expense receipts          checkbox      1┃
        ╰────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    func testEnergyAt60x15() {
        assertScreen(Fixtures.render(Self.energySnapshot(), width: 60, height: 15), """
         11/14 ███████▉░░ streak 6 · debt 3  [3 FAIL] synced 3m ago
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  Client          Title                                Pts┃
        ┃● ■ Raleigh       Review ECT project requirements        4┃
        ┃● ■ Orlando       Draft ICF LPN template                 2┃
        ┃⧗ ■ Revenue       Send quarterly invoice                 2┃
        ┃● ■ Memphis       Reconcile vendor contract              8┃
        ┃● ■ Kentucky      Update staff schedule                  1┃
        ┃● ■ Raleigh       Fix intake form                        2┃
        ┃● ■ General Admin Plan training deck                     2┃
        ┃● ■ Orlando       Write board summary                    4┃
        ┃● ■ Revenue       Audit payroll export                   2┃
        ┃● ■ Memphis       Compile grant application              7┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
         j/k move  ↵ details  c complete  p points  a add    ? help
        """)
    }

    func testEnergyAt120x40() {
        assertScreen(Fixtures.render(Self.energySnapshot(), width: 120, height: 40), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                       synced 3m ago · next sync in 50s
         Points █████████▍░░ 11/14* · on track   Energy low · readiness 62   Streak 6 · best 14   Debt 3 · week 25   Pressure 3
        ╭─ Clients ──────── active+queued ─╮┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients                  40│┃  Client          Title                                            Tier        Pts┃
        │ 1 ■ Raleigh                    12│┃● ■ Raleigh       Review ECT project requirements                  deliverable   4┃
        │ 2 ■ Orlando                     8│┃● ■ Orlando       Draft ICF LPN template                           progress      2┃
        │ 3 ■ Memphis                     7│┃⧗ ■ Revenue       Send quarterly invoice                           quick-win     2┃
        │ 4 ■ Kentucky                    5│┃● ■ Memphis       Reconcile vendor contract                        milestone     8┃
        │ 5 ■ Revenue                     6│┃● ■ Kentucky      Update staff schedule                            checkbox      1┃
        │ 6 ■ General Admin               2│┃● ■ Raleigh       Fix intake form                                  quick-win     2┃
        ╰──────────────────────────────────╯┃● ■ General Admin Plan training deck                               progress      2┃
        ╭─ Habits ───────────── 2/8 today ─╮┃● ■ Orlando       Write board summary                              deliverable   4┃
        │     Habit                Now Best│┃● ■ Revenue       Audit payroll export                             progress      2┃
        │✓ 💧 Drink water            6   14│┃● ■ Memphis       Compile grant application                        milestone     7┃
        │  🏃 Morning run            3    3│┃● ■ Raleigh       Document data backup                             checkbox      1┃
        │  📚 Read 20 pages          0   21│┃● ■ Kentucky      Schedule site visit notes                        quick-win     2┃
        │✓ 🧘 Meditate              12   30│┃● ■ Orlando       Test client portal                               progress      2┃
        │  ✍  Journal                2    9│┃● ■ Raleigh       Migrate CRM pipeline                             deliverable   4┃
        │  🗓  Weekly review          4    4│┃● ■ General Admin Clean up expense receipts                        checkbox      1┃
        │  🥗 Cook at home           1    5│┃● ■ Memphis       Follow up on survey results                      quick-win     2┃
        │  📵 No phone after 9       0    2│┃● ■ Revenue       Prepare monthly newsletter                       progress      2┃
        │                                  │┃● ■ Kentucky      Troubleshoot website copy                        quick-win     2┃
        │                                  │┃                                                                                  ┃
        │                                  │┃                                                                                  ┃
        │                                  │┃                                                                                  ┃
        │                                  │┃                                                                                  ┃
        ╰──────────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ──────────────────── postgres://tally@db.example.com/tally ─╮╭─ Cache ────────────────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago                        next sync in 50s ││            1h           24h                     │
        │ Recent jobs                                                       ││ clients  100% (12)      99% (242)               │
        │ ✓ #41  scheduled 14:01          1,204 rows    2.1s                ││ tasks     91% (48)      98% (1,204)             │
        │ ✗ #40  manual    12:59            500 rows     31s  tasks: conne… ││ goals     90% (10)      96% (238)               │
        │ ✓ #39  scheduled 12:01             88 rows    1.4s                ││ habits      — (0)      100% (96)                │
        │ ✓ #38  warmup    23 Jan 14:05   6,000 rows     12s                ││ overall   92% (70)      98% (1,780)             │
        │ Failures · 3 unresolved                                   f opens ││            ▂▅██▆▇ ▅▇███▅▃▇█▆                    │
        │ 13:00  tasks   network    Could not reach PostgreSQL at db.examp… ││            ██████▃██████████                    │
        │ 12:59  goals   timeout    The primary took longer than 10 s to a… ││           ██████████████████                    │
        │ 23 Jan habits  auth       PostgreSQL at db.example.com refused t… ││ 24h ······██████████████████ now                │
        ╰───────────────────────────────────────────────────────────────────╯╰─────────────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh  f failures             ? help
        """)
    }

    func testEnergyAt200x60() {
        assertScreen(Fixtures.render(Self.energySnapshot(), width: 200, height: 60), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                                                                                                       synced 3m ago · next sync in 50s
         Points ███████████████████████████████▍░░░░░░░░ 11/14* · on track   Energy low · readiness 62   Streak 6 · best 14   Debt 3 today · 25 this week   Pressure 3   Clients 3/4
        ╭─ Clients ──────────────── active+queued ─╮┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients                          40│┃   Client           Title                                                                          Category   Drain     Effort  Updated   Tier         Pts┃
        │ 1 ■ Raleigh                            12│┃●  ■ Raleigh        Review ECT project requirements                                                work       deep           2  1h        deliverable    4┃
        │ 2 ■ Orlando                             8│┃●  ■ Orlando        Draft ICF LPN template                                                         work       deep           2  1h        progress       2┃
        │ 3 ■ Memphis                             7│┃⧗  ■ Revenue        Send quarterly invoice                                                         work       deep           2  1h        quick-win      2┃
        │ 4 ■ Kentucky                            5│┃●  ■ Memphis        Reconcile vendor contract                                                      work       deep           2  1h        milestone      8┃
        │ 5 ■ Revenue                             6│┃●  ■ Kentucky       Update staff schedule                                                          work       deep           2  1h        checkbox       1┃
        │ 6 ■ General Admin                       2│┃●  ■ Raleigh        Fix intake form                                                                work       deep           2  1h        quick-win      2┃
        ╰──────────────────────────────────────────╯┃●  ■ General Admin  Plan training deck                                                             work       deep           2  2h        progress       2┃
        ╭─ Habits ───────────────────── 2/8 today ─╮┃●  ■ Orlando        Write board summary                                                            work       deep           2  2d        deliverable    4┃
        │     Habit              Freq      Now Best│┃●  ■ Revenue        Audit payroll export                                                           work       deep           2  1h        progress       2┃
        │✓ 💧 Drink water        daily       6   14│┃●  ■ Memphis        Compile grant application                                                      work       deep           2  1h        milestone      7┃
        │  🏃 Morning run        weekdays    3    3│┃●  ■ Raleigh        Document data backup                                                           work       deep           2  1h        checkbox       1┃
        │  📚 Read 20 pages      daily       0   21│┃●  ■ Kentucky       Schedule site visit notes                                                      work       deep           2  1h        quick-win      2┃
        │✓ 🧘 Meditate           daily      12   30│┃●  ■ Orlando        Test client portal                                                             work       deep           2  1h        progress       2┃
        │  ✍  Journal            daily       2    9│┃●  ■ Raleigh        Migrate CRM pipeline                                                           work       deep           2  1h        deliverable    4┃
        │  🗓  Weekly review      weekly      4    4│┃●  ■ General Admin  Clean up expense receipts                                                      work       deep           2  1h        checkbox       1┃
        │  🥗 Cook at home       daily       1    5│┃●  ■ Memphis        Follow up on survey results                                                    work       deep           2  1h        quick-win      2┃
        │  📵 No phone after 9   daily       0    2│┃●  ■ Revenue        Prepare monthly newsletter                                                     work       deep           2  1h        progress       2┃
        │                                          │┃●  ■ Kentucky       Troubleshoot website copy                                                      work       deep           2  1h        quick-win      2┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        ╰──────────────────────────────────────────╯┃                                                                                                                                                          ┃
        ╭─ Points · 30 days ─────────── hit 20/30 ─╮┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │                                          │┃                                                                                                                                                          ┃
        │        ▁      █             ▅            │┃                                                                                                                                                          ┃
        │   ▃    █   ▆  █  ▃     ▆ ▃  █            │┃                                                                                                                                                          ┃
        │  ▄█   ▇█▄ ▄█  █▄▇█▄  ▄▇█▄█▄▇█            │┃                                                                                                                                                          ┃
        │  ██   ███▂██  █████  ████████            │┃                                                                                                                                                          ┃
        │  ██   ██████  █████  ████████            │┃                                                                                                                                                          ┃
        │ ███   ██████  █████  ████████▅           │┃                                                                                                                                                          ┃
        │ ███▆  ██████  █████  █████████           │┃                                                                                                                                                          ┃
        │ ████  ██████  █████▄ █████████           │┃                                                                                                                                                          ┃
        │ ████  ██████▂ ██████ █████████           │┃                                                                                                                                                          ┃
        │ ████▁▁███████▁██████▁█████████           │┃                                                                                                                                                          ┃
        │ 30d ago                  today           │┃                                                                                                                                                          ┃
        │ avg 14.9 · best 24 · target 18           │┃                                                                                                                                                          ┃
        ╰──────────────────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ─────────────────────────────────────────────────────────────────── postgres://tally@db.example.com/tally ─╮╭─ Cache ─────────────────────────────────────────────────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago                                                                       next sync in 50s ││            1h           24h             rows    synced                           │
        │ Recent jobs                                                                                                      ││ clients  100% (12)      99% (242)          6    3m ago                           │
        │ ✓ #41  scheduled 14:01          1,204 rows    2.1s                                                               ││ tasks     91% (48)      98% (1,204)      340    3m ago                           │
        │ ✗ #40  manual    12:59            500 rows     31s  tasks: connection refused                                    ││ goals     90% (10)      96% (238)         60    3m ago                           │
        │ ✓ #39  scheduled 12:01             88 rows    1.4s                                                               ││ habits      — (0)      100% (96)           8    3m ago                           │
        │ ✓ #38  warmup    23 Jan 14:05   6,000 rows     12s                                                               ││ overall   92% (70)      98% (1,780)                                              │
        │                                                                                                                  ││                                                                                  │
        │                                                                                                                  ││                                                                                  │
        │ Failures · 3 unresolved                                                                                  f opens ││                          ▂▂▂▅▅▅██████▆▆▆▇▇▇   ▅▅▅▇▇▇█████████▅▅▅▃▃▃▇▇▇███▆▆▆     │
        │ 13:00  tasks   network    Could not reach PostgreSQL at db.example.com:5432 (connection refused); will retry.    ││                          ██████████████████▃▃▃██████████████████████████████     │
        │ 12:59  goals   timeout    The primary took longer than 10 s to answer.                                           ││                       ██████████████████████████████████████████████████████     │
        │ 23 Jan habits  auth       PostgreSQL at db.example.com refused the password for user tally                       ││ 24h ··················██████████████████████████████████████████████████████ now │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯╰──────────────────────────────────────────────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh  f failures  1-9 client  o sort  u undo  Tab pane  Space mark  t theme  h history  E energy  q quit     ? help
        """)
    }

    /// `E`: the target, why, the readiness and the reading.
    func testEnergyOverlay() {
        assertScreen(Fixtures.render(Self.energySnapshot(), state: ViewState(overlay: .energy), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points █████████████▍░░░ 11/14* · on track   Energy low 62   Streak 6 · best 14   Debt 3 · week 25
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃  Client          Title                              Tier        Pts┃
        │ 1 ■ Raleigh              12│┃● ■ Raleigh       Review ECT project requirements    deliverable   4┃
        │ 2 ■ Orlando               8│┃● ■ Orlando       Draft ICF LPN template             progress      2┃
        │ 3 ■ Memphis               7│┃⧗ ■ Revenue       Send quarterly invoice             quick-win     2┃
        │ 4 ■ Kentucky┏━ Today's energy ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓lestone     8┃
        │ 5 ■ Revenue ┃ Target      14* adjusted by WorkOS for the day                       ┃eckbox      1┃
        │ 6 ■ General ┃ Earned      11 · minimum 12 · on track                               ┃ick-win     2┃
        ╰─────────────┃ Why         Low readiness (62/100) - reduced target by 25% to        ┃ogress      2┃
        ╭─ Habits ─ 2/┃             prevent burnout and protect wellbeing. Sleep quality:    ┃liverable   4┃
        │     Habit   ┃             58/100.                                                  ┃ogress      2┃
        │✓ 💧 Drink wa┃                                                                      ┃lestone     7┃
        │  🏃 Morning ┃ Readiness   62/100                                                   ┃eckbox      1┃
        │  📚 Read 20 ┃ Energy      low · oura reading at 08:05                              ┃ick-win     2┃
        │✓ 🧘 Meditate┃ Note        “slept badly”                                            ┃ogress      2┃
        │  ✍  Journal ┃ Sleep       58/100                                                   ┃liverable   4┃
        │  🗓  Weekly r┃                                                                      ┃eckbox      1┃
        ╰─────────────┃ Esc close                                                            ┃━━━━━━━━━━━━━┛
        ╭─ Sync ──────┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// `E` on a day WorkOS recorded nothing for.
    func testEnergyOverlayWithoutEnergyAt60x15() {
        assertScreen(Fixtures.render(state: ViewState(overlay: .energy), width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  C┏━ Today's energy ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓Pts┃
        ┃● ■┃ Target      18, the day's standard               ┃  4┃
        ┃● ■┃ Earned      11 · minimum 12 · on track           ┃  2┃
        ┃⧗ ■┃                                                  ┃  2┃
        ┃● ■┃ Energy      WorkOS recorded no readiness or      ┃  8┃
        ┃● ■┃             energy reading for today             ┃  1┃
        ┃● ■┃                                                  ┃  2┃
        ┃● ■┃ Esc close                                        ┃  2┃
        ┃● ■┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛  4┃
        ┃● ■ Revenue       Audit payroll export                   2┃
        ┃● ■ Memphis       Compile grant application              7┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
         j/k move  ↵ details  c complete  p points  a add    ? help
        """)
    }

    /// `e` with marks: the three choices, each "unchanged" until chosen.
    func testBatchForm() {
        var form = TaskForm(batch: [101, 104, 108], clients: Fixtures.clients.map { TaskForm.ClientChoice(id: $0.client.id, name: $0.client.name) })
        form.focus = .tier
        form.cycle(by: 1)
        form.cycle(by: 1)
        var state = ViewState(overlay: .taskForm(form))
        state.marks = [101, 104, 108]
        assertScreen(Fixtures.render(state: state, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active · 3 marked ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃    Client          Title                            Tier        Pts┃
        │ 1 ■ Raleigh              12│┃* ● ■ Raleigh       Review ECT project requirements  deliverable   4┃
        │ 2 ■ Orlando               8│┃  ● ■ Orlando       Draft ICF LPN template           progress      2┃
        │ 3 ■ Memphis               7│┃  ⧗ ■ Revenue       Send quarterly invoice           quick-win     2┃
        │ 4 ■ Kentucky              5│┃* ● ■ Memphis       Reconcile vendor contract        milestone     8┃
        │ 5 ■ Revenue               6│┃  ● ■ Kentucky      Update staff schedule            checkbox      1┃
        │ 6 ■ General Admin         2│┃  ● ■ Raleigh       Fix intake form                  quick-win     2┃
        ╰─────────────┏━ Edit 3 marked tasks ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓ogress      2┃
        ╭─ Habits ─ 2/┃ Client         unchanged                                             ┃liverable   4┃
        │     Habit   ┃ Tier         ◂ progress ▸                                            ┃ogress      2┃
        │✓ 💧 Drink wa┃ Status         unchanged                                             ┃lestone     7┃
        │  🏃 Morning ┃                                                                      ┃eckbox      1┃
        │  📚 Read 20 ┃ Every marked task gets this tier.                                    ┃ick-win     2┃
        │✓ 🧘 Meditate┃                                                                      ┃ogress      2┃
        │  ✍  Journal ┃ Tab next  ←/→ choose  ↵ save  Esc cancel                             ┃liverable   4┃
        │  🗓  Weekly r┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛eckbox      1┃
        ╰────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// `D` with marks: one question for all of them.
    func testDeleteMarked() {
        var state = ViewState(overlay: .confirmDeleteMarked([101, 104, 108, 9999, 9998, 9997]))
        state.marks = [101, 104, 108, 9999, 9998, 9997]
        assertScreen(Fixtures.render(state: state, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active · 6 marked ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃    Client          Title                            Tier        Pts┃
        │ 1 ■ Raleigh              12│┃* ● ■ Raleigh       Review ECT project requirements  deliverable   4┃
        │ 2 ■ Orlando               8│┃  ● ■ Orlando       Draft ICF LPN template           progress      2┃
        │ 3 ■ Memphis               7│┃  ⧗ ■ Revenue       Send quarterly invoice           quick-win     2┃
        │ 4 ■ Kentucky              5│┃* ● ■ Memphis       Reconcile vendor contract        milestone     8┃
        │ 5 ■ Revenue               6│┃  ● ■ Kentucky      Update staff schedule            checkbox      1┃
        │ 6 ■ General Admin         2│┃  ● ■ Raleigh       Fix intake form                  quick-win     2┃
        ╰────────────┏━ Delete 6 marked tasks? ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓gress      2┃
        ╭─ Habits ─ 2┃ “Review ECT project requirements”                                      ┃iverable   4┃
        │     Habit  ┃ “Reconcile vendor contract”                                            ┃gress      2┃
        │✓ 💧 Drink w┃ “Write board summary”                                                  ┃estone     7┃
        │  🏃 Morning┃ and 3 more                                                             ┃ckbox      1┃
        │  📚 Read 20┃ They are removed from the primary and the cache; u undoes it for 10 s. ┃ck-win     2┃
        │✓ 🧘 Meditat┃                                                                        ┃gress      2┃
        │  ✍  Journal┃ y delete  n or Esc keep                                                ┃iverable   4┃
        │  🗓  Weekly ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛ckbox      1┃
        ╰────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }
}
