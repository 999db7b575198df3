import TallyCore

/// Habits with their emoji and their own streaks, current and best; a `✓` in the success colour
/// on those done today (`⧗` while a check-in waits for the primary), and today's count in the
/// title. Focused (Tab), a cursor picks the habit that `Space` checks in.
///
/// ```
/// ╭─ Habits ─────────── 3/8 today ─╮
/// │   Habit         Freq     Now Best│
/// │✓ 💧 Drink water  daily      7   14│
/// ```
struct HabitsPane: Widget {
    let context: RenderContext
    let focused: Bool

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let habits = snapshot.habits
        let inner = Block().inner(area)
        let visible = context.layout.visibleHabitRows
        let offset = focused
            ? Table.scrollOffset(selected: context.state.habitCursor, offset: context.state.habitScroll, visible: visible, count: habits.count)
            : min(context.state.habitScroll, max(0, habits.count - visible))
        var right: [Span] = []
        if !habits.isEmpty {
            let done = habits.filter { snapshot.habitsDone.contains($0.id) }.count
            right.append(Span("\(done)/\(habits.count) today", style: done == habits.count ? context.style(.ok) : context.style(.muted)))
        }
        if habits.count > visible, visible > 0 {
            right.append(Span(" · \(offset + 1)–\(min(habits.count, offset + visible))", style: context.style(.muted)))
        }
        let block = context.block("Habits", focused: focused, right: right.isEmpty ? nil : Line(right))
        block.render(in: area, into: &buffer)
        guard !inner.isEmpty else { return }
        if habits.isEmpty {
            buffer.putCentered("no habits yet", in: Rect(x: inner.x, y: inner.y + inner.height / 2, width: inner.width, height: 1),
                               style: context.style(.muted))
            return
        }

        var columns = [
            Table.Column("", width: .fixed(1)),
            Table.Column("", width: .fixed(2)),
            Table.Column("Habit", width: .flexible(min: 6)),
        ]
        let showsFrequency = inner.width >= 40
        if showsFrequency { columns.append(Table.Column("Freq", width: .fixed(8))) }
        columns += [Table.Column("Now", width: .fixed(4), alignment: .right),
                    Table.Column("Best", width: .fixed(4), alignment: .right)]

        let rows = habits[offset..<min(habits.count, offset + max(0, visible))].map { habit -> Table.Row in
            let current = max(0, habit.currentStreak ?? 0)
            let longest = max(current, habit.longestStreak ?? 0)
            let emoji = Format.clean(habit.emoji)
            let done = snapshot.habitsDone.contains(habit.id)
            let nowStyle: Style
            if current == 0 {
                nowStyle = context.style(.muted)
            } else if current >= longest {
                nowStyle = context.style(.ok).with(adding: .bold)
            } else {
                nowStyle = context.style(.main)
            }
            let mark: Line
            if snapshot.pendingHabits.contains(habit.id) {
                mark = Line("⧗", style: context.style(.pending))
            } else if done {
                mark = Line("✓", style: context.style(.ok).with(adding: .bold))
            } else {
                mark = Line(" ", style: context.style(.main))
            }
            let nameStyle = habit.isActive == false ? context.style(.muted) : (done ? context.style(.ok) : context.style(.main))
            var cells = [mark, Line(emoji.isEmpty ? "•" : emoji, style: context.style(.main)),
                         Line(Format.clean(habit.name), style: nameStyle)]
            if showsFrequency { cells.append(Line(Format.clean(habit.frequency), style: context.style(.muted))) }
            cells += [Line("\(current)", style: nowStyle), Line("\(longest)", style: context.style(.muted))]
            return Table.Row(cells)
        }
        let cursor = context.state.habitCursor - offset
        Table(columns: columns, rows: rows, headerStyle: context.style(.header), selectedStyle: context.style(.selected),
              selected: focused && cursor >= 0 && cursor < rows.count ? cursor : nil).render(in: inner, into: &buffer)
    }
}
