import TallyCore

/// Cache hit rates per namespace and overall, for the last hour and the last 24 hours, and a
/// 24-hour sparkline of the overall rate.
///
/// ```
/// ╭─ Cache ───────────── hit rate ─╮
/// │           1h            24h     │
/// │ clients  100%  (12)    98%  (…) │
/// │ overall   95%  (48)    97%  (…) │
/// │ 24h ▁▂▃▅▇█▇▆▅▄▃▂▁··▁▂▃▄▅▆▇ now   │
/// ```
struct CachePane: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let rates = snapshot.hitRates
        let right = snapshot.isReadOnly ? Line("read-only", style: context.style(.warn)) : Line("hit rate", style: context.style(.muted))
        let block = context.block("Cache", right: right)
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }

        let showsCounts = inner.width >= 36
        let showsRows = inner.width >= 52
        let showsSynced = inner.width >= 64
        let rateWidth = showsCounts ? 13 : 5
        // Rows: header, four namespaces, overall, then the sparkline; drop the header first and
        // the namespaces next when short.
        let sparkRows = max(1, min(4, inner.height - 6))
        let tableRows = inner.height - sparkRows
        var lines: [Line] = []
        func cell(_ rate: HitRate) -> [Span] {
            var spans = [Span(DisplayWidth.pad(Format.percent(rate.rate), to: 5, alignRight: true), style: context.rateStyle(rate.rate))]
            if showsCounts {
                spans.append(Span(DisplayWidth.pad(" (\(Format.grouped(rate.lookups)))", to: rateWidth - 5), style: context.style(.muted)))
            }
            return spans
        }
        let header = Line([Span(DisplayWidth.pad("", to: 8) + DisplayWidth.pad("1h", to: 5, alignRight: true)
                                + String(repeating: " ", count: rateWidth - 5 + 1)
                                + DisplayWidth.pad("24h", to: 5, alignRight: true)
                                + String(repeating: " ", count: rateWidth - 5)
                                + (showsRows ? DisplayWidth.pad("rows", to: 9, alignRight: true) : "")
                                + (showsSynced ? DisplayWidth.pad("synced", to: 10, alignRight: true) : ""),
                                style: context.style(.muted))])
        var namespaceLines: [Line] = []
        for namespace in Namespace.allCases {
            var spans = [Span(DisplayWidth.pad(namespace.rawValue, to: 8), style: context.style(.main))]
            spans += cell(rates.lastHour[namespace] ?? HitRate()) + [Span(" ", style: context.style(.main))]
                + cell(rates.lastDay[namespace] ?? HitRate())
            if showsRows {
                spans.append(Span(DisplayWidth.pad(Format.grouped(snapshot.rowCounts[namespace] ?? 0), to: 9, alignRight: true),
                                  style: context.style(.muted)))
            }
            if showsSynced {
                let synced = snapshot.lastSync[namespace].map { RelativeTime.ago($0, now: context.chrome.now) } ?? "never"
                spans.append(Span(DisplayWidth.pad(synced, to: 10, alignRight: true), style: context.style(.muted)))
            }
            namespaceLines.append(Line(spans))
        }
        let overall = Line([Span(DisplayWidth.pad("overall", to: 8), style: context.style(.main).with(adding: .bold))]
                           + cell(rates.overallHour) + [Span(" ", style: context.style(.main))] + cell(rates.overallDay))
        if tableRows >= 6 {
            lines = [header] + namespaceLines + [overall]
        } else if tableRows == 5 {
            lines = namespaceLines + [overall]
        } else {
            lines = [overall]
        }
        var y = inner.y
        for line in lines.prefix(max(0, tableRows)) {
            buffer.put(line, x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }

        // The sparkline fills the rows under the table, each hour as wide as the room allows.
        let sparkArea = Rect(x: inner.x + 4, y: inner.maxY - sparkRows, width: max(0, inner.width - 8), height: sparkRows)
        guard sparkArea.width >= 6, sparkArea.y >= y else { return }
        let hours = rates.hourly.suffix(24)
        let perHour = max(1, sparkArea.width / max(1, hours.count))
        let values = hours.flatMap { Array(repeating: $0, count: perHour) }
        let width = min(sparkArea.width, values.count)
        buffer.put("24h", x: inner.x, y: sparkArea.maxY - 1, style: context.style(.muted), maxWidth: 3)
        Sparkline(values: values, maximum: 1, style: context.style(.sparkline), missingStyle: context.style(.muted))
            .render(in: Rect(x: sparkArea.x, y: sparkArea.y, width: width, height: sparkRows), into: &buffer)
        buffer.put("now", x: sparkArea.x + width + 1, y: sparkArea.maxY - 1, style: context.style(.muted), maxWidth: 3)
    }
}
