/// The bottom line: the search being typed, else the latest message, else the keys.
struct HintLine: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let main = context.style(.main)
        buffer.fill(area, with: Cell(" ", style: main))
        let state = context.state

        if let draft = state.searchDraft {
            let right = Line(context.hints(Keymap.hints(for: .searchInput)).spans + [text(" ")])
            let prompt = Line([Span(" / ", style: context.style(.accent).with(adding: .bold)),
                               Span("search titles: ", style: context.style(.muted))])
            var x = buffer.put(prompt, x: area.x, y: area.y, maxWidth: area.width)
            let room = area.maxX - x - right.width - 2
            var shown = draft
            while DisplayWidth.of(shown) > max(0, room - 1), !shown.isEmpty { shown.removeFirst() }
            x = buffer.put(shown, x: x, y: area.y, style: main.with(adding: .bold), maxWidth: max(0, room))
            buffer.put("▏", x: x, y: area.y, style: context.style(.accent), maxWidth: 1)
            if room > 4 { buffer.put(right, x: area.maxX - right.width, y: area.y, maxWidth: right.width) }
            return
        }

        if let message = context.chrome.message {
            let style: Style
            let symbol: String
            switch message.kind {
            case .info: style = context.style(.accent); symbol = "•"
            case .success: style = context.style(.ok); symbol = "✓"
            case .error: style = context.style(.error); symbol = "✗"
            }
            let right = Line([key("?"), text(" help ")])
            buffer.put(Line([Span(" \(symbol) ", style: style), Span(Format.clean(message.text), style: style)]),
                       x: area.x, y: area.y, maxWidth: area.width - right.width - 1)
            buffer.put(right, x: area.maxX - right.width, y: area.y, maxWidth: right.width)
            return
        }

        // As many hints as fit, most useful first; `? help` always closes the line.
        let hints = Keymap.hints(for: state.viewKeyMode, focus: state.focus)
        let help = Line([key("?"), text(" help")])
        let helpX = area.maxX - help.width - 1
        var x = area.x + 1
        for hint in hints where hint.keys != ["?"] {
            let item = context.hints([hint])
            guard x + item.width + 2 <= helpX else { break }
            x = buffer.put(item, x: x, y: area.y, maxWidth: area.maxX - x) + 2
        }
        buffer.put(help, x: max(x, helpX), y: area.y, maxWidth: help.width)
    }

    private func key(_ text: String) -> Span { Span(text, style: context.style(.hintKey)) }
    private func text(_ text: String) -> Span { Span(text, style: context.style(.hintText)) }
}
