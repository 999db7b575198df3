import Foundation
import TallyCore

/// How a day shows in the calendar and under the bars: a character for each status, so hit,
/// partial, missed and no data differ without colour, and a colour on top.
enum DayGlyph {
    static let legend: [DayStatus] = [.hit, .partial, .missed, .noData]

    static func symbol(_ status: DayStatus) -> String {
        switch status {
        case .hit: return "█"
        case .partial: return "▒"
        case .missed: return "░"
        case .noData: return "·"
        case .future: return " "
        }
    }

    static func name(_ status: DayStatus) -> String {
        switch status {
        case .hit: return "hit"
        case .partial: return "partial"
        case .missed: return "missed"
        case .noData: return "no data"
        case .future: return "future"
        }
    }

    static func style(_ status: DayStatus, context: RenderContext) -> Style {
        switch status {
        case .hit: return context.style(.gaugeDone)
        case .partial: return context.style(.gaugeFilled)
        case .missed:
            // The error colour without its attributes (bold, underline without colours): those
            // mark today, and the character already says "missed".
            let error = context.style(.error)
            return Style(fg: error.fg, bg: error.bg)
        case .noData, .future: return context.style(.muted)
        }
    }
}

/// Points per day as vertical bars (eighth blocks) with each day's target as a line across
/// them, a row of day glyphs under them and a row of dates (each Monday, and today).
struct BarChart {
    let days: [HistoryDay]
    let today: LocalDay
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !days.isEmpty else { return }
        let labelRows = area.height >= 5 ? 1 : 0
        let chartRows = area.height - 1 - labelRows
        guard chartRows >= 1 else { return }
        let top = max(1, days.map { max($0.earned, $0.hasData ? $0.target : 0) }.max() ?? 1)
        let targets = days.filter(\.hasData).map(\.target)
        let target = targets.last ?? 0
        let axisWidth = max(String(top).count, String(target).count) + 1
        let room = area.width - axisWidth
        let count = min(days.count, room)
        guard count > 0 else { return }
        let shown = days.suffix(count)
        let slot = max(1, min(5, room / count))
        let barWidth = slot >= 2 ? slot - 1 : 1
        let x0 = area.x + axisWidth + (room - count * slot) / 2
        let bottom = area.y + chartRows - 1
        let levels = chartRows * 8
        func level(_ value: Int) -> Int { Int((Double(value) / Double(top) * Double(levels)).rounded()) }
        func row(ofLevel value: Int) -> Int { bottom - max(0, (value - 1) / 8) }

        // The axis: the top value, the target, 0.
        let muted = context.style(.muted)
        func axis(_ value: Int, y: Int) {
            buffer.put(DisplayWidth.pad(String(value), to: axisWidth - 1, alignRight: true), x: area.x, y: y, style: muted,
                       maxWidth: axisWidth - 1)
        }
        axis(0, y: bottom)
        if target > 0 { axis(target, y: row(ofLevel: level(target))) }
        if row(ofLevel: levels) < row(ofLevel: level(target)) - 1 { axis(top, y: row(ofLevel: levels)) }

        let lineStyle = context.style(.accent)
        for (index, day) in shown.enumerated() {
            let x = x0 + index * slot
            let status = day.status
            if day.hasData {
                // The target line first, across the bar's slot; the bar covers it where it reaches.
                let lineRow = row(ofLevel: level(day.target))
                for column in 0..<slot where day.target > 0 {
                    buffer.put("─", x: x + column, y: lineRow, style: lineStyle)
                }
                let height = day.earned > 0 ? max(1, level(day.earned)) : 0
                let style = DayGlyph.style(status, context: context)
                for step in stride(from: 0, to: height, by: 8) {
                    let cell = min(8, height - step)
                    for column in 0..<barWidth {
                        buffer.put(Sparkline.bars[cell - 1], x: x + column, y: bottom - step / 8, style: style)
                    }
                }
            }
            // The day's glyph under its bar; today's underlined.
            var glyphStyle = DayGlyph.style(status, context: context)
            if day.day == today { glyphStyle = glyphStyle.with(adding: [.underline, .bold]) }
            for column in 0..<barWidth {
                buffer.put(DayGlyph.symbol(status), x: x + column, y: bottom + 1, style: glyphStyle)
            }
        }

        // Dates under the glyphs: each Monday's day of the month (with the month when it fits), and today.
        guard labelRows > 0 else { return }
        let labelY = bottom + 2
        var taken = Array(repeating: false, count: area.width)
        func place(_ text: String, at x: Int, style: Style) {
            let width = DisplayWidth.of(text)
            let start = max(area.x, min(x, area.maxX - width))
            let range = (start - area.x)..<(start - area.x + width)
            guard range.lowerBound >= 0, range.upperBound <= taken.count,
                  !taken[max(0, range.lowerBound - 1)..<min(taken.count, range.upperBound + 1)].contains(true) else { return }
            for index in range { taken[index] = true }
            buffer.put(text, x: start, y: labelY, style: style, maxWidth: width)
        }
        if let last = shown.last, last.day == today {
            let x = x0 + (count - 1) * slot + barWidth - 5
            place("today", at: x, style: context.style(.accent))
        }
        let withMonth = slot * 7 >= 8  // "29 Dec" and room around it
        for (index, day) in shown.enumerated() where day.day.weekdayFromMonday == 0 {
            let x = x0 + index * slot
            let label = withMonth ? Format.dayMonth(day.day) : String(day.day.day)
            place(label, at: x, style: muted)
        }
    }
}

/// Weeks as columns (Monday at the top), one cell a day, ending with the week of `end`; a row of
/// month names over them.
struct CalendarChart {
    let history: History
    let end: LocalDay
    let weeks: Int
    let cellWidth: Int
    let context: RenderContext

    static let dayNames = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]

    /// The block's width for `weeks` columns: borders, padding, day names and the cells.
    static func width(weeks: Int, cellWidth: Int) -> Int {
        2 + 2 + (cellWidth > 1 ? 3 : 2) + weeks * cellWidth
    }

    /// Draws the month row and the seven day rows; returns the rows used.
    func render(_ area: Rect, into buffer: inout Buffer) -> Int {
        let labelWidth = cellWidth > 1 ? 3 : 2
        let columns = max(0, min(weeks, (area.width - labelWidth) / cellWidth))
        guard columns > 0, area.height >= 7 else { return 0 }
        let monthRow = area.height >= 8 ? 1 : 0
        let lastMonday = end.startOfWeek
        let firstMonday = lastMonday.adding(days: -7 * (columns - 1))
        let muted = context.style(.muted)
        let x0 = area.x + labelWidth
        for (index, name) in Self.dayNames.enumerated() {
            let text = cellWidth > 1 ? name : String(name.prefix(1))
            buffer.put(text, x: area.x, y: area.y + monthRow + index, style: muted, maxWidth: labelWidth - 1)
        }
        // The month's name over the week its first day falls in; over the first column too when
        // the next month's name leaves room for it.
        if monthRow > 0 {
            var starts: [(x: Int, name: String)] = []
            for week in 0..<columns {
                let monday = firstMonday.adding(days: 7 * week)
                let sunday = monday.adding(days: 6)
                if sunday.month != monday.month || monday.day == 1 {
                    starts.append((x0 + week * cellWidth, Format.months[(sunday.month - 1) % 12]))
                }
            }
            if starts.first.map({ $0.x - x0 >= 4 }) ?? true {
                starts.insert((x0, Format.months[(firstMonday.month - 1) % 12]), at: 0)
            }
            var nextFree = x0
            for (x, name) in starts where x >= nextFree && x + name.count <= area.maxX {
                buffer.put(name, x: x, y: area.y, style: muted, maxWidth: name.count)
                nextFree = x + name.count + 1
            }
        }
        for week in 0..<columns {
            let monday = firstMonday.adding(days: 7 * week)
            let x = x0 + week * cellWidth
            for weekday in 0..<7 {
                let day = monday.adding(days: weekday)
                let status = history.status(of: day)
                let y = area.y + monthRow + weekday
                var style = DayGlyph.style(status, context: context)
                if day == history.today { style = style.with(adding: [.underline, .bold]) }
                buffer.put(DayGlyph.symbol(status), x: x, y: y, style: style, maxWidth: 1)
                if day == history.today, cellWidth > 1 {
                    buffer.put("◂", x: x + 1, y: y, style: context.style(.accent), maxWidth: 1)
                }
            }
        }
        return monthRow + 7
    }
}
