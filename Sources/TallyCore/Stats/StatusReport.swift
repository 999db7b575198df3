import Foundation

/// What `tally status` reports, for a shell prompt, a tmux status line or a health check.
public struct StatusReport: Sendable, Equatable {
    /// Exit codes of `tally status`.
    public enum Health: Int32, Sendable {
        case healthy = 0, stale = 1, syncFailed = 2, noCache = 3

        public var name: String {
            switch self {
            case .healthy: return "healthy"
            case .stale: return "stale"
            case .syncFailed: return "sync_failed"
            case .noCache: return "no_cache"
            }
        }
    }

    public var health: Health
    public var goal: GoalFigures?
    public var lastSyncAt: Date?
    public var staleNamespaces: [Namespace]
    public var lastJobStatus: String?
    public var lastJobError: String?
    public var outboxDepth: Int
    public var unresolvedFailures: Int
    public var hitRate24h: Double?
    /// Active habits, and those checked in today.
    public var habitCount = 0
    public var habitsDone = 0
    /// When the first namespace goes stale (nil when one already is, or none ever synced).
    public var staleAt: Date?
    public var cachePath: String
    public var primary: String?
    public var now: Date
    /// The last finished verification of the cache against the primary.
    public var verification: VerifyReport?
    /// The cache holds rows of another primary than this one (found by a sync that is refilling
    /// it, or told by the configured primary's place): its figures are not current.
    public var otherPrimary: String?

    /// Which namespaces are stale: never synced, or synced longer ago than their TTL.
    public static func staleNamespaces(_ snapshot: Snapshot, staleAfter: [Namespace: Double], now: Date) -> [Namespace] {
        Freshness.staleNamespaces(lastSyncs: snapshot.lastSync, staleAfter: staleAfter, now: now)
    }

    /// - Parameter place: where the configured primary is (`PrimaryIdentity.place(of:)`), to tell
    ///   a cache filled from another one without connecting.
    public init(snapshot: Snapshot, staleAfter: [Namespace: Double], primary: String?, place: String? = nil, now: Date) {
        let stale = Self.staleNamespaces(snapshot, staleAfter: staleAfter, now: now)
        let lastFinished = snapshot.recentJobs.first { $0.status != .running }
        let failed = lastFinished?.status == .failed
        if let change = snapshot.primarySwitch {
            otherPrimary = change.from
        } else if let filled = snapshot.filledFrom, let place, filled.place != place {
            otherPrimary = filled.name
        }
        verification = snapshot.verification
        health = failed ? .syncFailed : (stale.isEmpty && otherPrimary == nil ? .healthy : .stale)
        goal = snapshot.goal
        lastSyncAt = snapshot.lastSyncAt
        staleNamespaces = stale
        lastJobStatus = lastFinished?.status.rawValue
        lastJobError = failed ? lastFinished?.errorMessage : nil
        outboxDepth = snapshot.outboxDepth
        unresolvedFailures = snapshot.unresolvedFailures
        hitRate24h = snapshot.hitRates.overallDay.rate
        habitCount = snapshot.habits.count
        habitsDone = snapshot.habitsDone.count
        staleAt = stale.isEmpty
            ? Namespace.allCases.map { Freshness.staleFrom(snapshot.lastSync[$0], $0, staleAfter: staleAfter) }.min()
            : nil
        cachePath = snapshot.cachePath
        self.primary = primary
        self.now = now
    }

    public init(noCacheAt path: String, primary: String?, now: Date) {
        health = .noCache
        goal = nil
        lastSyncAt = nil
        staleNamespaces = Namespace.allCases
        outboxDepth = 0
        unresolvedFailures = 0
        cachePath = path
        self.primary = primary
        self.now = now
    }

    /// `11/18 pts on track · streak 6 (best 14) · synced 3m ago`
    public var line: String {
        guard let goal else { return "no cache at \(cachePath)" }
        var parts = ["\(goal.earned)/\(goal.target) pts \(goal.pace.label)",
                     "streak \(goal.currentStreak) (best \(goal.longestStreak))"]
        if goal.dailyDebt > 0 { parts.append("debt \(goal.dailyDebt)") }
        if let row = goal.goalRowEarned, row != goal.earned { parts.append("goal row says \(row)") }
        parts.append(lastSyncAt.map { "synced \(RelativeTime.ago($0, now: now))" } ?? "never synced")
        if let otherPrimary { parts.append("rows of another primary (\(otherPrimary)): sync to refill") }
        switch health {
        case .healthy: break
        case .stale: parts.append("stale")
        case .syncFailed: parts.append("last sync failed")
        case .noCache: break
        }
        if outboxDepth > 0 { parts.append("\(outboxDepth) queued") }
        return parts.joined(separator: " · ")
    }

    /// The `--json` form: stable keys, no credentials (the primary is shown masked).
    public var json: [String: Any] {
        var object: [String: Any] = [
            "health": health.name, "exit_code": Int(health.rawValue), "cache": cachePath,
            "stale_namespaces": staleNamespaces.map(\.rawValue), "outbox_depth": outboxDepth,
            "unresolved_failures": unresolvedFailures,
        ]
        object["primary"] = primary ?? NSNull()
        object["last_sync_at"] = lastSyncAt.map(Timestamp.format) ?? NSNull()
        object["last_job_status"] = lastJobStatus ?? NSNull()
        object["last_job_error"] = lastJobError ?? NSNull()
        object["hit_rate_24h"] = hitRate24h ?? NSNull()
        object["last_verified_at"] = verification?.finishedAt ?? NSNull()
        object["verify_differences"] = verification?.differences ?? NSNull()
        object["verify_found"] = verification?.summary ?? NSNull()
        object["other_primary"] = otherPrimary ?? NSNull()
        if let goal {
            object["date"] = goal.today.description
            object["points"] = goal.earned
            object["target"] = goal.target
            object["tasks_completed"] = goal.taskCount
            object["goal_hit"] = goal.isHit
            object["current_streak"] = goal.currentStreak
            object["longest_streak"] = goal.longestStreak
            object["last_goal_hit_date"] = goal.lastGoalHit?.description ?? NSNull()
            object["daily_debt"] = goal.dailyDebt
            object["weekly_debt"] = goal.weeklyDebt
            object["pressure_level"] = goal.pressure
            object["minimum"] = goal.minimum
            object["percent_of_target"] = goal.percentOfTarget
            object["pace"] = goal.pace.rawValue
            object["expected_points"] = (goal.expected * 10).rounded() / 10
            object["clients_touched"] = goal.clientsTouched
            object["total_external_clients"] = goal.totalClients
            object["target_adjusted"] = goal.targetIsAdjusted
            // The day's goal row as stored: it misses completions made through the WorkOS MCP
            // server, which does not touch daily_goals; the points above come from the tasks.
            object["goal_row_points"] = goal.goalRowEarned ?? NSNull()
        }
        return object
    }
}

/// "3m ago", "2h ago", "just now".
public enum RelativeTime {
    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 10 { return "just now" }
        if seconds < 60 { return "\(seconds / 10 * 10)s ago" }
        if seconds < 3600 { return "\(seconds / 60)m ago" }
        if seconds < 86400 { return "\(seconds / 3600)h ago" }
        return "\(seconds / 86400)d ago"
    }

    /// "in 50s" (10-second steps, rounded up), "in 3m", "now". Coarse on purpose: the dashboard
    /// redraws only when a text it shows changes, so an idle screen redraws a few times a minute.
    public static func until(_ date: Date, now: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded(.up))
        if seconds <= 0 { return "now" }
        if seconds <= 60 { return "in \((seconds + 9) / 10 * 10)s" }
        if seconds < 3600 { return "in \((seconds + 59) / 60)m" }
        return "in \(seconds / 3600)h"
    }
}

/// JSON for `--json` outputs, with sorted keys so scripts and tests can compare it.
public enum JSONOutput {
    /// - Parameter pretty: indented, one key per line (for a person at a terminal).
    public static func string(_ object: Any, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: options)
        else { return "{}" }
        return TextSafety.escapingControls(json: String(decoding: data, as: UTF8.self))
    }

    public static func task(_ row: TaskRow) -> [String: Any] {
        let t = row.task
        func value<T>(_ v: T?) -> Any { v.map { $0 as Any } ?? NSNull() }
        return [
            "id": t.id, "client_id": value(t.clientID), "client": value(row.clientName), "title": t.title,
            "status": value(t.status), "category": value(t.category), "value_tier": value(t.valueTier),
            "effort_estimate": value(t.effortEstimate), "drain_type": value(t.drainType),
            "points": t.effectivePoints, "points_final": value(t.pointsFinal),
            "points_ai_guess": value(t.pointsAIGuess), "created_at": value(t.createdAt),
            "updated_at": value(t.updatedAt), "completed_at": value(t.completedAt), "pending": row.isPending,
        ]
    }

    public static func failure(_ f: SyncFailure) -> [String: Any] {
        [
            "id": f.id.map { $0 as Any } ?? NSNull(), "job_id": f.jobID.map { $0 as Any } ?? NSNull(),
            "at": f.at, "entity": f.entity, "error_type": f.errorType, "message": f.message,
            "attempt": f.attempt, "resolved_at": f.resolvedAt.map { $0 as Any } ?? NSNull(),
            "cause": f.cause.map { $0 as Any } ?? NSNull(), "attempts": f.attemptsAllowed.map { $0 as Any } ?? NSNull(),
        ]
    }
}
