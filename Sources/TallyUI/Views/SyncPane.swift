import Foundation
import TallyCore

/// The running job's progress, recent jobs and the newest unresolved failures.
///
/// ```
/// ╭─ Sync ─────────────────────────── postgres://db… ─╮
/// │ ▶ job #42 manual · tasks, goals       started 1m ago │
/// │ ━━━━━━━━━━━╸─────────────  30%  12/40 chunks · 6,000 rows │
/// │ ✓ verified 12m ago · no differences               │
/// │ Recent                                            │
/// │ ✓ #41 scheduled   14:02    1,204 rows     2.1s    │
/// │ Failures · 3 unresolved                           │
/// │ 14:02 tasks network  Could not reach …            │
/// ```
struct SyncPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let chrome = context.chrome
        let primary = chrome.primaryName.map { Line(Format.clean($0), style: context.style(.muted)) }
            ?? Line("cache-only", style: context.style(.accent))
        let block = context.block("Sync", focused: focused, right: primary)
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        var y = inner.y

        // The running job, or the last one.
        if let job = snapshot.runningJob {
            let started = Timestamp.parse(job.startedAt).map { "started \(RelativeTime.ago($0, now: chrome.now))" } ?? ""
            let head = Line([Span("▶ ", style: context.style(.accent)),
                             Span("job #\(job.id ?? 0) \(job.kind.rawValue)", style: context.style(.main).with(adding: .bold)),
                             Span(" · " + entities(job), style: context.style(.muted))])
            putWithRight(head, right: Line(started, style: context.style(.muted)), y: y, in: inner, into: &buffer)
            y += 1
            if y < inner.maxY {
                let label = "\(job.chunksCompleted)/\(job.chunksTotal) chunks · \(Format.grouped(job.rowsWritten)) rows"
                ProgressBar(percent: job.progressPercent, label: label, filledStyle: context.style(.progressFilled),
                            emptyStyle: context.style(.progressEmpty), labelStyle: context.style(.main))
                    .render(in: Rect(x: inner.x, y: y, width: inner.width, height: 1), into: &buffer)
                y += 1
            }
        } else {
            let idle: Line
            if chrome.syncInFlight {
                idle = Line([Span("⟳ ", style: context.style(.accent)), Span("starting a sync…", style: context.style(.main))])
            } else if let last = snapshot.lastSyncAt {
                idle = Line([Span(chrome.away ? "◌ " : "● ", style: context.style(.ok)),
                             Span(chrome.away ? "away" : "idle", style: context.style(.main)),
                             Span(" · last sync \(RelativeTime.ago(last, now: chrome.now))", style: context.style(.muted)),
                             Span(chrome.pushEnabled == false ? " · push off" : "", style: context.style(.muted))])
            } else {
                idle = Line([Span("○ ", style: context.style(.warn)), Span("never synced", style: context.style(.main)),
                             Span(chrome.primaryName == nil ? " · watching the cache" : " · press R", style: context.style(.muted))])
            }
            let next = chrome.nextSyncAt.map { Line("next sync \(RelativeTime.until($0, now: chrome.now))", style: context.style(.muted)) }
            putWithRight(idle, right: next, y: y, in: inner, into: &buffer)
            y += 1
        }

        // Whose rows the cache holds, and what the last verification found.
        if y < inner.maxY, let line = provenanceLine() {
            buffer.put(line, x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }

        // What is left: recent jobs, then failures.
        let jobs = snapshot.recentJobs.filter { $0.id != snapshot.runningJob?.id }
        let failures = snapshot.failures
        let remaining = inner.maxY - y
        guard remaining > 0 else { return }
        let failureRows = failures.isEmpty ? 1 : min(failures.count + 1, max(2, remaining / 2))
        let jobRows = max(0, remaining - failureRows)

        if jobRows >= 2, !jobs.isEmpty {
            buffer.put("Recent jobs", x: inner.x, y: y, style: context.style(.header).with(bg: context.style(.main).bg), maxWidth: inner.width)
            y += 1
            for job in jobs.prefix(jobRows - 1) {
                buffer.put(jobLine(job, width: inner.width), x: inner.x, y: y, maxWidth: inner.width)
                y += 1
            }
        }
        y = max(y, inner.maxY - failureRows)
        guard y < inner.maxY else { return }
        if failures.isEmpty {
            buffer.put(Line([Span("✓ ", style: context.style(.ok)), Span("no unresolved failures", style: context.style(.muted))]),
                       x: inner.x, y: y, maxWidth: inner.width)
            return
        }
        let total = snapshot.unresolvedFailures
        putWithRight(Line([Span("Failures", style: context.style(.error).with(adding: .bold)),
                           Span(" · \(Format.grouped(total)) unresolved", style: context.style(.muted))]),
                     right: Line("f opens", style: context.style(.muted)), y: y, in: inner, into: &buffer)
        y += 1
        for failure in failures.prefix(max(0, inner.maxY - y)) {
            buffer.put(failureLine(failure), x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }
    }

    /// `✓ verified 12m ago · no differences`, `! verified 3m ago · fixed 3 tasks, 1 goal row`, or
    /// `⚠ rows of another primary · refilling from this one`; nil before any verification.
    private func provenanceLine() -> Line? {
        let snapshot = context.snapshot
        if snapshot.primarySwitch != nil {
            return Line([Span("⚠ ", style: context.style(.warn)), Span("rows of another primary", style: context.style(.main)),
                         Span(" · refilling from this one", style: context.style(.muted))])
        }
        guard let verified = snapshot.verification, let at = Timestamp.parse(verified.finishedAt) else { return nil }
        let clean = verified.differences == 0
        return Line([Span(clean ? "✓ " : "! ", style: context.style(clean ? .ok : .warn)),
                     Span("verified \(RelativeTime.ago(at, now: context.chrome.now))", style: context.style(.main)),
                     Span(" · " + verified.shortSummary, style: context.style(.muted))])
    }

    private func entities(_ job: SyncJob) -> String {
        let names = job.namespaces.map(\.rawValue)
        return names.count == Namespace.allCases.count ? "all" : (names.isEmpty ? Format.clean(job.entities) : names.joined(separator: ", "))
    }

    private func putWithRight(_ line: Line, right: Line?, y: Int, in inner: Rect, into buffer: inout Buffer) {
        var leftWidth = inner.width
        if let right, right.width > 0, line.width + 2 + right.width <= inner.width {
            buffer.put(right, x: inner.maxX - right.width, y: y, maxWidth: right.width)
            leftWidth = inner.width - right.width - 2
        }
        buffer.put(line, x: inner.x, y: y, maxWidth: leftWidth)
    }

    /// `✓ #41 scheduled  14:02   1,204 rows   2.1s`
    private func jobLine(_ job: SyncJob, width: Int) -> Line {
        let (symbol, style) = Self.symbol(for: job, context: context)
        let started = Timestamp.parse(job.startedAt)
        let wide = width >= 56
        let time = started.map {
            wide ? Format.shortTime($0, now: context.chrome.now, in: context.chrome.timeZone)
                : Format.compactTime($0, now: context.chrome.now, in: context.chrome.timeZone)
        } ?? "—"
        var duration = ""
        if let started, let finished = Timestamp.parse(job.finishedAt) {
            duration = Format.duration(finished.timeIntervalSince(started))
        }
        var spans = [Span(symbol + " ", style: style),
                     Span(DisplayWidth.pad("#\(job.id ?? 0)", to: 5), style: context.style(.muted)),
                     Span(DisplayWidth.pad(job.kind.rawValue, to: 10), style: context.style(.main)),
                     Span(DisplayWidth.pad(time, to: wide ? 13 : 7), style: context.style(.muted)),
                     Span(DisplayWidth.pad(Format.grouped(job.rowsWritten) + " rows", to: wide ? 12 : 11, alignRight: true),
                          style: context.style(.main)),
                     Span(DisplayWidth.pad(duration, to: wide ? 8 : 7, alignRight: true), style: context.style(.muted))]
        if job.status == .failed || job.status == .interrupted, let error = job.errorMessage, width > 60 {
            spans.append(Span("  " + Format.clean(error), style: context.style(.error)))
        } else if job.status != .completed, width > 56 {
            spans.append(Span("  " + job.status.rawValue, style: style))
        }
        return Line(spans)
    }

    static func symbol(for job: SyncJob, context: RenderContext) -> (String, Style) {
        switch job.status {
        case .completed: return ("✓", context.style(.ok))
        case .failed: return ("✗", context.style(.error))
        case .running: return ("▶", context.style(.accent))
        case .interrupted: return ("↯", context.style(.warn))
        case .cancelled: return ("⊘", context.style(.muted))
        }
    }

    /// `14:02 tasks network  Could not reach …`
    private func failureLine(_ failure: SyncFailure) -> Line {
        let time = Timestamp.parse(failure.at).map { Format.compactTime($0, now: context.chrome.now, in: context.chrome.timeZone) } ?? "—"
        return Line([Span(DisplayWidth.pad(time, to: 7), style: context.style(.muted)),
                     Span(DisplayWidth.pad(Format.clean(failure.entity), to: 8), style: context.style(.main)),
                     Span(DisplayWidth.pad(Format.clean(failure.errorType), to: 11), style: context.style(.error)),
                     Span(Format.clean(failure.message), style: context.style(.main))])
    }
}

extension Rect {
    /// The rectangle shrunk by `by` columns on the left and right.
    func inset(horizontal by: Int) -> Rect {
        Rect(x: x + by, y: y, width: width - 2 * by, height: height)
    }
}
