import Foundation
import TallyCore

/// Points earned each day of the last 30 against the target, for tall screens.
///
/// ```
/// ╭─ Points · 30 days ──── hit 18/30 ─╮
/// │ ▃▅█▇▂ ▆██▅▃▇█▆ ▂▅▇█▆▃▅▇██▆▅▃▇▆▅   │
/// │ 30d ago                      today │
/// │ avg 15.2 · best 27                 │
/// ```
struct HistoryPane: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        let history = context.snapshot.history
        let hits = history.filter { $0.target > 0 ? $0.earned >= $0.target : true }.count
        let block = context.block("Points · \(history.count) days",
                                  right: history.isEmpty ? nil : Line("hit \(hits)/\(history.count)", style: context.style(.muted)))
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        guard !history.isEmpty else {
            buffer.putCentered("no daily goals yet", in: Rect(x: inner.x, y: inner.y + inner.height / 2, width: inner.width, height: 1),
                               style: context.style(.muted))
            return
        }
        let textRows = inner.height >= 4 ? 2 : 0
        // At most 10 rows of bars, sitting on the axis; spare rows stay above as headroom.
        let chartHeight = min(10, inner.height - textRows)
        let chart = Rect(x: inner.x, y: inner.maxY - textRows - chartHeight, width: inner.width, height: chartHeight)
        let days = Array(history.suffix(chart.width))
        let top = Double(days.reduce(1) { max($0, $1.earned, $1.target) })
        // Hit days in the done colour, the rest in the gauge colour: one sparkline per kind.
        let hit = days.map { $0.earned >= $0.target ? Double($0.earned) : nil }
        let missed = days.map { $0.earned < $0.target ? Double($0.earned) : nil }
        Sparkline(values: missed, maximum: top, style: context.style(.gaugeFilled), missingStyle: context.style(.muted),
                  missingSymbol: "").render(in: chart, into: &buffer)
        Sparkline(values: hit, maximum: top, style: context.style(.gaugeDone), missingStyle: context.style(.muted),
                  missingSymbol: "").render(in: chart, into: &buffer)
        guard textRows > 0 else { return }
        let axisY = chart.maxY
        let start = "\(days.count)d ago"
        buffer.put(start, x: inner.x, y: axisY, style: context.style(.muted), maxWidth: inner.width)
        if days.count > DisplayWidth.of(start) + 6 {
            buffer.put("today", x: inner.x + days.count - 5, y: axisY, style: context.style(.muted), maxWidth: 5)
        }
        let average = Double(days.reduce(0) { $0 + $1.earned }) / Double(days.count)
        let best = days.map(\.earned).max() ?? 0
        let target = days.last?.target ?? context.snapshot.goal.target
        buffer.put(Line([Span("avg ", style: context.style(.muted)), Span(Format.tenths(average), style: context.style(.main)),
                         Span(" · best ", style: context.style(.muted)), Span("\(best)", style: context.style(.main)),
                         Span(" · target ", style: context.style(.muted)), Span("\(target)", style: context.style(.main))]),
                   x: inner.x, y: axisY + 1, maxWidth: inner.width)
    }
}
