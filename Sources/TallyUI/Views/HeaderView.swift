import TallyCore

/// The top of the screen: a bar with the date, state labels and sync status, and (with room) a
/// row of the day's figures: points gauge, streak, debts, pressure.
struct HeaderView: Widget {
    let context: RenderContext

    private var goal: GoalFigures { context.snapshot.goal }

    func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let barRow = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.fill(barRow, with: Cell(" ", style: context.style(.bar)))
        if area.height >= 2 {
            drawBar(in: barRow, into: &buffer)
            drawFigures(in: Rect(x: area.x, y: area.y + 1, width: area.width, height: 1), into: &buffer)
        } else {
            drawCompact(in: barRow, into: &buffer)
        }
    }

    // MARK: Pieces

    private func onBar(_ role: ThemeRole) -> Style { context.theme.style(role, on: .bar) }

    /// A meter on the bar: the bar's colour behind it, but its own attributes (a reversed bar
    /// must not reverse the meter).
    private func meterOnBar(_ role: ThemeRole) -> Style {
        let own = context.style(role)
        return Style(fg: own.fg, bg: context.style(.bar).bg, attributes: own.attributes,
                     monochromeAttributes: own.monochromeAttributes)
    }

    /// `synced 3m ago · next sync in 12m`, `⟳ syncing… 42%`, `never synced`.
    private func syncStatus(compact: Bool) -> Line {
        let snapshot = context.snapshot
        let chrome = context.chrome
        var spans: [Span] = []
        if chrome.syncInFlight || snapshot.runningJob != nil {
            var text = "⟳ syncing…"
            if let job = snapshot.runningJob, job.chunksTotal > 0 {
                text += " \(Int(job.progressPercent.rounded(.down)))%"
            }
            spans.append(Span(text, style: onBar(.accent)))
            return Line(spans)
        }
        let lastFinished = snapshot.recentJobs.first { $0.status != .running }
        if lastFinished?.status == .failed {
            spans.append(Span("✗ sync failed", style: onBar(.error)))
            spans.append(Span(" · ", style: onBar(.bar)))
        }
        if let last = snapshot.lastSyncAt {
            spans.append(Span("synced \(RelativeTime.ago(last, now: chrome.now))", style: onBar(.bar)))
        } else {
            spans.append(Span("never synced", style: onBar(.warn)))
        }
        if !compact, let next = chrome.nextSyncAt {
            let until = RelativeTime.until(next, now: chrome.now)
            spans.append(Span(" · next sync \(until == "now" ? "now" : until)", style: onBar(.bar)))
        }
        return Line(spans)
    }

    /// AWAY, READ-ONLY, NEW PRIMARY, CACHE-ONLY, queued completions, unresolved failures.
    private func labels(short: Bool) -> [Span] {
        let snapshot = context.snapshot
        var labels: [Span] = []
        if context.chrome.away { labels.append(Span("AWAY", style: onBar(.accent).with(adding: .bold))) }
        if snapshot.isReadOnly { labels.append(Span(short ? "RO" : "READ-ONLY", style: onBar(.warn).with(adding: .bold))) }
        // The figures are another primary's until the refill from this one is done.
        if snapshot.primarySwitch != nil {
            labels.append(Span(short ? "NEW DB" : "NEW PRIMARY: REFILLING", style: onBar(.warn).with(adding: .bold)))
        }
        if context.chrome.primaryName == nil {
            labels.append(Span(short ? "CACHE" : "CACHE-ONLY", style: onBar(.accent).with(adding: .bold)))
        }
        if snapshot.outboxDepth > 0 {
            labels.append(Span("\(snapshot.outboxDepth) QUEUED", style: onBar(.pending).with(adding: .bold)))
        }
        if snapshot.unresolvedFailures > 0 {
            let n = snapshot.unresolvedFailures
            labels.append(Span(short ? "\(n) FAIL" : "\(n) FAILURE\(n == 1 ? "" : "S")", style: onBar(.error).with(adding: .bold)))
        }
        return labels
    }

    private func drawBar(in row: Rect, into buffer: inout Buffer) {
        let chrome = context.chrome
        let right = syncStatus(compact: false)
        let rightX = row.maxX - right.width - 1
        var left: [Span] = [
            Span(" ◆ tally", style: onBar(.title).with(adding: .bold)),
            Span("   " + Format.longDate(chrome.now, in: chrome.timeZone), style: onBar(.bar)),
            Span(" · " + Format.clock(chrome.now, in: chrome.timeZone), style: onBar(.bar)),
        ]
        for label in labels(short: false) {
            left.append(Span("  ", style: onBar(.bar)))
            left.append(Span("[\(label.text)]", style: label.style))
        }
        var line = Line(left)
        if line.width + 2 > rightX - row.x {
            // Too wide: the short forms.
            line = Line([Span(" ◆ tally", style: onBar(.title).with(adding: .bold)),
                         Span("  " + Format.clock(chrome.now, in: chrome.timeZone), style: onBar(.bar))]
                        + labels(short: true).flatMap { [Span(" ", style: onBar(.bar)), Span("[\($0.text)]", style: $0.style)] })
        }
        buffer.put(line, x: row.x, y: row.y, maxWidth: max(0, rightX - row.x - 1))
        if rightX > row.x + 12 { buffer.put(right, x: rightX, y: row.y, maxWidth: right.width) }
    }

    /// ` Points ████████▌░░░░ 11/18 · on track   Streak 6 · best 14   Debt 7 today · 25 this week   Pressure 2   Clients 3/5`
    ///
    /// The gauge takes what the figures leave (10–40 columns); when that is too little the
    /// clients go first, then the debt's long form, then the pressure, then the pace.
    private func drawFigures(in row: Rect, into buffer: inout Buffer) {
        let muted = context.style(.muted)
        let main = context.style(.main)
        let debtStyle = { (value: Int) in value > 0 ? context.style(.warn) : context.style(.ok) }
        let pace = [Span(" · ", style: muted), Span(goal.pace.label, style: paceStyle)]
        let streak = [Span("   Streak ", style: muted),
                      Span("\(goal.currentStreak)", style: context.style(.accent).with(adding: .bold)),
                      Span(" · best \(goal.longestStreak)", style: muted)]
        let debtLong = [Span("   Debt ", style: muted), Span("\(goal.dailyDebt)", style: debtStyle(goal.dailyDebt)),
                        Span(" today · ", style: muted), Span("\(goal.weeklyDebt)", style: debtStyle(goal.weeklyDebt)),
                        Span(" this week", style: muted)]
        let debtShort = [Span("   Debt ", style: muted), Span("\(goal.dailyDebt)", style: debtStyle(goal.dailyDebt)),
                         Span(" · week ", style: muted), Span("\(goal.weeklyDebt)", style: debtStyle(goal.weeklyDebt))]
        let pressure = [Span("   Pressure ", style: muted), Span("\(goal.pressure)", style: pressureStyle.with(adding: .bold))]
        let clients = [Span("   Clients ", style: muted), Span("\(goal.clientsTouched)", style: main),
                       Span("/\(goal.totalClients)", style: muted)]

        let target = goal.targetIsAdjusted ? "\(goal.target)*" : "\(goal.target)"
        let label = goal.isHit ? "\(goal.earned)/\(target) ✓" : "\(goal.earned)/\(target)"
        let prefix = Span(" Points ", style: muted)
        let labelSpan = Span(" " + label, style: goal.isHit ? context.style(.gaugeDone) : main.with(adding: .bold))
        let fixed = prefix.width + labelSpan.width + 1
        var choices: [([Span], Int)] = [
            (pace + streak + debtLong + pressure + clients, 16), (pace + streak + debtLong + pressure, 14),
            (pace + streak + debtShort + pressure, 10), (pace + streak + debtShort, 10), (pace + streak, 10), (streak, 10),
        ]
        // Today's energy, beside the target it may have adjusted: shortened, then dropped, after the
        // clients and the long debt.
        if let energy = energySpans(long: true), let short = energySpans(long: false) {
            choices = [
                (pace + energy + streak + debtLong + pressure + clients, 16), (pace + energy + streak + debtLong + pressure, 14),
                (pace + energy + streak + debtShort + pressure, 10), (pace + short + streak + debtShort + pressure, 10),
                (pace + short + streak + debtShort, 10), (pace + short + streak, 10), (pace + streak, 10), (streak, 10),
            ]
        }
        var rest = streak
        // An empty cache owes nothing yet: no debt or pressure before there is data (WelcomeView).
        for (spans, minimumGauge) in choices where !context.snapshot.holdsNoData && row.width - fixed - Line(spans).width >= minimumGauge {
            rest = spans
            break
        }
        let gaugeWidth = max(10, min(40, row.width - fixed - Line(rest).width))
        var x = buffer.put(Line([prefix]), x: row.x, y: row.y, maxWidth: row.width)
        Gauge(earned: goal.earned, target: goal.target, filledStyle: context.style(.gaugeFilled),
              emptyStyle: context.style(.gaugeEmpty), doneStyle: context.style(.gaugeDone))
            .render(in: Rect(x: x, y: row.y, width: min(gaugeWidth, row.maxX - x), height: 1), into: &buffer)
        x += gaugeWidth
        x = buffer.put(Line([labelSpan]), x: x, y: row.y, maxWidth: max(0, row.maxX - x))
        buffer.put(Line(rest), x: x, y: row.y, maxWidth: max(0, row.maxX - x))
    }

    /// `   Energy low · readiness 62` (long) or `   Energy low 62`; nil when WorkOS recorded
    /// neither today.
    private func energySpans(long: Bool) -> [Span]? {
        guard let energy = context.snapshot.energy, energy.levelWord != nil || energy.readiness != nil else { return nil }
        let muted = context.style(.muted)
        var spans = [Span("   Energy ", style: muted)]
        if let word = energy.levelWord { spans.append(Span(word, style: energyStyle(word).with(adding: .bold))) }
        if let readiness = energy.readiness {
            let gap = energy.levelWord == nil ? "" : (long ? " · " : " ")
            spans.append(Span(gap + (long ? "readiness \(readiness)" : "\(readiness)"), style: muted))
        }
        return spans
    }

    private func energyStyle(_ level: String) -> Style {
        switch EnergyLevel(rawValue: level) {
        case .high?: return context.style(.ok)
        case .low?: return context.style(.warn)
        default: return context.style(.main)
        }
    }

    /// The compact header's energy: ` · energy low 62`.
    private var compactEnergy: String {
        guard let energy = context.snapshot.energy, energy.levelWord != nil || energy.readiness != nil else { return "" }
        return " · energy" + (energy.levelWord.map { " " + $0 } ?? "") + (energy.readiness.map { " \($0)" } ?? "")
    }

    /// WorkOS's pressure runs 0–5.
    private var pressureStyle: Style {
        if goal.pressure >= 4 { return context.style(.error) }
        if goal.pressure >= 2 { return context.style(.warn) }
        return context.style(.ok)
    }

    private var paceStyle: Style {
        switch goal.pace {
        case .ahead, .minimumOnly: return context.style(.ok)
        case .onTrack: return context.style(.main)
        case .behind: return context.style(.warn)
        }
    }

    /// One row: ` 11/18 ██████░░░ streak 6 · debt 7 · p 69       synced 3m ago `
    private func drawCompact(in row: Rect, into buffer: inout Buffer) {
        let right = syncStatus(compact: true)
        let labels = labels(short: true)
        var rightLine = Line(labels.flatMap { [Span("[\($0.text)]", style: $0.style), Span(" ", style: onBar(.bar))] })
        rightLine = rightLine + right + Line(" ", style: onBar(.bar))
        let leftMax = row.width - rightLine.width - 2  // two blank columns before the sync status
        let label = Span(" \(goal.earned)/\(goal.target) ", style: (goal.isHit ? onBar(.gaugeDone) : onBar(.bar)).with(adding: .bold))
        var x = buffer.put(Line([label]), x: row.x, y: row.y, maxWidth: max(0, leftMax))
        // The figures that fit beside a gauge of at least 6 columns, most important first.
        var choices = [" streak \(goal.currentStreak) · debt \(goal.dailyDebt) · pressure \(goal.pressure)",
                       " streak \(goal.currentStreak) · debt \(goal.dailyDebt)", " streak \(goal.currentStreak)", ""]
        // Today's energy where it fits beside the debt; otherwise the figures as without it.
        let energy = compactEnergy
        if !energy.isEmpty {
            choices.insert(contentsOf: [" streak \(goal.currentStreak)\(energy) · debt \(goal.dailyDebt) · pressure \(goal.pressure)",
                                        " streak \(goal.currentStreak)\(energy) · debt \(goal.dailyDebt)"], at: 0)
        }
        let room = leftMax - (x - row.x)
        let figures = choices.dropFirst(context.snapshot.holdsNoData ? choices.count - 2 : 0).first { room - DisplayWidth.of($0) >= 6 } ?? ""
        let gaugeWidth = min(12, room - DisplayWidth.of(figures))
        if gaugeWidth >= 4 {
            Gauge(earned: goal.earned, target: goal.target, filledStyle: meterOnBar(.gaugeFilled),
                  emptyStyle: meterOnBar(.gaugeEmpty), doneStyle: meterOnBar(.gaugeDone))
                .render(in: Rect(x: x, y: row.y, width: gaugeWidth, height: 1), into: &buffer)
            x += gaugeWidth
        }
        buffer.put(Line(figures, style: onBar(.bar)), x: x, y: row.y, maxWidth: max(0, row.x + leftMax - x))
        let rightX = row.maxX - rightLine.width
        if rightX > row.x + 20 { buffer.put(rightLine, x: rightX, y: row.y, maxWidth: rightLine.width) }
    }
}
