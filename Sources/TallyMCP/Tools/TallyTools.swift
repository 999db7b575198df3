import Foundation
import GRDB
import TallyCore

/// Tally's own tools: sync the cache now, and how healthy it is.
enum TallyTools {
    static let sync = MCPTool(
        name: "tally_sync",
        description: """
            Refresh the local cache from the primary database now (incremental unless full is true), \
            first applying any writes queued while the primary was away. Waits for the job (up to \
            `timeoutSeconds`, default 120) and answers its id, status, rows written and what failed. \
            A sync already running, here or in another Tally process, is joined instead of started twice. \
            A client that sends a progress token hears the job's chunks as progress notifications.
            """,
        inputSchema: Schema.object([
            ("full", Schema.boolean("Read everything and drop rows the primary no longer has (default false)")),
            ("wait", Schema.boolean("Wait for the job to finish (default true)")),
            ("timeoutSeconds", Schema.integer("Longest wait, in seconds (default 120)", minimum: 1, maximum: 3600)),
        ]),
        outputSchema: Out.object([
            ("jobId", Out.optionalInteger), ("kind", Out.string), ("status", Out.string), ("rowsFetched", Out.integer),
            ("rowsWritten", Out.integer), ("deleted", Out.integer), ("queuedWritesApplied", Out.integer),
            ("seconds", Out.optionalNumber), ("output", Out.optionalString), ("started", Out.boolean),
            ("finished", Out.boolean), ("runningJobId", Out.integer), ("message", Out.string),
        ], optional: ["jobId", "kind", "status", "rowsFetched", "rowsWritten", "deleted", "queuedWritesApplied", "seconds",
                      "output", "started", "finished", "runningJobId", "message"]),
        readOnly: false, idempotent: true
    ) { arguments, context in
        let full = try arguments.optionalBool("full") ?? false
        let wait = try arguments.optionalBool("wait") ?? true
        let timeout = try arguments.optionalInt("timeoutSeconds", in: 1...3600) ?? 120
        guard let scheduler = context.scheduler else {
            if context.cache.isReadOnly { throw ToolFailure(TallyError.cacheReadOnly(context.cache.path).userMessage) }
            throw ToolFailure(TallyError.noPrimary.userMessage)
        }
        guard wait else {
            scheduler.requestSync(full: full)
            return .object([("started", .bool(true)), ("message", .string("The sync runs in the background; tally_status shows when it is done."))])
        }
        let (id, events) = context.syncEvents.subscribe()
        defer { context.syncEvents.unsubscribe(id) }
        scheduler.requestSync(full: full)
        let outcome = await withTaskGroup(of: RefreshScheduler.Event?.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .finished, .commandFinished, .busyElsewhere, .failed: return event
                    default: continue
                    }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout) * 1_000_000_000)
                return nil
            }
            if let progress = ToolCall.current?.progress {
                group.addTask {
                    await reportProgress(context, progress)
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            context.syncEvents.unsubscribe(id)
            return first
        }
        if case .finished(let summary)? = outcome, let progress = ToolCall.current?.progress {
            // The end, also of a job too quick for the poller to see running.
            let job = summary.job
            await progress(Double(job.chunksCompleted), Double(max(job.chunksTotal, job.chunksCompleted)),
                           "job \(job.id ?? 0) \(job.status.rawValue): \(job.rowsWritten) rows written")
        }
        switch outcome {
        case .finished(let summary)?:
            let job = summary.job
            if !summary.succeeded {
                let reason = summary.failedNamespaces.sorted { $0.key < $1.key }.first?.value ?? job.errorMessage ?? "see tally_status"
                throw ToolFailure("The sync (job \(job.id ?? 0)) failed: \(PrimaryLocation.maskAll(reason))")
            }
            var seconds: JSON = .null
            if let started = Timestamp.parse(job.startedAt), let finished = Timestamp.parse(job.finishedAt) {
                seconds = .double((finished.timeIntervalSince(started) * 100).rounded() / 100)
            }
            return .object([
                ("jobId", .optional(job.id)), ("kind", .string(job.kind.rawValue)), ("status", .string(job.status.rawValue)),
                ("rowsFetched", .int(job.rowsFetched)), ("rowsWritten", .int(job.rowsWritten)),
                ("deleted", .int(summary.deleted)), ("queuedWritesApplied", .int(summary.outboxApplied)),
                ("seconds", seconds),
            ])
        case .commandFinished(let job)?:
            guard job.status == .completed else {
                throw ToolFailure("sync_command failed: \(job.errorMessage ?? "no output")")
            }
            return .object([("jobId", .optional(job.id)), ("kind", .string(job.kind.rawValue)), ("status", .string(job.status.rawValue)),
                            ("output", .optional(job.errorMessage))])
        case .busyElsewhere(let jobID)?:
            return .object([("started", .bool(false)), ("runningJobId", .int(jobID)),
                            ("message", .string("Another Tally process is syncing this cache (job \(jobID)); its rows show when it finishes."))])
        case .failed(let message)?:
            throw ToolFailure("The sync could not run: \(PrimaryLocation.maskAll(message))")
        default:
            return .object([("started", .bool(true)), ("finished", .bool(false)),
                            ("message", .string("The sync is still running after \(timeout) s; tally_status shows its progress."))])
        }
    }

    /// Sends the running job's chunks as progress (whichever process runs it) until cancelled.
    static func reportProgress(_ context: ToolContext, _ send: @Sendable (Double, Double?, String?) async -> Void) async {
        var last: (Int, Int)?
        while !Task.isCancelled {
            let job = try? await context.cache.read { db -> SyncJob? in
                guard let id = try SyncJobStore.runningJobID(db) else { return nil }
                return try SyncJobStore.job(id, db)
            }
            if let shown = job, last.map({ $0 != (shown.chunksCompleted, shown.chunksTotal) }) ?? true {
                last = (shown.chunksCompleted, shown.chunksTotal)
                await send(Double(shown.chunksCompleted), shown.chunksTotal > 0 ? Double(shown.chunksTotal) : nil,
                           "job \(shown.id ?? 0): \(shown.rowsWritten) rows written")
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    static let status = MCPTool(
        name: "tally_status",
        description: """
            Tally's health report: health (healthy, stale, sync_failed), today's points, target, pace \
            and streak, when the cache was last synced and which namespaces are stale, the last \
            job's status and error, writes waiting for the primary (outboxDepth), unresolved sync \
            failures, the 24-hour cache hit rate, the cache path and the primary (password masked).
            """,
        inputSchema: Schema.object(),
        outputSchema: ["type": "object", "properties": ["health": Out.string], "required": ["health"]],
        readOnly: true, lookups: [.goals]
    ) { _, context in
        let config = context.config
        let now = Date()
        // A snapshot reads every table (20 ms on 100,000 tasks): kept while the cache is unchanged
        // on the same local day, with only its clock-bound figures worked out again.
        let today = LocalDay(now, in: context.timeZone)
        var snapshot = try context.kept.answer("status:\(today)") {
            try context.cache.snapshot(query: TaskQuery(limit: 1), now: now, timeZone: context.timeZone,
                                       defaultTarget: config.targetPoints, workday: config.workday)
        }
        snapshot.goal = snapshot.goal.at(hour: now.timeIntervalSince(today.start(in: context.timeZone)) / 3600,
                                         workday: config.workday)
        let report = StatusReport(snapshot: snapshot, staleAfter: config.staleAfter,
                                  primary: context.workspace.primary?.displayName,
                                  place: (try? config.primaryLocation())?.map(PrimaryIdentity.place(of:)), now: now)
        var object = report.json
        object["read_only"] = context.cache.isReadOnly
        return camelCased(object)
    }

    /// `tally status --json`'s object with its keys in camelCase, sorted, as the WorkOS tools name theirs.
    static func camelCased(_ object: [String: Any]) -> JSON {
        func convert(_ value: Any) -> JSON {
            switch value {
            case let text as String: return .string(text)
            case let flag as Bool: return .bool(flag)
            case let number as Int: return .int(number)
            case let number as Int64: return .int(number)
            case let number as Int32: return .int(Int64(number))
            case let number as Double: return .double(number)
            case let list as [Any]: return .array(list.map(convert))
            case let nested as [String: Any]: return camelCased(nested)
            default: return .null
            }
        }
        return .object(object.keys.sorted().map { key in
            let parts = key.split(separator: "_")
            let name = (parts.first.map(String.init) ?? "") + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            return (name, convert(object[key] as Any))
        })
    }
}
