import TallyCore

/// Where each pane of the dashboard goes at a size.
///
/// At 100×30 and wider everything shows: clients and habits on the left, tasks on the right,
/// sync and cache along the bottom. Narrower, the left column goes and its panes stack under
/// the tasks when there is height for them, else the clients shrink to one line above the tasks
/// (24 rows and more) and the habits go; shorter, the bottom panes go; at 60×15 the header, the
/// tasks and the key line remain. Below 60×15 the screen says it is too small.
public struct DashboardLayout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 15

    public var header: Rect
    public var tasks: Rect
    public var clients: Rect?
    /// The clients on one line above the tasks, when the clients pane does not fit.
    public var clientsLine: Rect?
    public var habits: Rect?
    /// Points over the last 30 days, in the left column's spare rows on tall screens.
    public var history: Rect?
    public var sync: Rect?
    public var cache: Rect?
    /// The key hint / search / message line.
    public var hint: Rect
    public var isTooSmall: Bool

    /// Task rows the tasks pane shows (inside the border, under the column header).
    public var visibleTaskRows: Int { max(0, tasks.height - 3) }

    /// Client rows the clients pane shows ("all clients" is the first).
    public var visibleClientRows: Int { max(0, (clients?.height ?? 0) - 2) }

    /// Habit rows the habits pane shows (under its column header).
    public var visibleHabitRows: Int { max(0, (habits?.height ?? 0) - 3) }

    /// The tasks table's first row on screen.
    public var firstTaskRowY: Int { tasks.y + 2 }

    /// The layout for `snapshot` at this size (the left column sizes its panes to the data).
    public static func compute(width: Int, height: Int, snapshot: Snapshot) -> DashboardLayout {
        compute(width: width, height: height, clientCount: snapshot.clients.count, habitCount: snapshot.habits.count)
    }

    public static func compute(width: Int, height: Int, clientCount: Int = 6, habitCount: Int = 8) -> DashboardLayout {
        let empty = Rect(x: 0, y: 0, width: 0, height: 0)
        guard width >= minimumWidth, height >= minimumHeight else {
            return DashboardLayout(header: empty, tasks: empty, hint: empty, isTooSmall: true)
        }
        let headerRows = height >= 24 ? 2 : 1
        let header = Rect(x: 0, y: 0, width: width, height: headerRows)
        let hint = Rect(x: 0, y: height - 1, width: width, height: 1)
        let body = Rect(x: 0, y: headerRows, width: width, height: height - headerRows - 1)
        var layout = DashboardLayout(header: header, tasks: body, hint: hint, isTooSmall: false)

        // Sync and cache along the bottom when the tasks keep at least 12 rows.
        var top = body
        if body.height >= 21 {
            let strip = min(14, max(9, body.height / 3))
            top.height = body.height - strip
            let stripY = top.maxY
            let syncWidth = width * 58 / 100
            layout.sync = Rect(x: 0, y: stripY, width: syncWidth, height: strip)
            layout.cache = Rect(x: syncWidth, y: stripY, width: width - syncWidth, height: strip)
        }

        if width >= 100 {
            // Clients and habits in a left column.
            let left = min(44, max(30, width * 3 / 10))
            layout.tasks = Rect(x: left, y: top.y, width: width - left, height: top.height)
            let needed = clientCount + 3
            if top.height >= 10 {
                let clients = min(needed, max(5, top.height - max(5, top.height * 4 / 10)))
                layout.clients = Rect(x: 0, y: top.y, width: left, height: clients)
                var habits = top.height - clients
                let habitsNeeded = max(5, habitCount + 3)
                if habits - habitsNeeded >= 8 {
                    // The history chart takes up to 16 rows; habits keep the rest.
                    let history = min(16, habits - habitsNeeded)
                    habits -= history
                    layout.history = Rect(x: 0, y: top.y + clients + habits, width: left, height: history)
                }
                layout.habits = Rect(x: 0, y: top.y + clients, width: left, height: habits)
            } else {
                layout.clients = Rect(x: 0, y: top.y, width: left, height: top.height)
            }
        } else if top.height >= 30 {
            // Narrow and tall: clients and habits side by side under the tasks.
            // Fixed by the height alone, so the task rows do not depend on the data.
            let strip = min(10, max(7, top.height / 4))
            layout.tasks = Rect(x: 0, y: top.y, width: width, height: top.height - strip)
            let half = width / 2
            layout.clients = Rect(x: 0, y: layout.tasks.maxY, width: half, height: strip)
            layout.habits = Rect(x: half, y: layout.tasks.maxY, width: width - half, height: strip)
        } else {
            layout.tasks = top
            if headerRows == 2, top.height >= 10 {
                layout.clientsLine = Rect(x: 0, y: top.y, width: width, height: 1)
                layout.tasks = Rect(x: 0, y: top.y + 1, width: width, height: top.height - 1)
            }
        }
        return layout
    }

    /// The panes on screen, in Tab order.
    public var panes: [ViewState.Pane] {
        var panes: [ViewState.Pane] = []
        if clients != nil { panes.append(.clients) }
        panes.append(.tasks)
        if habits != nil { panes.append(.habits) }
        if sync != nil { panes.append(.sync) }
        if cache != nil { panes.append(.cache) }
        return panes
    }

    /// The rectangle of `pane`, nil when it is not on screen.
    public func rect(of pane: ViewState.Pane) -> Rect? {
        switch pane {
        case .clients: return clients
        case .tasks: return isTooSmall ? nil : tasks
        case .habits: return habits
        case .sync: return sync
        case .cache: return cache
        }
    }

    /// The pane under a cell.
    public func pane(atX x: Int, y: Int) -> ViewState.Pane? {
        panes.first { rect(of: $0)?.contains(x: x, y: y) ?? false }
    }
}
