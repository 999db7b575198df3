import Foundation

/// Whether someone is looking at the dashboard, and what that allows (docs/ARCHITECTURE.md,
/// "Present and away").
///
/// A serverless primary (Neon) stops its compute after a few minutes without queries and is paid
/// for while it runs, so a dashboard nobody looks at must leave it alone:
///
/// - *Present* while keys arrive and, where the terminal reports focus, while it has focus.
/// - *Away* once `awayAfter` seconds have passed since the last key and since focus went out.
///   Away, the push connection is not held, and the timer syncs at most once per `awayRefresh`
///   seconds (0: never).
/// - The first key or focus-in while away brings it back (`.returned`): reconnect and catch up.
///
/// A value fed with events and the time they happened; it reads no clock of its own.
public struct Presence: Sendable, Equatable {
    /// A change between present and away.
    public enum Change: Sendable, Equatable {
        case left
        case returned
    }

    /// What the terminal said about focus.
    public enum Focus: Sendable, Equatable {
        /// It never reported focus (it cannot, or it is not asked to): keys alone count.
        case unknown
        case focused
        case unfocused(since: Date)
    }

    /// Seconds without a key (and without focus) after which the dashboard is away.
    public private(set) var awayAfter: TimeInterval
    /// Seconds between syncs while away; 0 means none.
    public private(set) var awayRefresh: TimeInterval

    public private(set) var isAway = false
    public private(set) var focus = Focus.unknown
    public private(set) var lastKey: Date
    /// When the last sync of this process started.
    public private(set) var lastSync: Date?

    public init(awayAfter: TimeInterval, awayRefresh: TimeInterval, now: Date) {
        self.awayAfter = max(0, awayAfter)
        self.awayRefresh = max(0, awayRefresh)
        lastKey = now
    }

    /// New `away_after` and `away_refresh` (the config file changed); `update(at:)` then says
    /// whether that made the dashboard away or present.
    public mutating func retime(awayAfter: TimeInterval, awayRefresh: TimeInterval) {
        self.awayAfter = max(0, awayAfter)
        self.awayRefresh = max(0, awayRefresh)
    }

    /// Push (a held LISTEN connection) only while present.
    public var mayHoldPush: Bool { !isAway }

    /// A key (or a mouse event): present from now on.
    public mutating func key(at now: Date) -> Change? {
        lastKey = max(lastKey, now)
        return comeBack()
    }

    /// The terminal reported focus in (`true`) or out.
    public mutating func focus(_ focused: Bool, at now: Date) -> Change? {
        if focused {
            focus = .focused
            return comeBack()
        }
        if case .unfocused = focus { return nil }
        focus = .unfocused(since: now)
        return nil
    }

    /// Looks at the clock: `.left` when the dashboard has just become away.
    public mutating func update(at now: Date) -> Change? {
        guard !isAway, let due = awayAt, now >= due else { return nil }
        isAway = true
        return .left
    }

    /// When the dashboard will be away if nothing happens; nil while away or focused.
    public var awayAt: Date? {
        guard !isAway else { return nil }
        switch focus {
        case .focused: return nil
        case .unknown: return lastKey.addingTimeInterval(awayAfter)
        case .unfocused(let since): return max(lastKey, since).addingTimeInterval(awayAfter)
        }
    }

    /// A sync started now.
    public mutating func syncStarted(at now: Date) {
        lastSync = now
    }

    /// Whether the timer may start a sync at `now`: always while present; while away only when
    /// `awayRefresh` is not 0 and that long has passed since the last sync.
    public func maySync(at now: Date) -> Bool {
        guard isAway else { return true }
        guard let earliest = earliestAwaySync else { return false }
        return now >= earliest
    }

    /// While away, the earliest time the timer may sync; nil while present (no limit) and when
    /// `awayRefresh` is 0 (never).
    public var earliestAwaySync: Date? {
        guard isAway, awayRefresh > 0 else { return nil }
        return (lastSync ?? .distantPast).addingTimeInterval(awayRefresh)
    }

    private mutating func comeBack() -> Change? {
        guard isAway else { return nil }
        isAway = false
        return .returned
    }
}
