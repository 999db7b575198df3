import TallyCore

/// What the tasks area shows while the cache holds no data at all (a first run): where the data
/// comes from and how to get some, instead of an empty list and a hint about status filters.
///
/// ```
/// ╭─ Welcome to Tally ──────────────────────────────────────────────╮
/// │ The cache ~/.workos-cache/cache.db is empty.                    │
/// │                                                                 │
/// │ Connect the database that holds your tasks, and Tally fills it: │
/// │   tally --primary 'postgres://user:password@host:5432/db'       │
/// │ …                                                               │
/// ```
struct WelcomeView: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        let block = context.block("Welcome to Tally", focused: true)
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        var y = inner.y
        for line in lines(width: inner.width) {
            guard y < inner.maxY else { break }
            buffer.put(line, x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }
    }

    private var main: Style { context.style(.main) }
    private var muted: Style { context.style(.muted) }
    private var command: Style { context.style(.accent) }

    /// The text for the situation: nothing configured, a first sync running, or one that failed.
    func lines(width: Int) -> [Line] {
        let snapshot = context.snapshot
        let chrome = context.chrome
        var lines: [Line] = []
        func text(_ string: String, _ style: Style? = nil) {
            for part in DisplayWidth.wrap(string, to: width) { lines.append(Line(part, style: style ?? main)) }
        }
        func commandLine(_ string: String, _ note: String = "") {
            lines.append(Line([Span("  " + string, style: command), Span(note, style: muted)]))
        }
        text(snapshot.cachePath.isEmpty ? "The cache is empty." : "The cache \(Format.clean(Self.tilde(snapshot.cachePath))) is empty.")
        lines.append(Line(""))
        if let primary = chrome.primaryName {
            if chrome.syncInFlight || snapshot.runningJob != nil {
                text("Copying your data from \(Format.clean(primary)) now; the progress is in the Sync pane.")
            } else if snapshot.unresolvedFailures > 0 {
                text("The first sync from \(Format.clean(primary)) failed: f shows why, R tries again.")
            } else {
                text("The primary \(Format.clean(primary)) has no tasks yet. Add some there, or fill it with demo data:")
                commandLine("tally primary seed-demo --primary URL")
                lines.append(Line(""))
                text("R syncs again.", muted)
            }
            return lines
        }
        text("Connect the database that holds your tasks (your WorkOS database as it is), and Tally fills the cache from it:")
        commandLine("tally --primary 'postgres://user:password@host:5432/db'")
        commandLine("tally --primary sqlite:///path/to/primary.db")
        text("(or set TALLY_PRIMARY, or primary = \"…\" in the config file). A new, empty PostgreSQL database "
             + "needs its tables first: tally primary init --primary URL.", muted)
        lines.append(Line(""))
        text("Or try Tally on demo data:")
        commandLine("tally demo")
        lines.append(Line(""))
        text("Without a primary, Tally shows what another program (the WorkOS server) writes to the cache; "
             + "sync_command in the config runs that program on R.", muted)
        return lines
    }
}

extension WelcomeView {
    /// `path` with the home directory written `~`.
    static func tilde(_ path: String) -> String {
        let home = FileSafety.home
        guard !home.isEmpty, home != "/", path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }
}

extension Snapshot {
    /// True when the cache holds no clients, tasks, goals or habits: nothing was ever synced.
    var holdsNoData: Bool {
        clients.isEmpty && habits.isEmpty && tasks.total == 0 && Namespace.allCases.allSatisfy { (rowCounts[$0] ?? 0) == 0 }
    }
}
