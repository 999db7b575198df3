import Foundation
import Synchronization
import TallyCore

/// Collects a refresh scheduler's events (its `events` stream) as short names, for assertions.
public final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    private let last = Mutex<RefreshScheduler.Event?>(nil)

    public init() {}

    /// Starts reading `scheduler`'s events into this log (until its stream ends).
    public convenience init(listeningTo scheduler: RefreshScheduler) {
        self.init()
        let log = self
        Task { for await event in scheduler.events { log.add(event) } }
    }

    public func add(_ event: RefreshScheduler.Event) {
        let name: String
        switch event {
        case .started(let kind): name = "started:\(kind.rawValue)"
        case .finished: name = "finished"
        case .commandFinished: name = "commandFinished"
        case .joined: name = "joined"
        case .busyElsewhere: name = "busyElsewhere"
        case .failed(let message): name = "failed:\(message)"
        case .notified: name = "notified"
        case .push(let enabled): name = "push:\(enabled)"
        case .away(let away): name = "away:\(away)"
        case .caughtUp(let rows): name = "caughtUp:\(rows)"
        case .timing: return
        }
        events.withLock { $0.append(name) }
    }

    public var names: [String] { events.withLock { $0 } }

    /// How many events named `name` have come.
    public func count(_ name: String) -> Int { names.filter { $0 == name }.count }

    /// Waits (in real time, at most `timeout` seconds) until `condition` holds of the names.
    @discardableResult
    public func wait(timeout: TimeInterval = 10, until condition: @escaping ([String]) -> Bool) async -> Bool {
        await waitUntil(timeout: timeout) { condition(self.names) }
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass: a wait for a state, not a pause.
public func waitUntil(timeout: TimeInterval, _ condition: @escaping () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return condition()
}

/// `waitUntil` for an async condition (an actor's state).
public func waitUntil(timeout: TimeInterval, _ condition: @escaping () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return await condition()
}
