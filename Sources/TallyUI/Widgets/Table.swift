/// Rows under a header in columns of fixed or flexible width, with one selected row and a
/// scroll window. Cells are cut with `…` and aligned by display width, so wide CJK and emoji
/// never push a column out of line.
///
/// `rows` are only what is on screen (the caller slices a window), so drawing costs what the
/// area shows however long the list is.
public struct Table: Widget, Sendable {
    /// Where text sits in its column.
    public enum Alignment: Sendable { case left, right }

    /// How wide a column is: a fixed number of columns, or a share of what is left over.
    public enum Width: Hashable, Sendable {
        case fixed(Int)
        case flexible(min: Int)
    }

    /// A column: its header, width and alignment.
    public struct Column: Sendable {
        public var title: String
        public var width: Width
        public var alignment: Alignment

        public init(_ title: String, width: Width, alignment: Alignment = .left) {
            self.title = title
            self.width = width
            self.alignment = alignment
        }
    }

    /// One row of cells.
    public struct Row: Hashable, Sendable {
        /// One line per column.
        public var cells: [Line]
        /// Fills the whole row (behind the cells) when set.
        public var style: Style?

        public init(_ cells: [Line], style: Style? = nil) {
            self.cells = cells
            self.style = style
        }

        public init(_ cells: [Span], style: Style? = nil) {
            self.init(cells.map { Line([$0]) }, style: style)
        }
    }

    public var columns: [Column]
    public var rows: [Row]
    public var showsHeader: Bool
    public var headerStyle: Style
    public var selectedStyle: Style
    /// Index into `rows` of the highlighted row.
    public var selected: Int?
    /// Index into `rows` of the first row drawn.
    public var offset: Int
    /// Columns between two columns.
    public var spacing: Int

    public init(columns: [Column], rows: [Row], showsHeader: Bool = true, headerStyle: Style = Style(attributes: .bold),
                selectedStyle: Style = Style(attributes: .reverse), selected: Int? = nil, offset: Int = 0,
                spacing: Int = 1) {
        self.columns = columns
        self.rows = rows
        self.showsHeader = showsHeader
        self.headerStyle = headerStyle
        self.selectedStyle = selectedStyle
        self.selected = selected
        self.offset = offset
        self.spacing = spacing
    }

    /// Rows the area has room for under the header.
    public func visibleRows(in area: Rect) -> Int { max(0, area.height - (showsHeader ? 1 : 0)) }

    /// The widths of the columns in `total` columns: fixed ones as asked, flexible ones share the
    /// rest; columns that do not fit at all get 0.
    public func columnWidths(total: Int) -> [Int] {
        let gaps = spacing * max(0, columns.count - 1)
        var fixed = 0
        var flexibleMin = 0
        var flexibleCount = 0
        for column in columns {
            switch column.width {
            case .fixed(let n): fixed += n
            case .flexible(let minimum): flexibleMin += minimum; flexibleCount += 1
            }
        }
        let spare = max(0, total - gaps - fixed - flexibleMin)
        var widths: [Int] = []
        var flexibleSeen = 0
        var used = 0
        for (index, column) in columns.enumerated() {
            var width: Int
            switch column.width {
            case .fixed(let n):
                width = n
            case .flexible(let minimum):
                width = minimum + spare / flexibleCount + (flexibleSeen < spare % flexibleCount ? 1 : 0)
                flexibleSeen += 1
            }
            let gap = index == 0 ? 0 : spacing
            width = max(0, min(width, total - used - gap))
            used += width + gap
            widths.append(width)
        }
        return widths
    }

    /// The first row to draw so that `selected` is visible, moving `offset` as little as possible.
    public static func scrollOffset(selected: Int, offset: Int, visible: Int, count: Int) -> Int {
        guard visible > 0, count > 0 else { return 0 }
        var top = min(offset, max(0, count - visible))
        if selected < top { top = selected }
        if selected >= top + visible { top = selected - visible + 1 }
        return max(0, min(top, max(0, count - visible)))
    }

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let widths = columnWidths(total: area.width)
        var y = area.y
        if showsHeader {
            buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), with: Cell(" ", style: headerStyle))
            drawCells(columns.map { Line($0.title, style: headerStyle) }, widths: widths, y: y, x: area.x,
                      override: nil, into: &buffer)
            y += 1
        }
        let visible = visibleRows(in: area)
        guard visible > 0, offset < rows.count else { return }
        let end = min(rows.count, max(0, offset) + visible)
        for index in max(0, offset)..<end {
            let row = rows[index]
            let isSelected = index == selected
            let rowRect = Rect(x: area.x, y: y, width: area.width, height: 1)
            if isSelected {
                buffer.fill(rowRect, with: Cell(" ", style: selectedStyle))
            } else if let style = row.style {
                buffer.fill(rowRect, with: Cell(" ", style: style))
            }
            drawCells(row.cells, widths: widths, y: y, x: area.x, override: isSelected ? selectedStyle : nil,
                      into: &buffer)
            y += 1
        }
    }

    private func drawCells(_ cells: [Line], widths: [Int], y: Int, x: Int, override: Style?, into buffer: inout Buffer) {
        var column = x
        for (index, width) in widths.enumerated() {
            if index > 0 { column += spacing }
            guard width > 0 else { continue }
            if index < cells.count {
                var line = cells[index]
                if let override { line = Line(line.spans.map { Span($0.text, style: override) }) }
                let lineWidth = line.width
                let start = columns[index].alignment == .right && lineWidth < width ? column + width - lineWidth : column
                buffer.put(line, x: start, y: y, maxWidth: width - (start - column))
            }
            column += width
        }
    }
}
