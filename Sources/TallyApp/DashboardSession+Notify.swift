import Foundation
import Logging
import TallyCore

/// What the running dashboard tells a person about (`[notify]` in the config): the rules
/// (`NotifyRules`, a plain value) with what they told, and how a notification is delivered.
/// Only the dashboard has one; `render` and the other commands never tell anything.
struct DashboardNotifications {
    var rules: NotifyRules
    let delivery: NotifyDelivery
    let timeout: Double
    let clock: any TallyClock
    /// Terminal escapes waiting for the loop, which owns the terminal, to write them.
    var terminalNotices: [TerminalNotice] = []

    /// Nil when the config has no `[notify]` table. What earlier runs told today is read from
    /// the cache, so a restart does not tell it again.
    init?(workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment,
          clock: any TallyClock = SystemClock()) {
        guard let settings = workspace.config.notify else { return nil }
        let told = (try? workspace.cache.read { db in try NotifyMemory.read(db) }) ?? [:]
        rules = NotifyRules(settings: settings, told: told)
        delivery = NotifyDelivery.resolve(settings.delivery, environment: environment)
        timeout = settings.timeout
        self.clock = clock
    }
}

extension DashboardSession {
    /// Once a second, with the snapshot on screen and the clock: the notifications due now.
    func considerNotifications(now: Date) {
        guard var notifications else { return }
        let observation = NotifyObservation(snapshot: model.snapshot, now: now, timeZone: timeZone,
                                            workday: workspace.config.workday)
        let notices = notifications.rules.notices(for: observation)
        self.notifications = notifications
        for notice in notices { deliver(notice, notifications) }
    }

    /// Off the dashboard's thread: claims the day's notice in the cache (another dashboard on
    /// the same cache may have told it already), then runs the program, or hands the escape to
    /// the loop through the inbox.
    func deliver(_ notice: Notice, _ notifications: DashboardNotifications) {
        let cache = workspace.cache, inbox = self.inbox, logger = self.logger
        let delivery = notifications.delivery, timeout = notifications.timeout, clock = notifications.clock
        Task {
            if !cache.isReadOnly {
                do {
                    let claimed = try await cache.write { db in try NotifyMemory.claim(notice.event, day: notice.day, db) }
                    guard claimed else { return }
                } catch {
                    // Better told again after a restart than not at all.
                    logger.warning("could not record the notification", metadata: ["event": "\(notice.event.rawValue)",
                                                                                      "error": "\(error.userMessage)"])
                }
            }
            logger.info("notification", metadata: ["event": "\(notice.event.rawValue)"])
            switch delivery {
            case .program(let template):
                let outcome = await NotifyProgram.run(NotifySettings.arguments(template, title: notice.title, body: notice.body),
                                                      timeout: timeout, clock: clock)
                if let failure = outcome.failure {
                    logger.warning("notification command \(template.first ?? "") \(failure)",
                                   metadata: ["event": "\(notice.event.rawValue)"])
                }
            case .terminal(let kind, let tmux):
                inbox.post(.terminalNotice(TerminalNotice(kind, title: notice.title, body: notice.body, tmux: tmux)))
            }
        }
    }

    /// The terminal escapes to write now (the loop writes them through its terminal backend).
    public func takeTerminalNotices() -> [TerminalNotice] {
        guard let notices = notifications?.terminalNotices, !notices.isEmpty else { return [] }
        notifications?.terminalNotices = []
        return notices
    }
}
