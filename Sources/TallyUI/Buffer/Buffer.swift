/// A rectangle of terminal cells, origin top-left.
public struct Rect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The rectangle shrunk by `by` cells on every side.
    public func inset(_ by: Int) -> Rect {
        Rect(x: x + by, y: y + by, width: width - 2 * by, height: height - 2 * by)
    }

    public func intersection(_ other: Rect) -> Rect {
        let nx = max(x, other.x), ny = max(y, other.y)
        return Rect(x: nx, y: ny, width: min(maxX, other.maxX) - nx, height: min(maxY, other.maxY) - ny)
    }
}

/// One cell: a grapheme (or "" for the trailing half of a wide character) and its style.
public struct Cell: Hashable, Sendable {
    public var symbol: String
    public var style: Style

    public init(_ symbol: String = " ", style: Style = .plain) {
        self.symbol = symbol
        self.style = style
    }

    public static let blank = Cell()
    /// The second column of a wide character: drawn by the character before it.
    public var isContinuation: Bool { symbol.isEmpty }
}

/// A grid of cells that widgets draw into; the terminal backend draws only what changed
/// between two buffers. Nothing here touches a terminal.
public struct Buffer: Equatable, Sendable {
    public private(set) var area: Rect
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        area = Rect(x: 0, y: 0, width: width, height: height)
        cells = Array(repeating: .blank, count: max(0, width) * max(0, height))
    }

    public var width: Int { area.width }
    public var height: Int { area.height }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * area.width + x] }
        set { cells[y * area.width + x] = newValue }
    }

    /// Fills `rect` (clipped to the buffer) with `cell`. A wide character cut by the edge of
    /// `rect` is blanked whole, as `put` does: half of one would be drawn as all of it.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let clip = rect.intersection(area)
        guard !clip.isEmpty else { return }
        for y in clip.y..<clip.maxY {
            if self[clip.x, y].isContinuation, clip.x > 0 { self[clip.x - 1, y].symbol = " " }
            if clip.maxX < area.width, self[clip.maxX, y].isContinuation { self[clip.maxX, y].symbol = " " }
            for x in clip.x..<clip.maxX { self[x, y] = cell }
        }
    }

    /// Writes `text` at (x, y), at most `maxWidth` columns (to the buffer edge by default), and
    /// returns the column after the last one written. Control characters are dropped (data is
    /// never terminal instructions); a wide character that would not fit whole is not written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < area.height, x < area.width else { return x }
        let limit = min(area.width, x + (maxWidth ?? area.width))
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return putASCII(text, x: x, y: y, style: style, limit: limit) }
        var column = x
        for character in text {
            let width = DisplayWidth.of(character)
            if width == 0 {
                // Combining marks join the previous cell; controls are dropped.
                if column > x, column - 1 >= 0, column - 1 < area.width,
                   !character.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }),
                   character.unicodeScalars.first?.properties.generalCategory != .format,
                   character.unicodeScalars.first?.properties.generalCategory != .control {
                    let previous = self[column - 1, y].isContinuation && column >= 2 ? column - 2 : column - 1
                    self[previous, y].symbol += String(character)
                }
                continue
            }
            if column + width > limit { break }
            if column >= 0 {
                let symbol = DisplayWidth.cellText(of: character)
                guard width == 2 else {
                    putNarrow(symbol, x: column, y: y, style: style)
                    column += width
                    continue
                }
                // Overwriting half of a wide character blanks its other half.
                if self[column, y].isContinuation, column > 0 { self[column - 1, y] = Cell(" ", style: self[column - 1, y].style) }
                self[column, y] = Cell(symbol, style: style)
                if column + 2 < area.width, self[column + 2, y].isContinuation {
                    self[column + 2, y] = Cell(" ", style: self[column + 2, y].style)
                }
                // A wide character's second column is drawn by it; a narrow one made two
                // columns wide by its selector (see DisplayWidth) is followed by a real blank.
                let wide = symbol.unicodeScalars.first.map(DisplayWidth.isWide) ?? false
                self[column + 1, y] = Cell(wide ? "" : " ", style: style)
            }
            column += width
        }
        return column
    }

    /// The cells' text for each printable ASCII character (U+0020…U+007E).
    private static let asciiSymbols: [String] = (0x20..<0x7f).map { String(Unicode.Scalar(UInt8($0))) }

    /// `put` for text of printable ASCII only, most of what a screen holds: a column a byte,
    /// without breaking the text into characters.
    private mutating func putASCII(_ text: String, x: Int, y: Int, style: Style, limit: Int) -> Int {
        let symbols = Self.asciiSymbols
        var column = x
        for byte in text.utf8 {
            if column + 1 > limit { break }
            if column >= 0 { putNarrow(symbols[Int(byte) - 0x20], x: column, y: y, style: style) }
            column += 1
        }
        return column
    }

    /// One column's character at `x`: a wide character it overwrites half of is blanked whole.
    private mutating func putNarrow(_ symbol: String, x: Int, y: Int, style: Style) {
        if self[x, y].isContinuation, x > 0 { self[x - 1, y] = Cell(" ", style: self[x - 1, y].style) }
        self[x, y] = Cell(symbol, style: style)
        if x + 1 < area.width, self[x + 1, y].isContinuation { self[x + 1, y] = Cell(" ", style: self[x + 1, y].style) }
    }

    /// The buffer as lines of plain text, trailing spaces kept (every line `width` columns).
    public func lines() -> [String] {
        (0..<area.height).map { y in
            var line = ""
            for x in 0..<area.width {
                let cell = self[x, y]
                if !cell.isContinuation { line += cell.symbol }
            }
            return line
        }
    }

    /// The buffer as text, trailing spaces trimmed from each line.
    public func plainText() -> String {
        lines().map { line in
            var trimmed = Substring(line)
            while trimmed.last == " " { trimmed = trimmed.dropLast() }
            return String(trimmed)
        }.joined(separator: "\n")
    }

    /// Indexes of cells that differ from `previous` (all when the sizes differ).
    public func changes(since previous: Buffer?) -> [Int] {
        guard let previous, previous.area == area else { return Array(cells.indices) }
        var out: [Int] = []
        for index in cells.indices where cells[index] != previous.cells[index] { out.append(index) }
        return out
    }
}
