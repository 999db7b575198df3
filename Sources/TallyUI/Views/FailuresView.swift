import Foundation
import TallyCore

/// Where the failures view puts its list, shared with the key handling (paging, mouse).
enum FailuresLayout {
    static func headerRows(height: Int) -> Int { height >= 24 ? 2 : 1 }

    /// Height of the list box (the detail box takes the rest).
    static func listHeight(height: Int) -> Int {
        let body = height - headerRows(height: height) - 1
        return max(4, min(body - 8, body * 2 / 5))
    }

    static func listRows(height: Int) -> Int { max(1, listHeight(height: height) - 3) }

    static func firstListRowY(height: Int) -> Int { headerRows(height: height) + 2 }
}

/// Unresolved sync failures: a list, and the selected one in full (when, job, entity, type,
/// attempt, message, detail). `r` retries or resumes its job.
struct FailuresView: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let snapshot = context.snapshot
        let state = context.state
        let listHeight = min(area.height, FailuresLayout.listHeight(height: context.layout.hint.maxY))
        let listArea = Rect(x: area.x, y: area.y, width: area.width, height: listHeight)
        let detailArea = Rect(x: area.x, y: area.y + listHeight, width: area.width, height: area.height - listHeight)

        let count = snapshot.unresolvedFailures
        let right = Line(count == 0 ? "none" : "\(Format.grouped(count)) unresolved",
                         style: count == 0 ? context.style(.ok) : context.style(.error))
        let block = context.block("Sync failures", focused: true, right: right)
        block.render(in: listArea, into: &buffer)
        let inner = block.inner(listArea)
        if snapshot.failures.isEmpty {
            if !inner.isEmpty {
                buffer.putCentered("✓ No unresolved sync failures.",
                                   in: Rect(x: inner.x, y: inner.y + inner.height / 2, width: inner.width, height: 1),
                                   style: context.style(.ok))
            }
        } else if !inner.isEmpty {
            let visible = max(1, inner.height - 1)
            let offset = Table.scrollOffset(selected: state.failureSelection, offset: state.failureScroll, visible: visible,
                                            count: snapshot.failures.count)
            let rows = snapshot.failures[offset..<min(snapshot.failures.count, offset + visible)].map(row)
            Table(columns: [
                Table.Column("When", width: .fixed(12)),
                Table.Column("Job", width: .fixed(5), alignment: .right),
                Table.Column("Entity", width: .fixed(8)),
                Table.Column("Type", width: .fixed(10)),
                Table.Column("Try", width: .fixed(3), alignment: .right),
                Table.Column("Message", width: .flexible(min: 10)),
            ], rows: rows, headerStyle: context.style(.header), selectedStyle: context.style(.selected),
                  selected: state.failureSelection - offset)
            .render(in: inner, into: &buffer)
        }

        guard detailArea.height >= 3 else { return }
        let failure = state.selectedFailure(in: snapshot)
        let detailBlock = context.block(failure.map { "Failure #\($0.id ?? 0)" } ?? "Details")
        detailBlock.render(in: detailArea, into: &buffer)
        let detail = detailBlock.inner(detailArea).inset(horizontal: 1)
        guard let failure, !detail.isEmpty else {
            if !detail.isEmpty {
                // Only the newest job can need resuming: a later one that ran has taken its place.
                let newest = snapshot.recentJobs.first { $0.status != .running }
                let job = newest.flatMap { $0.status == .failed || $0.status == .interrupted ? $0 : nil }
                let text = job.map { "r resumes job #\($0.id ?? 0) (\($0.status))." } ?? "Nothing to retry."
                buffer.put(text, x: detail.x, y: detail.y, style: context.style(.muted), maxWidth: detail.width)
            }
            return
        }
        drawDetail(failure, in: detail, into: &buffer)
    }

    private func row(_ failure: SyncFailure) -> Table.Row {
        let when = Timestamp.parse(failure.at).map { Format.shortTime($0, now: context.chrome.now, in: context.chrome.timeZone) }
            ?? Format.clean(failure.at)
        return Table.Row([
            Span(when, style: context.style(.muted)),
            Span(failure.jobID.map { "#\($0)" } ?? "—", style: context.style(.muted)),
            Span(Format.clean(failure.entity), style: context.style(.main)),
            Span(Format.clean(failure.errorType), style: context.style(.error)),
            Span("\(failure.attempt)", style: context.style(.main)),
            Span(Format.clean(failure.message), style: context.style(.main)),
        ])
    }

    private func drawDetail(_ failure: SyncFailure, in area: Rect, into buffer: inout Buffer) {
        let labelWidth = 9
        let valueWidth = max(1, area.width - labelWidth)
        let now = context.chrome.now
        let job = context.snapshot.recentJobs.first { $0.id != nil && $0.id == failure.jobID }
        var jobText = failure.jobID.map { "#\($0)" } ?? "—"
        if let job { jobText += " (\(job.kind.rawValue), \(job.status.rawValue))" }
        let typeNote: String
        switch failure.type {
        case .some(let type) where type.isTransient: typeNote = " — retried automatically with backoff"
        case .some(.auth): typeNote = " — not retried: fix the credentials or certificate, then r"
        case .some(.conflict): typeNote = " — the primary's version was kept"
        case .some: typeNote = " — needs a person: fix the cause, then r"
        case .none: typeNote = ""
        }
        // The message first: it says what failed and what to do; short screens keep it. The
        // cause is the error in a few words; the error's whole text is in the log.
        var fields: [(String, [String], Style)] = [
            ("Message", DisplayWidth.wrap(Format.clean(failure.message), to: valueWidth, maxLines: 4), context.style(.main)),
        ]
        if let cause = failure.cause {
            fields.append(("Cause", DisplayWidth.wrap(Format.clean(cause), to: valueWidth, maxLines: 2), context.style(.main)))
        }
        fields += [
            ("When", [Format.timestamp(failure.at, now: now, in: context.chrome.timeZone)], context.style(.main)),
            ("Type", [Format.clean(failure.errorType) + typeNote], context.style(.error)),
            ("Entity", [Format.clean(failure.entity)], context.style(.main)),
            ("Attempt", DisplayWidth.wrap(Format.clean(failure.attemptText), to: valueWidth, maxLines: 2), context.style(.main)),
            ("Job", [jobText], context.style(.main)),
        ]
        if failure.detailFields == nil, let output = failure.detail, !output.isEmpty {
            // Not the engine's JSON: a sync_command's output.
            fields.append(("Output", DisplayWidth.wrap(Format.clean(output), to: valueWidth, maxLines: 6), context.style(.muted)))
        }
        var y = area.y
        let footerRows = area.height >= 4 ? 1 : 0
        for (label, values, style) in fields {
            for (index, value) in (values.isEmpty ? [""] : values).enumerated() {
                guard y < area.maxY - footerRows else { break }
                if index == 0 { buffer.put(label, x: area.x, y: y, style: context.style(.muted), maxWidth: labelWidth) }
                buffer.put(value, x: area.x + labelWidth, y: y, style: style, maxWidth: valueWidth)
                y += 1
            }
        }
        if footerRows > 0 {
            let target = failure.jobID.map { "job #\($0)" } ?? "the failed sync"
            buffer.put(Line([Span("r", style: context.style(.hintKey)), Span(" retries \(target)", style: context.style(.hintText))]),
                       x: area.x, y: area.maxY - 1, maxWidth: area.width)
        }
    }
}
