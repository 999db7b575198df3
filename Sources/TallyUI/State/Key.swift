/// A key or mouse event, as the terminal backend reports it.
public enum Key: Hashable, Sendable {
    case char(Character)
    /// Ctrl with a letter: `.ctrl("l")` is Ctrl-L.
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case resize
    case mouse(MouseEvent)
    /// Text pasted at once (bracketed paste): typed into a field, ignored elsewhere.
    case paste(String)
}

/// A mouse event at a cell.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }

    public var x: Int
    public var y: Int
    public var kind: Kind

    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}
