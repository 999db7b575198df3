import Foundation
import TallyCore

/// A line for the status bar: what just happened (a completion, an error, a theme change).
public struct StatusMessage: Hashable, Sendable {
    /// How the message is coloured.
    public enum Kind: Hashable, Sendable { case info, success, error }

    public var text: String
    public var kind: Kind

    public init(_ text: String, kind: Kind = .info) {
        self.text = text
        self.kind = kind
    }
}

/// What the screen shows that is not in the snapshot: the clock, when the next sync runs, the
/// primary, the latest message, the theme.
public struct Chrome: Hashable, Sendable {
    public var now: Date
    /// When the background timer will start the next sync (nil: no timer). The timer looks every
    /// `refresh` seconds and syncs what is older than `stale_after`, so this is the first look
    /// after the cache goes stale, not the next look.
    public var nextSyncAt: Date?
    public var syncInFlight: Bool
    /// The primary as shown to a person (password masked); nil in cache-only mode.
    public var primaryName: String?
    public var message: StatusMessage?
    public var themeName: String
    public var timeZone: TimeZone
    /// Whether the primary pushes changes (nil: not known, or not PostgreSQL).
    public var pushEnabled: Bool?
    /// Nobody at the keyboard for a while: the primary is left alone (see `Presence`).
    public var away = false
    /// False for a frame printed as text (`tally render`): nobody can press a key in it, so the
    /// notices addressed to a person at the keyboard ("q quits") are left out.
    public var isInteractive = true

    public init(now: Date, nextSyncAt: Date? = nil, syncInFlight: Bool = false, primaryName: String? = nil,
                message: StatusMessage? = nil, themeName: String = "default", timeZone: TimeZone = .current) {
        self.now = now
        self.nextSyncAt = nextSyncAt
        self.syncInFlight = syncInFlight
        self.primaryName = primaryName
        self.message = message
        self.themeName = themeName
        self.timeZone = timeZone
    }
}

/// Everything one frame is drawn from.
public struct ScreenModel: Equatable, Sendable {
    public var snapshot: Snapshot
    public var state: ViewState
    public var chrome: Chrome
    /// The days behind today for the history view; nil until it is read.
    public var history: History?

    public init(snapshot: Snapshot, state: ViewState, chrome: Chrome, history: History? = nil) {
        self.snapshot = snapshot
        self.state = state
        self.chrome = chrome
        self.history = history
    }
}
