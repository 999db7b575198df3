import TallyCore

/// Clients with their colour swatch and open-task count; the number key that filters each, and
/// a marker on the one filtered.
///
/// ```
/// ╭─ Clients ──────── 40 open ─╮
/// │▸  All clients           40 │
/// │ 1 ● Raleigh             12 │
/// ```
struct ClientsPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let state = context.state
        let totalOpen = snapshot.clients.reduce(0) { $0 + $1.openTasks }
        let block = context.block("Clients", focused: focused,
                                  right: Line("\(Format.grouped(totalOpen)) open", style: context.style(.muted)))
        block.render(in: area, into: &buffer)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }

        let count = snapshot.clients.count + 1
        let offset = Table.scrollOffset(selected: state.clientCursor, offset: state.clientScroll,
                                        visible: inner.height, count: count)
        let countWidth = max(2, Format.grouped(max(totalOpen, snapshot.clients.map(\.openTasks).max() ?? 0)).count)
        for row in 0..<min(inner.height, count - offset) {
            let index = offset + row
            let y = inner.y + row
            let isFiltered = index == 0 ? state.clientFilter == nil : snapshot.clients[index - 1].client.id == state.clientFilter
            let isCursor = focused && index == state.clientCursor
            let base = isCursor ? context.style(.selected) : context.style(.main)
            if isCursor { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), with: Cell(" ", style: base)) }

            let marker = Span(isFiltered ? "▸" : " ", style: isCursor ? base : context.style(.accent))
            var spans: [Span]
            let open: Int
            if index == 0 {
                spans = [marker, Span("  ", style: base), Span("All clients", style: isFiltered && !isCursor ? base.with(adding: .bold) : base)]
                open = totalOpen
            } else {
                let summary = snapshot.clients[index - 1]
                let key = index <= 9 ? "\(index)" : " "
                let nameStyle: Style
                if isCursor {
                    nameStyle = base
                } else if summary.client.isActive == false {
                    nameStyle = context.style(.muted)
                } else {
                    nameStyle = isFiltered ? context.style(.accent).with(adding: .bold) : base
                }
                var swatch = context.swatch(summary.client.color)
                if isCursor { swatch.style = swatch.style.with(bg: base.bg) }
                spans = [marker, Span(key, style: isCursor ? base : context.style(.muted)), Span(" ", style: base), swatch,
                         Span(" " + Format.clean(summary.client.name), style: nameStyle)]
                open = summary.openTasks
            }
            let countText = DisplayWidth.pad(Format.grouped(open), to: countWidth, alignRight: true)
            let countStyle = isCursor ? base : (open == 0 ? context.style(.muted) : context.style(.main))
            buffer.put(Line(spans), x: inner.x, y: y, maxWidth: max(0, inner.width - countWidth - 1))
            buffer.put(countText, x: inner.maxX - countWidth, y: y, style: countStyle, maxWidth: countWidth)
        }
    }
}
