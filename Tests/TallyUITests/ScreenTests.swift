import XCTest
import TallyCore
@testable import TallyUI

/// Whole screens as text, from the fixed snapshot in `Fixtures` (Saturday 24 January 2026,
/// 14:05 UTC). Each expected screen is written out, so a test reads like what it checks.
final class ScreenTests: XCTestCase {
    /// Everything on one screen: header, clients, tasks (focused), habits, sync, cache, keys.
    func testDashboardAt100x30() {
        assertScreen(Fixtures.render(width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
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

    /// The smallest dashboard: a one-line header, the tasks and the keys.
    func testDashboardAt60x15() {
        assertScreen(Fixtures.render(width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
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

    /// A big terminal: more task columns, the 30-day points chart, taller sync and cache panes.
    func testDashboardAt200x60() {
        assertScreen(Fixtures.render(width: 200, height: 60), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                                                                                                       synced 3m ago · next sync in 50s
         Points ████████████████████████▌░░░░░░░░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 today · 25 this week   Pressure 3   Clients 3/4
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

    /// A running job's progress bar, the queued label and a success message.
    func testDashboardWhileSyncing() {
        assertScreen(Fixtures.render(Fixtures.syncingSnapshot(), chrome: Fixtures.chrome(message: StatusMessage("Completed “Fix intake form” · +2 points", kind: .success), syncing: true), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [2 QUEUED]                                       ⟳ syncing… 30%
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
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
        │ ▶ job #42 manual · all                  started 1m ago ││            1h           24h            │
        │ ━━━━━━╸───────────────  30%  12/40 chunks · 6,000 rows ││ clients  100% (12)      99% (242)      │
        │ Recent jobs                                            ││ tasks     91% (48)      98% (1,204)    │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ goals     90% (10)      96% (238)      │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ habits      — (0)      100% (96)       │
        │ ✓ #39  scheduled 12:01      88 rows   1.4s             ││ overall   92% (70)      98% (1,780)    │
        │ ✓ no unresolved failures                               ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         ✓ Completed “Fix intake form” · +2 points                                                   ? help
        """)
    }

    /// The last verification under the sync's state: when, and what it found and fixed.
    func testTheSyncPaneSaysWhenTheCacheWasLastVerifiedAndWhatWasFound() {
        var snapshot = Fixtures.snapshot()
        snapshot.failures = []
        snapshot.unresolvedFailures = 0
        var found = VerifyReport.Findings()
        found.differed = 3
        var goals = VerifyReport.Findings()
        goals.differed = 1
        snapshot.verification = VerifyReport(whole: false, startedAt: Fixtures.iso(760), finishedAt: Fixtures.iso(720),
                                             tables: ["tasks": found, "goals": goals])
        assertScreen(Fixtures.render(snapshot, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05                                 synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
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
        │ ! verified 12m ago · fixed 3 tasks, 1 goal row         ││ clients  100% (12)      99% (242)      │
        │ Recent jobs                                            ││ tasks     91% (48)      98% (1,204)    │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ goals     90% (10)      96% (238)      │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ habits      — (0)      100% (96)       │
        │ ✓ #39  scheduled 12:01      88 rows   1.4s             ││ overall   92% (70)      98% (1,780)    │
        │ ✓ no unresolved failures                               ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// Rows of another primary: the header and the sync pane say so until the refill is done.
    func testTheCacheOfAnotherPrimaryIsSaidUntilItIsRefilled() {
        var snapshot = Fixtures.snapshot()
        snapshot.primarySwitch = PrimarySwitch(from: "postgres://tally@old.example.com/tally",
                                               to: "postgres://tally@db.example.com/tally", at: Fixtures.iso(5))
        assertScreen(Fixtures.render(snapshot, width: 100, height: 30), """
         ◆ tally  14:05 [NEW DB] [3 FAIL]                                  synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
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
        │ ⚠ rows of another primary · refilling from this one    ││ clients  100% (12)      99% (242)      │
        │ Recent jobs                                            ││ tasks     91% (48)      98% (1,204)    │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ goals     90% (10)      96% (238)      │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ habits      — (0)      100% (96)       │
        │ Failures · 3 unresolved                        f opens ││ overall   92% (70)      98% (1,780)    │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// First start on a read-only cache with no primary: labels, empty panes, nothing crashes.
    func testEmptyReadOnlyCacheOnly() {
        assertScreen(emptyScreen(), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [READ-ONLY]  [CACHE-ONLY]                          never synced
         Points ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 0/18   Streak 0 · best 0
        ╭─ Clients ── active+queued ─╮┏━ Welcome to Tally ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        │▸  All clients             0│┃ The cache is empty.                                                ┃
        ╰────────────────────────────╯┃                                                                    ┃
        ╭─ Habits ───────────────────╮┃ Connect the database that holds your tasks (your WorkOS database   ┃
        │                            │┃ as it is), and Tally fills the cache from it:                      ┃
        │       no habits yet        │┃   tally --primary 'postgres://user:password@host:5432/db'          ┃
        │                            │┃   tally --primary sqlite:///path/to/primary.db                     ┃
        ╰────────────────────────────╯┃ (or set TALLY_PRIMARY, or primary = "…" in the config file). A     ┃
        ╭─ Points · 0 days ──────────╮┃ new, empty PostgreSQL database needs its tables first: tally       ┃
        │                            │┃ primary init --primary URL.                                        ┃
        │                            │┃                                                                    ┃
        │                            │┃ Or try Tally on demo data:                                         ┃
        │                            │┃   tally demo                                                       ┃
        │     no daily goals yet     │┃                                                                    ┃
        │                            │┃ Without a primary, Tally shows what another program (the WorkOS    ┃
        │                            │┃ server) writes to the cache; sync_command in the config runs that  ┃
        │                            │┃ program on R.                                                      ┃
        ╰────────────────────────────╯┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Sync ──────────────────────────────────── cache-only ─╮╭─ Cache ──────────────────── read-only ─╮
        │ ○ never synced · watching the cache                    ││            1h           24h            │
        │                                                        ││ clients     — (0)         — (0)        │
        │                                                        ││ tasks       — (0)         — (0)        │
        │                                                        ││ goals       — (0)         — (0)        │
        │                                                        ││ habits      — (0)         — (0)        │
        │                                                        ││ overall     — (0)         — (0)        │
        │ ✓ no unresolved failures                               ││ 24h ························ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// The failures view: the list, and the selected failure in full.
    func testFailuresAt100x30() {
        assertScreen(Fixtures.render(state: ViewState(view: .failures), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ┏━ Sync failures ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 3 unresolved ━┓
        ┃When           Job Entity   Type       Try Message                                                ┃
        ┃13:00          #40 tasks    network      3 Could not reach PostgreSQL at db.example.com:5432 (con…┃
        ┃12:59          #40 goals    timeout      1 The primary took longer than 10 s to answer.           ┃
        ┃23 Jan 13:55   #37 habits   auth         1 PostgreSQL at db.example.com refused the password for …┃
        ┃                                                                                                  ┃
        ┃                                                                                                  ┃
        ┃                                                                                                  ┃
        ┃                                                                                                  ┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Failure #12 ────────────────────────────────────────────────────────────────────────────────────╮
        │ Message  Could not reach PostgreSQL at db.example.com:5432 (connection refused); will retry.     │
        │ Cause    connection refused (errno 111, ECONNREFUSED) at db.example.com:5432                     │
        │ When     24 Jan 2026 13:00:00 (1h ago)                                                           │
        │ Type     network — retried automatically with backoff                                            │
        │ Entity   tasks                                                                                   │
        │ Attempt  3 of 3                                                                                  │
        │ Job      #40 (manual, failed)                                                                    │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │ r retries job #40                                                                                │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────╯
         j/k move  r retry  R refresh  f/Esc back  q quit                                            ? help
        """)
    }

    /// On a small screen the message comes first.
    func testFailuresAt60x15() {
        assertScreen(Fixtures.render(state: ViewState(view: .failures), width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
        ┏━ Sync failures ━━━━━━━━━━━━━━━━━━━━━━━━━━━ 3 unresolved ━┓
        ┃When           Job Entity   Type       Try Message        ┃
        ┃13:00          #40 tasks    network      3 Could not reac…┃
        ┃12:59          #40 goals    timeout      1 The primary to…┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Failure #12 ────────────────────────────────────────────╮
        │ Message  Could not reach PostgreSQL at                   │
        │          db.example.com:5432 (connection refused); will  │
        │          retry.                                          │
        │ Cause    connection refused (errno 111, ECONNREFUSED) at │
        │          db.example.com:5432                             │
        │ r retries job #40                                        │
        ╰──────────────────────────────────────────────────────────╯
         j/k move  r retry  R refresh  f/Esc back  q quit    ? help
        """)
    }

    func testFailuresAt200x60() {
        assertScreen(Fixtures.render(state: ViewState(view: .failures), width: 200, height: 60), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                                                                                                                       synced 3m ago · next sync in 50s
         Points ████████████████████████▌░░░░░░░░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 today · 25 this week   Pressure 3   Clients 3/4
        ┏━ Sync failures ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 3 unresolved ━┓
        ┃When           Job Entity   Type       Try Message                                                                                                                                                    ┃
        ┃13:00          #40 tasks    network      3 Could not reach PostgreSQL at db.example.com:5432 (connection refused); will retry.                                                                        ┃
        ┃12:59          #40 goals    timeout      1 The primary took longer than 10 s to answer.                                                                                                               ┃
        ┃23 Jan 13:55   #37 habits   auth         1 PostgreSQL at db.example.com refused the password for user tally                                                                                           ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┃                                                                                                                                                                                                      ┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
        ╭─ Failure #12 ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
        │ Message  Could not reach PostgreSQL at db.example.com:5432 (connection refused); will retry.                                                                                                         │
        │ Cause    connection refused (errno 111, ECONNREFUSED) at db.example.com:5432                                                                                                                         │
        │ When     24 Jan 2026 13:00:00 (1h ago)                                                                                                                                                               │
        │ Type     network — retried automatically with backoff                                                                                                                                                │
        │ Entity   tasks                                                                                                                                                                                       │
        │ Attempt  3 of 3                                                                                                                                                                                      │
        │ Job      #40 (manual, failed)                                                                                                                                                                        │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │                                                                                                                                                                                                      │
        │ r retries job #40                                                                                                                                                                                    │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
         j/k move  r retry  R refresh  f/Esc back  q quit                                                                                                                                                ? help
        """)
    }

    /// Every key, in two columns.
    func testHelpAt100x30() {
        assertScreen(Fixtures.render(state: ViewState(overlay: .help), width: 100, height: 30), """
         ┏━ Keys ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
         ┃ Move                                            Sync and screen                                ┃
        ╭┃ j/k ↓/↑   move down / up                        R         refresh now                          ┃┓
        │┃ g / G     first / last row                      f / h     failures / history view (Esc back)   ┃┃
        │┃ PgUp/PgDn page up / down                        t         next theme                           ┃┃
        │┃ Tab/S-Tab next / previous pane                  E         today's energy, readiness and target ┃┃
        │┃ mouse     click selects, wheel scrolls          Ctrl-L    redraw                               ┃┃
        │┃ Filter                                          ?         this help                            ┃┃
        │┃ 1–9       show one client's tasks               q Ctrl-C  quit                                 ┃┃
        │┃ 0         all clients                           Habits (Tab to the pane)                       ┃┃
        ╰┃ s         status: active → queued → backlog →   Space / c check the selected habit in          ┃┃
        ╭┃           done today → all                      Enter     its streaks, last 30 days            ┃┃
        │┃ /         search titles (Enter applies)         u         undo the check-in (10 s)             ┃┃
        │┃ o / O     sort: points, client, …; O reverses                                                  ┃┃
        │┃ Esc       clear marks, filters, search, close                                                  ┃┃
        │┃ Tasks                                                                                          ┃┃
        │┃ Enter     task details                                                                         ┃┃
        │┃ c         complete the selected task                                                           ┃┃
        │┃ p         set points, then complete                                                            ┃┃
        ╰┃ a         add a task (a form)                                                                  ┃┛
        ╭┃ e         edit the selected task                                                               ┃╮
        │┃ >         promote it to active                                                                 ┃│
        │┃ J / K     move it down / up the list                                                           ┃│
        │┃ D         delete it (y confirms)                                                               ┃│
        │┃ Space     mark / unmark; c > D e act on marks                                                  ┃│
        │┃ u         undo the last write (10 s)                                                           ┃│
        │┃                                                                                                ┃│
        │┃ Esc or ? closes · theme: default                                                               ┃│
        ╰┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
    }

    /// Every key still listed on the smallest screen (actions cut, keys kept).
    func testHelpAt60x15() {
        assertScreen(Fixtures.render(state: ViewState(overlay: .help), width: 60, height: 15), """
         ┏━ Keys ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
        ┏┃ Move                        Tasks                      ┃┓
        ┃┃ j/k ↓/↑   move down / up    Enter     task details     ┃┃
        ┃┃ g / G     first / last row  c         complete the se… ┃┃
        ┃┃ PgUp/PgDn page up / down    p         set points, the… ┃┃
        ┃┃ Tab/S-Tab next / previous…  a         add a task (a f… ┃┃
        ┃┃ mouse     click selects, …  e         edit the select… ┃┃
        ┃┃ Filter                      >         promote it to a… ┃┃
        ┃┃ 1–9       show one client…  J / K     move it down / … ┃┃
        ┃┃ 0         all clients       D         delete it (y co… ┃┃
        ┃┃ s         status: active …  Space     mark / unmark; … ┃┃
        ┃┃ /         search titles (…  u         undo the last w… ┃┃
        ┃┃ o / O     sort: points, c…  Sync and screen            ┃┃
        ┗┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┛
         j/k move  ↵ details  c complete  p points  a add    ? help
        """)
    }

    /// Enter on a task: every field, the pending completion marked.
    func testTaskDetail() {
        assertScreen(Fixtures.render(state: ViewState(overlay: .taskDetail(Fixtures.taskRows[2])), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        │▸  All clients            40│┃  Client          Title                              Tier        Pts┃
        │ 1 ■ Raleigh              12│┃● ■ Raleigh       Review ECT project requirements    deliverable   4┃
        │ 2 ■ Orlando               8│┃● ■ Orlando       Draft ICF LPN template             progress      2┃
        │ 3 ■ Memphis               7│┃⧗ ■ Revenue       Send quarterly invoice             quick-win     2┃
        │ 4 ■ Ke┏━ Task #103 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓e     8┃
        │ 5 ■ Re┃ Title        Send quarterly invoice                                              ┃      1┃
        │ 6 ■ Ge┃ Client       ■ Revenue                                                           ┃n     2┃
        ╰───────┃ Status       active ⧗ completion waiting for the primary                         ┃      2┃
        ╭─ Habit┃ Points       2 (tier default)                                                    ┃ble   4┃
        │     Ha┃ Value tier   quick-win                                                           ┃      2┃
        │✓ 💧 Dr┃ Category     work                                                                ┃e     7┃
        │  🏃 Mo┃ Effort       estimate 2                                                          ┃      1┃
        │  📚 Re┃ Drain        deep                                                                ┃n     2┃
        │✓ 🧘 Me┃ Created      21 Jan 2026 14:05:00 (3d ago)                                       ┃      2┃
        │  ✍  Jo┃ Updated      24 Jan 2026 13:05:00 (1h ago)                                       ┃ble   4┃
        │  🗓  We┃ Description  Details for Send quarterly invoice.                                 ┃      1┃
        ╰───────┃                                                                                  ┃━━━━━━━┛
        ╭─ Sync ┃ c complete  p points  e edit  Esc close                                          ┃ rate ─╮
        │ ● idle┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛       │
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

    /// `p`: the points prompt over the tasks.
    func testPointsPrompt() {
        assertScreen(Fixtures.render(state: ViewState(overlay: .points(.init(taskID: 101, title: "Review ECT project requirements", defaultPoints: 5, input: "7"))), width: 60, height: 15), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  Client          Title                                Pts┃
        ┃●┏━ Complete with points ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓4┃
        ┃●┃ “Review ECT project requirements”                    ┃2┃
        ┃⧗┃                                                      ┃2┃
        ┃●┃ Points (default 5): 7▏                               ┃8┃
        ┃●┃                                                      ┃1┃
        ┃●┃ ↵ complete  Esc cancel                               ┃2┃
        ┃●┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛2┃
        ┃● ■ Orlando       Write board summary                    4┃
        ┃● ■ Revenue       Audit payroll export                   2┃
        ┃● ■ Memphis       Compile grant application              7┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
         j/k move  ↵ details  c complete  p points  a add    ? help
        """)
    }

    /// `/`: the bottom line becomes the search being typed.
    func testSearchLine() {
        assertScreen(searchScreen(), """
         11/18 ██████▏░░░ streak 6 · debt 7  [3 FAIL] synced 3m ago
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
         / search titles: ect pro▏               ↵ apply  Esc clear
        """)
    }

    /// 80×24: no room for the clients pane, so the clients are one line over the tasks, with
    /// the number keys that filter them.
    func testDashboardAt80x24() {
        assertScreen(Fixtures.render(width: 80, height: 24), """
         ◆ tally  14:05 [3 FAIL]                       synced 3m ago · next sync in 50s
         Points ████████▌░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25
         Clients  0 All 40  1 ■ Raleigh 12  2 ■ Orlando 8  3 ■ Memphis 7  …
        ┏━ Tasks · active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1/18 ━┓
        ┃  Client          Title                                        Tier        Pts┃
        ┃● ■ Raleigh       Review ECT project requirements              deliverable   4┃
        ┃● ■ Orlando       Draft ICF LPN template                       progress      2┃
        ┃⧗ ■ Revenue       Send quarterly invoice                       quick-win     2┃
        ┃● ■ Memphis       Reconcile vendor contract                    milestone     8┃
        ┃● ■ Kentucky      Update staff schedule                        checkbox      1┃
        ┃● ■ Raleigh       Fix intake form                              quick-win     2┃
        ┃● ■ General Admin Plan training deck                           progress      2┃
        ┃● ■ Orlando       Write board summary                          deliverable   4┃
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
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

    /// `?` in the failures view lists that view's keys, the way out first among them.
    func testHelpInTheFailuresView() {
        assertScreen(Fixtures.render(state: ViewState(view: .failures, overlay: .help), width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ┏━ Sync failures ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 3 unresolved ━┓
        ┃When           Job Entity   Type       Try Message                                                ┃
        ┃13:00          #40 tasks    network      3 Could not reach PostgreSQL at db.example.com:5432 (con…┃
        ┃12:59          #40 goals    timeout      1 The primary took longer than 10 s to answer.           ┃
        ┃23 Jan 13:55   #37 habits   auth         1 PostgreSQL at db.example.com refused the password for …┃
        ┃                                                                                                  ┃
        ┃                                                                                                  ┃
        ┃ ┏━ Keys ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓ ┃
        ┃ ┃ Failures view                                   Sync and screen                              ┃ ┃
        ┗━┃ j/k ↓/↑   choose a failure                      R         refresh now                        ┃━┛
        ╭─┃ r         retry: resumes the failure's job, or  f / h     failures / history view (Esc back) ┃─╮
        │ ┃           the last failed job                   t         next theme                         ┃ │
        │ ┃ f / Esc   back to the dashboard                 Ctrl-L    redraw                             ┃ │
        │ ┃                                                 ?         this help                          ┃ │
        │ ┃                                                 q Ctrl-C  quit                               ┃ │
        │ ┃                                                                                              ┃ │
        │ ┃ Esc or ? closes · theme: default                                                             ┃ │
        │ ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛ │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │                                                                                                  │
        │ r retries job #40                                                                                │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────╯
         j/k move  r retry  R refresh  f/Esc back  q quit                                            ? help
        """)
    }

    /// At 120 columns no key's text is cut: a long one wraps under itself.
    func testHelpAt120x40WrapsInsteadOfCutting() {
        let text = Fixtures.render(state: ViewState(overlay: .help), width: 120, height: 40).plainText()
        XCTAssertFalse(text.contains("→…"), text)
        XCTAssertTrue(text.contains("status: active → queued → backlog →"), text)
        XCTAssertTrue(text.contains("today → all"), text)
        XCTAssertTrue(text.contains("failures / history view (Esc back)"), text)
    }

    /// The compact header keeps two blank columns between the day's figures and the sync status
    /// at every width it is drawn at.
    func testTheCompactHeaderNeverRunsTheFiguresIntoTheSyncStatus() {
        var calm = Fixtures.snapshot()
        calm.goal.pressure = 0
        calm.goal.dailyDebt = 0
        calm.failures = []
        calm.unresolvedFailures = 0
        for width in 60...140 {
            let header = rows(Fixtures.render(calm, width: width, height: 15))[0]
            guard let synced = header.range(of: "synced") else { return XCTFail("\(width): \(header)") }
            XCTAssertTrue(header[..<synced.lowerBound].hasSuffix("  "), "\(width): \(header)")
        }
    }

    /// A first run, with a primary: the welcome says what is happening instead of showing debt.
    func testWelcomeWhileTheFirstSyncRuns() {
        let empty = Snapshot.empty(now: Fixtures.now, today: Fixtures.today, cachePath: "/home/me/.workos-cache/cache.db")
        let text = Fixtures.render(empty, chrome: Fixtures.chrome(syncing: true), width: 100, height: 30).plainText()
        XCTAssertTrue(text.contains("Welcome to Tally"), text)
        XCTAssertTrue(text.contains("Copying your data from postgres://tally@db.example.com/tally now"), text)
        XCTAssertFalse(text.contains("Debt") || text.contains("Pressure"), text)
        var failed = empty
        failed.unresolvedFailures = 1
        let afterFailure = Fixtures.render(failed, width: 100, height: 30).plainText()
        XCTAssertTrue(afterFailure.contains("The first sync from postgres://tally@db.example.com/tally"), afterFailure)
        XCTAssertTrue(afterFailure.contains("f shows why, R tries again."), afterFailure)
        let compact = rows(Fixtures.render(empty, chrome: Fixtures.chrome(syncing: true), width: 60, height: 15))[0]
        XCTAssertFalse(compact.contains("debt") || compact.contains("pressure"), compact)
    }

    /// A failure tried once because another namespace had already found the primary
    /// unreachable says so; the cause is in words, never the error's dump.
    func testAFailureSaysWhyItWasTriedOnce() {
        var state = ViewState(view: .failures)
        state.failureSelection = 1
        let text = Fixtures.render(state: state, width: 100, height: 30).plainText()
        XCTAssertTrue(text.contains("│ Attempt  1 of 1: tried once, since tasks could not reach the primary in 3 tries"), text)
        XCTAssertTrue(text.contains("│ Cause    no answer from db.example.com:5432 within 10 s"), text)
        XCTAssertFalse(text.contains("{"), text)
    }

    /// Nobody at the keyboard: the header and the sync pane say so, and the next sync is the
    /// one `away_refresh` allows.
    func testDashboardWhileAway() {
        var chrome = Fixtures.chrome()
        chrome.away = true
        chrome.nextSyncAt = Fixtures.now.addingTimeInterval(47 * 60)
        assertScreen(Fixtures.render(chrome: chrome, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [AWAY]  [3 FAILURES]           synced 3m ago · next sync in 47m
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
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
        │ ◌ away · last sync 3m ago             next sync in 47m ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  c complete  p points  a add  e edit  / search  s status  R refresh     ? help
        """)
        let compact = rows(Fixtures.render(chrome: chrome, width: 60, height: 15))[0]
        XCTAssertTrue(compact.contains("[AWAY]"), compact)
    }

    /// Below 60×15 the screen says so, centred.
    func testTooSmall() {
        assertScreen(Fixtures.render(width: 59, height: 14), """






                     terminal too small — needs 60×15
                            now 59×14 · q quits






        """)
    }

    private func emptyScreen() -> Buffer {
        var empty = Snapshot.empty(now: Fixtures.now, today: Fixtures.today)
        empty.isReadOnly = true
        return Fixtures.render(empty, chrome: Chrome(now: Fixtures.now, timeZone: Fixtures.utc), width: 100, height: 30)
    }

    private func searchScreen() -> Buffer {
        var state = ViewState()
        state.searchDraft = "ect pro"
        return Fixtures.render(state: state, width: 60, height: 15)
    }

    /// The habits pane focused: the cursor, `✓` on the habits done today, today's count.
    func testHabitsPaneFocused() {
        var state = ViewState()
        state.focus = .habits
        state.habitCursor = 1
        assertScreen(Fixtures.render(state: state, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮╭─ Tasks · active ──────────────────────────────────────────── 1/18 ─╮
        │▸  All clients            40││  Client          Title                              Tier        Pts│
        │ 1 ■ Raleigh              12││● ■ Raleigh       Review ECT project requirements    deliverable   4│
        │ 2 ■ Orlando               8││● ■ Orlando       Draft ICF LPN template             progress      2│
        │ 3 ■ Memphis               7││⧗ ■ Revenue       Send quarterly invoice             quick-win     2│
        │ 4 ■ Kentucky              5││● ■ Memphis       Reconcile vendor contract          milestone     8│
        │ 5 ■ Revenue               6││● ■ Kentucky      Update staff schedule              checkbox      1│
        │ 6 ■ General Admin         2││● ■ Raleigh       Fix intake form                    quick-win     2│
        ╰────────────────────────────╯│● ■ General Admin Plan training deck                 progress      2│
        ┏━ Habits ━ 2/8 today · 1–6 ━┓│● ■ Orlando       Write board summary                deliverable   4│
        ┃     Habit          Now Best┃│● ■ Revenue       Audit payroll export               progress      2│
        ┃✓ 💧 Drink water      6   14┃│● ■ Memphis       Compile grant application          milestone     7│
        ┃  🏃 Morning run      3    3┃│● ■ Raleigh       Document data backup               checkbox      1│
        ┃  📚 Read 20 pages    0   21┃│● ■ Kentucky      Schedule site visit notes          quick-win     2│
        ┃✓ 🧘 Meditate        12   30┃│● ■ Orlando       Test client portal                 progress      2│
        ┃  ✍  Journal          2    9┃│● ■ Raleigh       Migrate CRM pipeline               deliverable   4│
        ┃  🗓  Weekly review    4    4┃│● ■ General Admin Clean up expense receipts          checkbox      1│
        ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛╰────────────────────────────────────────────────────────────────────╯
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  Space check in  u undo  / search  s status  R refresh  f failures      ? help
        """)
    }

    /// `Enter` on a habit: frequency, streaks and the last 30 days as cells.
    func testHabitDetail() {
        var state = ViewState(overlay: .habitDetail(habitID: 1))
        state.focus = .habits
        assertScreen(Fixtures.render(state: state, width: 100, height: 30), """
         ◆ tally   Sat 24 Jan 2026 · 14:05  [3 FAILURES]                   synced 3m ago · next sync in 50s
         Points ████████████▉░░░░░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 · week 25   Pressure 3
        ╭─ Clients ── active+queued ─╮╭─ Tasks · active ──────────────────────────────────────────── 1/18 ─╮
        │▸  All clients            40││  Client          Title                              Tier        Pts│
        │ 1 ■ Raleigh              12││● ■ Raleigh       Review ECT project requirements    deliverable   4│
        │ 2 ■ Orlando               8││● ■ Orlando       Draft ICF LPN template             progress      2│
        │ 3 ■ Memphis               7││⧗ ■ Revenue       Send quarterly invoice             quick-win     2│
        │ 4 ■ Kentucky              5││● ■ Memphis       Reconcile vendor contract          milestone     8│
        │ 5 ■ Revenue     ┏━ Habit #1 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓  checkbox      1│
        │ 6 ■ General Admi┃ Habit        💧 Drink water                                  ┃  quick-win     2│
        ╰─────────────────┃ Frequency    daily                                           ┃  progress      2│
        ┏━ Habits ━ 2/8 to┃ Streak       6 now · best 14                                 ┃  deliverable   4│
        ┃     Habit       ┃ Today        ✓ done                                          ┃  progress      2│
        ┃✓ 💧 Drink water ┃                                                              ┃  milestone     7│
        ┃  🏃 Morning run ┃ Last 30 days ■■·■■■■■■·■■■■■■·■■■■■■·■■■■■■                  ┃  checkbox      1│
        ┃  📚 Read 20 page┃              26 Dec                   today                  ┃  quick-win     2│
        ┃✓ 🧘 Meditate    ┃ Done         26 of the last 30 days                          ┃  progress      2│
        ┃  ✍  Journal     ┃                                                              ┃  deliverable   4│
        ┃  🗓  Weekly revie┃ Esc close                                                    ┃  checkbox      1│
        ┗━━━━━━━━━━━━━━━━━┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛─────────────────╯
        ╭─ Sync ───────── postgres://tally@db.example.com/tally ─╮╭─ Cache ───────────────────── hit rate ─╮
        │ ● idle · last sync 3m ago             next sync in 50s ││            1h           24h            │
        │ Recent jobs                                            ││ clients  100% (12)      99% (242)      │
        │ ✓ #41  scheduled 14:01   1,204 rows   2.1s             ││ tasks     91% (48)      98% (1,204)    │
        │ ✗ #40  manual    12:59     500 rows    31s             ││ goals     90% (10)      96% (238)      │
        │ Failures · 3 unresolved                        f opens ││ habits      — (0)      100% (96)       │
        │ 13:00  tasks   network    Could not reach PostgreSQL … ││ overall   92% (70)      98% (1,780)    │
        │ 12:59  goals   timeout    The primary took longer tha… ││ 24h ······▄▆▇████▅▇████▇▇██▇ now       │
        ╰────────────────────────────────────────────────────────╯╰────────────────────────────────────────╯
         j/k move  ↵ details  Space check in  u undo  / search  s status  R refresh  f failures      ? help
        """)
    }
}
