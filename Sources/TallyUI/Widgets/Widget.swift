/// Something that draws itself into a rectangle of a buffer (ratatui's rule: no widget talks
/// to the terminal). Widgets clip to `area` and never draw outside it.
public protocol Widget {
    func render(in area: Rect, into buffer: inout Buffer)
}
