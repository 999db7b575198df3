import Foundation
import TallyCore

/// The filtered, sorted task list: status, client, title, tier, points, and more columns when
/// wide. Only the rows on screen are built. Pending completions show `⧗`; while tasks are marked
/// (`Space`) a first column shows `*` on the marked ones.
struct TasksPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let state = context.state
        let page = snapshot.tasks
        var block = context.block("Tasks", focused: focused,
                                  right: page.total > 0 ? Line("\(Format.grouped(state.selection + 1))/\(Format.grouped(page.total))",
                                                               style: context.style(.muted)) : nil)
        block.title = title
        block.render(in: area, into: &buffer)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }

        let visible = context.layout.visibleTaskRows
        let end = min(page.total, state.scrollTop + visible)
        let shown: [TaskRow?] = end > state.scrollTop ? (state.scrollTop..<end).map { index in
            let local = index - page.offset
            return local >= 0 && local < page.rows.count ? page.rows[local] : nil
        } : []
        // The Client column is as wide as the longest client name (all of them, so it does not
        // change while scrolling) where the titles on screen leave the room for it.
        let longestClient = snapshot.clients.map { DisplayWidth.of(Format.clean($0.client.name)) }.max() ?? 0
        let longestTitle = shown.compactMap { $0.map { DisplayWidth.of(Format.clean($0.task.title)) } }.max() ?? 0
        let columns = Self.columns(width: inner.width, status: state.statusFilter,
                                   clientNeeds: longestClient + 2, titleNeeds: longestTitle, marks: !state.marks.isEmpty)
        let rows = shown.map { task in
            task.map { row($0, columns: columns) }
                ?? Table.Row((state.marks.isEmpty ? [] : [Line(" ")]) + [Line(" "), Line("…", style: context.style(.muted))])
        }
        let table = Table(columns: columns.map(\.column), rows: rows, headerStyle: context.style(.header),
                          selectedStyle: context.style(.selected),
                          selected: page.total > 0 ? state.selection - state.scrollTop : nil,
                          spacing: Self.spacing(width: inner.width))
        table.render(in: inner, into: &buffer)
        if page.total == 0 { drawEmpty(in: inner, into: &buffer) }
    }

    /// `Tasks · active · Raleigh · /ect · most points first · 3 marked`: the pane's name, what it
    /// is filtered and sorted by, and how many tasks are marked.
    private var title: Line {
        let state = context.state
        var spans = [Span("Tasks", style: context.style(.title)), Span(" · ", style: context.style(.border)),
                     Span(state.statusFilter.rawValue, style: context.style(.accent))]
        if let id = state.clientFilter {
            let name = context.snapshot.clients.first { $0.client.id == id }.map { Format.clean($0.client.name) } ?? "client \(id)"
            spans += [Span(" · ", style: context.style(.border)), Span(name, style: context.style(.accent))]
        }
        if !state.search.isEmpty {
            spans += [Span(" · ", style: context.style(.border)), Span("/" + state.search, style: context.style(.accent))]
        }
        if let order = state.order.label {
            spans += [Span(" · ", style: context.style(.border)), Span(order, style: context.style(.accent))]
        }
        if !state.marks.isEmpty {
            spans += [Span(" · ", style: context.style(.border)),
                      Span("\(state.marks.count) marked", style: context.style(.accent).with(adding: .bold))]
        }
        return Line(spans)
    }

    private func drawEmpty(in inner: Rect, into buffer: inout Buffer) {
        let state = context.state
        var text: String
        switch state.statusFilter {
        case .all: text = "No tasks"
        case .doneToday: text = "No tasks done today"
        case .active, .queued, .backlog: text = "No \(state.statusFilter.rawValue) tasks"
        }
        if let id = state.clientFilter, let client = context.snapshot.clients.first(where: { $0.client.id == id }) {
            text += " for \(Format.clean(client.client.name))"
        }
        if !state.search.isEmpty { text += " matching “\(state.search)”" }
        let y = inner.y + max(1, inner.height / 2 - 1)
        buffer.putCentered(text, in: Rect(x: inner.x, y: y, width: inner.width, height: 1), style: context.style(.muted))
        if y + 1 < inner.maxY {
            buffer.putCentered("\(Keymap.label(of: .cycleStatus)) changes the status · \(Keymap.label(of: .clearFilters)) clears filters",
                               in: Rect(x: inner.x, y: y + 1, width: inner.width, height: 1), style: context.style(.muted))
        }
    }

    // MARK: Columns

    enum Field { case mark, status, client, title, tier, points, category, effort, drain, when }

    struct FieldColumn {
        var field: Field
        var column: Table.Column
    }

    /// Columns between two columns.
    static func spacing(width: Int) -> Int { width >= 110 ? 2 : 1 }

    /// The narrowest the Title column gets.
    static let titleMinimum = 12

    /// The columns for an inner width: the essentials always, detail columns when there is room.
    ///
    /// - Parameters:
    ///   - clientNeeds: the width that shows every client whole (swatch, space, name).
    ///   - titleNeeds: the width of the longest title on screen.
    static func columns(width: Int, status: StatusFilter, clientNeeds: Int = 14, titleNeeds: Int = 0,
                        marks: Bool = false) -> [FieldColumn] {
        var columns = [FieldColumn(field: .status, column: Table.Column(" ", width: .fixed(1)))]
        if marks { columns.insert(FieldColumn(field: .mark, column: Table.Column(" ", width: .fixed(1))), at: 0) }
        if width >= 50 {
            columns.append(FieldColumn(field: .client, column: Table.Column("Client", width: .fixed(0))))
        }
        columns.append(FieldColumn(field: .title, column: Table.Column("Title", width: .flexible(min: Self.titleMinimum))))
        if width >= 110 {
            columns.append(FieldColumn(field: .category, column: Table.Column("Category", width: .fixed(9))))
            columns.append(FieldColumn(field: .drain, column: Table.Column("Drain", width: .fixed(8))))
            columns.append(FieldColumn(field: .effort, column: Table.Column("Effort", width: .fixed(6), alignment: .right)))
        }
        if width >= 90 {
            columns.append(FieldColumn(field: .when, column: Table.Column(status == .doneToday ? "Done" : "Updated",
                                                                          width: .fixed(8))))
        }
        if width >= 64 {
            columns.append(FieldColumn(field: .tier, column: Table.Column("Tier", width: .fixed(11))))
        }
        columns.append(FieldColumn(field: .points, column: Table.Column("Pts", width: .fixed(3), alignment: .right)))
        if let client = columns.firstIndex(where: { $0.field == .client }) {
            let others = columns.reduce(0) { sum, column in
                if case .fixed(let n) = column.column.width { return sum + n }
                return sum
            }
            // What the client and the title share.
            let room = width - others - spacing(width: width) * (columns.count - 1)
            columns[client].column.width = .fixed(clientWidth(needs: clientNeeds, titleNeeds: titleNeeds, room: room))
        }
        return columns
    }

    /// The Client column's width out of `room` shared with the title: every name whole when the
    /// titles leave room for it, else what the titles leave, but never less than a quarter of the
    /// room (or what the names need) nor so much that the title gets under its minimum.
    static func clientWidth(needs: Int, titleNeeds: Int, room: Int) -> Int {
        let needs = max(needs, DisplayWidth.of("Client"))
        let share = max(room - titleNeeds, min(needs, room / 4))
        return max(0, min(needs, share, room - titleMinimum))
    }

    private func row(_ row: TaskRow, columns: [FieldColumn]) -> Table.Row {
        let task = row.task
        let main = context.style(.main)
        let muted = context.style(.muted)
        var cells: [Line] = []
        cells.reserveCapacity(columns.count)
        for column in columns {
            switch column.field {
            case .mark:
                cells.append(context.state.isMarked(task.id) ? Line("*", style: context.style(.accent).with(adding: .bold)) : Line(" "))
            case .status:
                cells.append(Line([statusSymbol(row)]))
            case .client:
                if let name = row.clientName {
                    cells.append(Line([context.swatch(row.clientColor), Span(" " + Format.clean(name), style: main)]))
                } else {
                    cells.append(Line("—", style: muted))
                }
            case .title:
                cells.append(Line(Format.clean(task.title), style: task.taskStatus == .done ? muted : main))
            case .tier:
                cells.append(Line(Format.clean(task.valueTier ?? "—"), style: muted))
            case .points:
                let style = row.isPending ? context.style(.pending)
                    : (task.pointsFinal != nil ? main.with(adding: .bold) : main)
                cells.append(Line("\(task.effectivePoints)", style: style))
            case .category:
                cells.append(Line(Format.clean(task.category ?? "—"), style: muted))
            case .drain:
                cells.append(Line(Format.clean(task.drainType ?? "—"), style: muted))
            case .effort:
                let effort = task.effortEstimate.map { "\($0)" } ?? "—"
                cells.append(Line(effort, style: muted))
            case .when:
                cells.append(Line(when(task), style: muted))
            }
        }
        return Table.Row(cells)
    }

    private func when(_ task: WorkTask) -> String {
        let now = context.chrome.now
        if task.taskStatus == .done, let done = Timestamp.parse(task.completedAt) {
            return Format.shortTime(done, now: now, in: context.chrome.timeZone)
        }
        guard let updated = Timestamp.parse(task.updatedAt) else { return "—" }
        let ago = RelativeTime.ago(updated, now: now)
        return ago.hasSuffix(" ago") ? String(ago.dropLast(4)) : ago
    }

    private func statusSymbol(_ row: TaskRow) -> Span {
        if row.isPending { return Span("⧗", style: context.style(.pending)) }
        switch row.task.taskStatus {
        case .active: return Span("●", style: context.style(.accent))
        case .queued: return Span("○", style: context.style(.main))
        case .backlog: return Span("◌", style: context.style(.muted))
        case .done: return Span("✓", style: context.style(.ok))
        case .other: return Span("?", style: context.style(.warn))
        case .missing: return Span("·", style: context.style(.muted))
        }
    }
}
