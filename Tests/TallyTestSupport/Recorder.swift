import Synchronization

/// Values recorded from another thread (a primary's fetch hook, a database trace) and read back
/// by the test.
public final class Recorder<Element: Sendable>: Sendable {
    private let state = Mutex<[Element]>([])

    public init() {}

    public func add(_ element: Element) { state.withLock { $0.append(element) } }
    public var all: [Element] { state.withLock { $0 } }
}
