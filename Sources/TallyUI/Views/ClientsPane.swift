import TallyCore

/// Clients with their colour swatch and open-task count (active and queued tasks, as the title
/// says); the number key that filters each, and a marker on the one filtered.
///
/// ```
/// ╭─ Clients ── active+queued ─╮
/// │▸  All clients            40│
/// │ 1 ■ Raleigh              12│
/// ```
struct ClientsPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let state = context.state
        let totalOpen = snapshot.clients.reduce(0) { $0 + $1.openTasks }
        let block = context.block("Clients", focused: focused,
                                  right: Line("active+queued", style: context.style(.muted)))
        block.render(in: area, into: &buffer)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }

        let count = snapshot.clients.count + 1
        let offset = Table.scrollOffset(selected: state.clientCursor, offset: state.clientScroll,
                                        visible: context.layout.visibleClientRows, count: count)
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

/// The clients on one line above the tasks, where the screen has no room for the pane (narrower
/// than 100 columns): the number keys that filter them stay in sight.
///
/// ` Clients  0 All 40  1 ■ Raleigh 12  2 ■ Orlando 8  3 ■ Memphis 7  …`
struct ClientsLine: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let snapshot = context.snapshot
        let filter = context.state.clientFilter
        let muted = context.style(.muted)
        func name(_ text: String, filtered: Bool) -> Span {
            Span(text, style: filtered ? context.style(.accent).with(adding: .bold) : context.style(.main))
        }
        var items: [[Span]] = [[Span("0 ", style: muted), name("All", filtered: filter == nil),
                                Span(" \(Format.grouped(snapshot.clients.reduce(0) { $0 + $1.openTasks }))", style: muted)]]
        for (index, summary) in snapshot.clients.enumerated() {
            items.append([Span(index < 9 ? "\(index + 1) " : "  ", style: muted), context.swatch(summary.client.color),
                          name(" " + Format.clean(summary.client.name), filtered: summary.client.id == filter),
                          Span(" \(Format.grouped(summary.openTasks))", style: muted)])
        }
        var x = buffer.put(Line(" Clients", style: context.style(.title)), x: area.x, y: area.y, maxWidth: area.width)
        for (index, item) in items.enumerated() {
            let line = Line([Span("  ")] + item)
            let more = index < items.count - 1 ? 3 : 0  // room for "  …" when clients follow
            guard x + line.width + more <= area.maxX else {
                buffer.put("  …", x: x, y: area.y, style: muted, maxWidth: area.maxX - x)
                return
            }
            x = buffer.put(line, x: x, y: area.y, maxWidth: area.maxX - x)
        }
    }
}
