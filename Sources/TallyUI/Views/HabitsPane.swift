import TallyCore

/// Habits with their emoji and their own streaks, current and best.
struct HabitsPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let habits = context.snapshot.habits
        let inner = Block().inner(area)
        let visible = context.layout.visibleHabitRows
        let maxScroll = max(0, habits.count - visible)
        let offset = min(context.state.habitScroll, maxScroll)
        var right: Line?
        if habits.count > visible, visible > 0 {
            right = Line("\(offset + 1)–\(min(habits.count, offset + visible))/\(habits.count)", style: context.style(.muted))
        }
        let block = context.block("Habits", focused: focused, right: right)
        block.render(in: area, into: &buffer)
        guard !inner.isEmpty else { return }
        if habits.isEmpty {
            buffer.putCentered("no habits yet", in: Rect(x: inner.x, y: inner.y + inner.height / 2, width: inner.width, height: 1),
                               style: context.style(.muted))
            return
        }

        var columns = [
            Table.Column("", width: .fixed(2)),
            Table.Column("Habit", width: .flexible(min: 6)),
        ]
        let showsFrequency = inner.width >= 40
        if showsFrequency { columns.append(Table.Column("Freq", width: .fixed(8))) }
        columns += [Table.Column("Now", width: .fixed(4), alignment: .right),
                    Table.Column("Best", width: .fixed(4), alignment: .right)]

        let rows = habits[offset..<min(habits.count, offset + visible)].map { habit -> Table.Row in
            let current = max(0, habit.currentStreak ?? 0)
            let longest = max(current, habit.longestStreak ?? 0)
            let emoji = Format.clean(habit.emoji)
            let nowStyle: Style
            if current == 0 {
                nowStyle = context.style(.muted)
            } else if current >= longest {
                nowStyle = context.style(.ok).with(adding: .bold)
            } else {
                nowStyle = context.style(.main)
            }
            var cells = [Line(emoji.isEmpty ? "•" : emoji, style: context.style(.main)),
                         Line(Format.clean(habit.name), style: habit.isActive == false ? context.style(.muted) : context.style(.main))]
            if showsFrequency { cells.append(Line(Format.clean(habit.frequency), style: context.style(.muted))) }
            cells += [Line("\(current)", style: nowStyle), Line("\(longest)", style: context.style(.muted))]
            return Table.Row(cells)
        }
        Table(columns: columns, rows: rows, headerStyle: context.style(.header)).render(in: inner, into: &buffer)
    }
}
