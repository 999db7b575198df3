import Foundation
import TallyCore

/// The history view (`h`): the days behind today as pictures.
///
/// ```
/// ╭─ Points · last 30 days ───────────── hit 20/30 · avg 14.9 ─╮╭─ Today ────────────────╮
/// │24                 ▅                                        ││████████▌░░░░ 11/18     │
/// │18 ──█───██──█████──█████████                               ││expected 8.7 by 14:05 … │
/// │    ▒█   ███ █████  █████████▅                              │╰────────────────────────╯
/// │   █▒█░░ ███▒█████░░█████████▒                              │╭─ This week by client ─╮
/// │ 0 ...                                                      ││■ Raleigh ████████ 12   │
/// ```
///
/// Points per day for 30 days as bars with the day's target as a line, a calendar of weeks
/// (Monday first, one cell a day), the current and longest streak, points by client in the
/// window's last week, and today's pace against the points expected by this hour of the
/// working day. Hit, partial, missed and no-data days differ by character as well as colour
/// (`DayGlyph`), so a monochrome terminal shows them too. Under 18 rows or 80 columns the view
/// is reduced: one summary line, the bars and a narrow calendar.
struct HistoryView: Widget {
    let context: RenderContext
    let history: History?

    /// Days in the bar chart.
    static let chartDays = 30

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        guard let history else {
            buffer.putCentered("reading the history…", in: Rect(x: area.x, y: area.y + area.height / 2, width: area.width, height: 1),
                               style: context.style(.muted))
            return
        }
        let end = history.today.adding(days: -7 * context.state.historyWeeksBack)
        if area.height < 18 || area.width < 80 {
            renderReduced(history, end: end, in: area, into: &buffer)
        } else {
            renderFull(history, end: end, in: area, into: &buffer)
        }
    }

    // MARK: Layouts

    private func renderFull(_ history: History, end: LocalDay, in area: Rect, into buffer: inout Buffer) {
        let rightWidth = max(40, area.width * 2 / 5)
        let weeks = max(12, min(53, (area.width - rightWidth - 6) / 2))
        let calendarWidth = CalendarChart.width(weeks: weeks, cellWidth: 2)
        let clients = history.pointsByClient(from: end.startOfWeek, through: end.startOfWeek.adding(days: 6))
        let paceHeight = 5
        let clientsHeight = max(4, min(10, clients.count + 2))
        let bottom = max(12, paceHeight + clientsHeight)
        let barsHeight = max(9, area.height - bottom)
        let lower = Rect(x: area.x, y: area.y + barsHeight, width: area.width, height: area.height - barsHeight)

        drawBars(history, end: end, in: Rect(x: area.x, y: area.y, width: area.width, height: barsHeight), into: &buffer)
        drawCalendar(history, end: end, weeks: weeks, cellWidth: 2,
                     in: Rect(x: lower.x, y: lower.y, width: calendarWidth, height: min(lower.height, 12)), into: &buffer)
        let right = Rect(x: lower.x + calendarWidth, y: lower.y, width: lower.width - calendarWidth, height: lower.height)
        drawPace(history, in: Rect(x: right.x, y: right.y, width: right.width, height: min(paceHeight, right.height)), into: &buffer)
        drawClients(clients, end: end, history: history,
                    in: Rect(x: right.x, y: right.y + paceHeight, width: right.width,
                             height: min(clientsHeight, right.height - paceHeight)),
                    into: &buffer)
    }

    /// One summary line, the bars on the left, a calendar of one-column cells on the right;
    /// the clients beside them when the width allows.
    private func renderReduced(_ history: History, end: LocalDay, in area: Rect, into buffer: inout Buffer) {
        buffer.put(summaryLine(history), x: area.x + 1, y: area.y, maxWidth: area.width - 2)
        let rest = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        guard rest.height >= 4 else { return }
        let weeks = 16
        let calendarWidth = CalendarChart.width(weeks: weeks, cellWidth: 1)
        let clients = history.pointsByClient(from: end.startOfWeek, through: end.startOfWeek.adding(days: 6))
        let clientsWidth = rest.width - calendarWidth - 44 >= 24 ? min(40, rest.width - calendarWidth - 44) : 0
        let barsWidth = rest.width - calendarWidth - clientsWidth
        drawBars(history, end: end, in: Rect(x: rest.x, y: rest.y, width: barsWidth, height: rest.height), into: &buffer)
        drawCalendar(history, end: end, weeks: weeks, cellWidth: 1,
                     in: Rect(x: rest.x + barsWidth, y: rest.y, width: calendarWidth, height: rest.height), into: &buffer)
        if clientsWidth > 0 {
            drawClients(clients, end: end, history: history,
                        in: Rect(x: rest.maxX - clientsWidth, y: rest.y, width: clientsWidth, height: rest.height), into: &buffer)
        }
    }

    // MARK: Today

    /// Today's hour as a number (14.5 at 14:30) on the screen's clock.
    private var hour: Double {
        let zone = context.chrome.timeZone
        let now = context.chrome.now
        return now.timeIntervalSince(LocalDay(now, in: zone).start(in: zone)) / 3600
    }

    /// Points expected by now on a steady working day, and the pace (WorkOS's rules).
    private func pace(_ history: History) -> (expected: Double, pace: Pace) {
        let today = history.todayFigures
        let expected = Double(today.target) * Ledger.workdayProgress(hour: hour, workday: history.workday)
        return (expected, Ledger.pace(earned: today.earned, target: today.target, hour: hour, workday: history.workday))
    }

    private func paceStyle(_ pace: Pace) -> Style {
        switch pace {
        case .ahead: return context.style(.ok)
        case .minimumOnly, .onTrack: return context.style(.accent)
        case .behind: return context.style(.warn)
        }
    }

    /// `Today 11/18 · expected 8.7 · on track   Streak 6 · best 14`
    private func summaryLine(_ history: History) -> Line {
        let today = history.todayFigures
        let (expected, pace) = pace(history)
        let muted = context.style(.muted), main = context.style(.main).with(adding: .bold)
        return Line([
            Span("Today ", style: muted), Span("\(today.earned)/\(today.target)", style: today.isHit ? context.style(.gaugeDone) : main),
            Span(" · expected ", style: muted), Span(Self.decimal(expected), style: context.style(.main)),
            Span(" · ", style: muted), Span(pace.label, style: paceStyle(pace)),
            Span("   Streak ", style: muted), Span("\(history.currentStreak)", style: main),
            Span(" · best ", style: muted), Span("\(history.longestStreak)", style: main),
        ])
    }

    private func drawPace(_ history: History, in area: Rect, into buffer: inout Buffer) {
        guard area.height >= 3 else { return }
        let today = history.todayFigures
        let (expected, pace) = pace(history)
        let block = context.block("Today", right: Line(pace.label, style: paceStyle(pace)))
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        Gauge(earned: today.earned, target: today.target, label: "\(today.earned)/\(today.target)",
              filledStyle: context.style(.gaugeFilled), emptyStyle: context.style(.gaugeEmpty),
              doneStyle: context.style(.gaugeDone), labelStyle: context.style(.main).with(adding: .bold))
            .render(in: Rect(x: inner.x, y: inner.y, width: inner.width, height: 1), into: &buffer)
        // The expected points as a mark on the gauge's track, when the bar has room for one.
        let labelWidth = DisplayWidth.of("\(today.earned)/\(today.target)") + 1
        let track = inner.width - labelWidth
        if track >= 8, today.target > 0, expected > 0, !today.isHit {
            let column = min(track - 1, Int((expected / Double(today.target) * Double(track)).rounded(.down)))
            if column >= Int((Double(today.earned) / Double(today.target) * Double(track)).rounded(.up)) {
                buffer.put("┃", x: inner.x + column, y: inner.y, style: context.style(.accent))
            }
        }
        guard inner.height >= 2 else { return }
        let workday = "\(Self.hourText(history.workday.lowerBound))–\(Self.hourText(history.workday.upperBound))"
        let delta = Double(today.earned) - expected
        let clock = Format.clock(context.chrome.now, in: context.chrome.timeZone)
        let muted = context.style(.muted)
        var expectedLine = Line([
            Span("┃", style: context.style(.accent)), Span(" expected ", style: muted),
            Span(Self.decimal(expected), style: context.style(.main)), Span(" by \(clock)", style: muted),
            Span(" · ", style: muted),
            Span((delta >= 0 ? "+" : "−") + Self.decimal(abs(delta)), style: delta >= 0 ? context.style(.ok) : context.style(.warn)),
        ])
        let side = Span(delta >= 0 ? " ahead" : " behind", style: muted)
        if expectedLine.width + side.width <= inner.width { expectedLine.spans.append(side) }
        buffer.put(expectedLine, x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        guard inner.height >= 3 else { return }
        let tasks = "\(today.tasksDone) task\(today.tasksDone == 1 ? "" : "s")"
        buffer.put(Line([
            Span("\(workday) · \(tasks) · min \(Ledger.minimumPoints)", style: muted),
            Span(today.targetIsAdjusted ? " · target adjusted" : "", style: muted),
        ]), x: inner.x, y: inner.y + 2, maxWidth: inner.width)
    }

    // MARK: Bars

    private func drawBars(_ history: History, end: LocalDay, in area: Rect, into buffer: inout Buffer) {
        let days = history.days(from: end.adding(days: -(Self.chartDays - 1)), through: end)
        let known = days.filter(\.hasData)
        let hits = known.filter(\.isHit).count
        let average = known.isEmpty ? 0 : Double(known.reduce(0) { $0 + $1.earned }) / Double(known.count)
        let short = area.width < 50
        let title = (short ? "" : "Points · ") + (end == history.today ? (short ? "" : "last ") + "\(Self.chartDays) days"
                                                                       : "\(Self.chartDays) days to \(Self.dayText(end))")
        var right = Line("hit \(hits)/\(known.count)", style: context.style(.muted))
        if area.width >= 60 { right.spans.append(Span(" · avg \(Self.decimal(average))", style: context.style(.muted))) }
        let block = context.block(title, right: right)
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard inner.width >= 10, inner.height >= 3 else { return }
        BarChart(days: days, today: history.today, context: context).render(in: inner, into: &buffer)
    }

    // MARK: Calendar

    private func drawCalendar(_ history: History, end: LocalDay, weeks: Int, cellWidth: Int, in area: Rect,
                              into buffer: inout Buffer) {
        let block = context.block("\(weeks) weeks")
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        let chart = CalendarChart(history: history, end: end, weeks: weeks, cellWidth: cellWidth, context: context)
        let used = chart.render(inner, into: &buffer)
        var y = inner.y + used
        // The legend, as many items a line as fit, then the streaks when the summary line does not show them.
        var line: [Span] = []
        var width = 0
        let items = DayGlyph.legend.map { status in
            [Span(DayGlyph.symbol(status), style: DayGlyph.style(status, context: context)),
             Span(" " + (cellWidth > 1 || status != .noData ? DayGlyph.name(status) : "none"), style: context.style(.muted))]
        }
        var lines: [[Span]] = []
        for item in items {
            let itemWidth = item.reduce(0) { $0 + $1.width }
            if width > 0, width + 2 + itemWidth > inner.width {
                lines.append(line)
                line = []
                width = 0
            }
            if width > 0 { line.append(Span("  ")); width += 2 }
            line += item
            width += itemWidth
        }
        if !line.isEmpty { lines.append(line) }
        let streak = Line([Span("Streak ", style: context.style(.muted)),
                           Span("\(history.currentStreak)", style: context.style(.main).with(adding: .bold)),
                           Span(" · longest ", style: context.style(.muted)),
                           Span("\(history.longestStreak)", style: context.style(.main).with(adding: .bold))])
        if cellWidth > 1, y < inner.maxY {
            buffer.put(streak, x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }
        for spans in lines where y < inner.maxY {
            buffer.put(Line(spans), x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }
    }

    // MARK: Clients

    private func drawClients(_ points: [(clientID: Int64?, points: Int)], end: LocalDay, history: History, in area: Rect,
                             into buffer: inout Buffer) {
        guard area.height >= 3 else { return }
        let weekStart = end.startOfWeek
        let title = weekStart == history.today.startOfWeek ? "Clients · this week" : "Clients · week of \(Format.dayMonth(weekStart))"
        let total = points.reduce(0) { $0 + $1.points }
        let block = context.block(title, right: Line("\(total) pts", style: context.style(.muted)))
        block.render(in: area, into: &buffer)
        let inner = block.inner(area).inset(horizontal: 1)
        guard !inner.isEmpty else { return }
        guard !points.isEmpty else {
            buffer.put("no points this week", x: inner.x, y: inner.y, style: context.style(.muted), maxWidth: inner.width)
            return
        }
        let byID = Dictionary(context.snapshot.clients.map { ($0.client.id, $0.client) }, uniquingKeysWith: { first, _ in first })
        func name(_ id: Int64?) -> String {
            guard let id else { return "no client" }
            return byID[id].map { Format.clean($0.name) } ?? "client \(id)"
        }
        let shown = Array(points.prefix(inner.height))
        let nameWidth = min(16, max(6, shown.map { DisplayWidth.of(name($0.clientID)) }.max() ?? 6))
        let numberWidth = String(shown.first?.points ?? 0).count
        let barWidth = inner.width - 2 - nameWidth - 1 - 1 - numberWidth
        let top = Double(shown.first?.points ?? 1)
        for (row, entry) in shown.enumerated() {
            let y = inner.y + row
            let client = entry.clientID.flatMap { byID[$0] }
            var x = buffer.put(Line([context.swatch(client?.color), Span(" ")]), x: inner.x, y: y, maxWidth: 2)
            x = buffer.put(DisplayWidth.pad(DisplayWidth.truncate(name(entry.clientID), to: nameWidth), to: nameWidth),
                           x: x, y: y, style: context.style(.main), maxWidth: nameWidth) + 1
            if barWidth >= 4 {
                var style = context.style(.sparkline)
                if context.theme.hasColors, let color = Color(hex: client?.color), color != .default {
                    style = context.style(.main).with(fg: color)
                }
                let units = max(1, Int((Double(entry.points) / top * Double(barWidth * 8)).rounded()))
                for column in 0..<barWidth {
                    let filled = units - column * 8
                    guard filled > 0 else { break }
                    buffer.put(filled >= 8 ? "█" : Gauge.eighths[filled], x: x + column, y: y, style: style)
                }
                x += barWidth + 1
            }
            buffer.put(DisplayWidth.pad(String(entry.points), to: numberWidth, alignRight: true), x: x, y: y,
                       style: context.style(.main).with(adding: .bold), maxWidth: numberWidth)
        }
    }

    // MARK: Text

    /// `8.7`, `12`.
    static func decimal(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : Format.tenths(rounded)
    }

    /// `9:00`, `17:30`.
    static func hourText(_ hour: Double) -> String {
        let minutes = Int((hour * 60).rounded())
        return "\(minutes / 60):\(Format.twoDigits(minutes % 60))"
    }

    /// `Sun 8 Nov`.
    static func dayText(_ day: LocalDay) -> String {
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return "\(weekdays[day.weekdayFromMonday]) \(Format.dayMonth(day))"
    }
}
