import ArgumentParser
import Foundation
import Synchronization
import TallyCLI
import TallyCore

extension Tally {
    /// `tally sync`: one sync in the foreground (for cron and for people who like to watch).
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Sync the cache from the primary now, with a progress bar on a terminal.",
            discussion: """
                Incremental by default (rows changed since the last sync, and deletions). An interrupted \
                job is resumed first. --verify then compares every synced column of every row with the \
                primary by digests and fixes what differs, whatever updated_at says. In cache-only mode \
                runs the config's sync_command instead.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Read everything and remove cache rows the primary no longer has.")
        var full = false

        @Option(parsing: .unconditional, help: "Resume the interrupted job with this id.")
        var resume: String?

        func validate() throws {
            if let resume { _ = try IDArgument.value(resume, what: "job id") }
        }

        /// The command from `QuickArguments`, as ArgumentParser would make it; nil for anything
        /// it would refuse or that is not in the plain forms (see `Tally.parseQuickly`).
        static func parse(quickly arguments: [String]) -> Sync? {
            guard let arguments = QuickArguments(arguments, options: GlobalOptions.quickOptions.union(["--resume"]),
                                                 flags: GlobalOptions.quickFlags.union(["--full", "--verify"])),
                  let global = GlobalOptions(quick: arguments) else { return nil }
            var command = Sync()
            command.global = global
            command.full = arguments.flag("--full")
            command.resume = arguments.value("--resume")
            command.verify = arguments.flag("--verify")
            guard (try? command.validate()) != nil else { return nil }
            return command
        }

        @Flag(help: "Then verify the whole cache against the primary and fix what differs.")
        var verify = false

        func run() async throws {
            let config = try global.resolve()
            // Checked before the cache is opened, so a sync that cannot run creates nothing.
            if try config.primaryLocation() == nil, config.syncCommand == nil { throw TallyError.noPrimary }
            let workspace = try await Workspace.open(config, creatingCache: true, preparingPrimary: true)
            if workspace.cache.isReadOnly { throw TallyError.cacheReadOnly(workspace.cache.path) }
            guard let primary = workspace.primary else {
                guard let command = workspace.config.syncCommand else { throw TallyError.noPrimary }
                let result = try await SyncCommandRunner(cache: workspace.cache, command: command).run(kind: .manual)
                Console.out(result.job.status == .completed ? "sync_command finished." : "sync_command failed: \(result.job.errorMessage ?? "")")
                if result.job.status != .completed { throw ExitCode(2) }
                return
            }
            guard let engine = workspace.syncEngine() else {
                throw TallyError.noPrimary
            }
            let bar = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
            var failed: SyncSummary?
            if resume == nil {
                for job in try await engine.resumableJobs() {
                    guard let id = job.id else { continue }
                    Console.note("Resuming interrupted job \(id) from chunk \(job.chunksCompleted).")
                    let summary = try await engine.run(kind: .resume, resume: id, onProgress: bar.update)
                    bar.finish()
                    report(summary, primary: primary.displayName)
                    if !summary.succeeded { failed = summary }
                }
            }
            let resumeID = try resume.map { try IDArgument.value($0, what: "job id") }
            let summary = try await engine.run(kind: full ? .full : .manual, full: full, resume: resumeID,
                                               verify: verify ? .whole : .ifDue, keepingDigests: true, onProgress: bar.update)
            bar.finish()
            report(summary, primary: primary.displayName)
            // The cache's last checkpoint while the primary's connections close: with the
            // digests the job ended with kept beside it for the next sync (`KeptDigests`), or at
            // the cache's close.
            let cache = workspace.cache
            let digests = summary.digestsToKeep
            async let cacheClosed: Void = {
                if let digests { await cache.keepDigests(digests) }
                try? cache.close()
            }()
            await primary.close()
            await cacheClosed
            if !summary.succeeded { failed = summary }
            if verify, summary.succeeded, summary.verify == nil {
                let reason = summary.verifyFailure ?? "the primary cannot be verified"
                Console.error("not verified: \(PrimaryLocation.maskAll(reason))")
                throw ExitCode(2)
            }
            if let failed {
                // The report above is for reading; scripts and cron mail get one line on stderr.
                let reason = failed.failedNamespaces.sorted { $0.key < $1.key }.first?.value
                    ?? failed.job.errorMessage ?? "see `tally failures`"
                Console.error("sync failed: \(PrimaryLocation.maskAll(reason))")
                throw ExitCode(2)
            }
        }

        func report(_ summary: SyncSummary, primary: String) {
            let job = summary.job
            var line = "Job \(job.id ?? 0) \(job.status.rawValue): \(job.rowsWritten) rows in \(job.chunksCompleted) chunks from \(primary)"
            if summary.deleted > 0 { line += ", \(summary.deleted) deleted" }
            if summary.outboxApplied > 0 { line += ", \(summary.outboxApplied) queued writes applied" }
            if let started = Timestamp.parse(job.startedAt), let finished = Timestamp.parse(job.finishedAt) {
                line += " in \(DecimalText.fixed(finished.timeIntervalSince(started), places: 2)) s"
            }
            // A cause shared by several namespaces (a wrong password fails them all) is said
            // once; when every namespace failed the same way, stderr's one line says it.
            func rank(_ namespace: Namespace) -> Int { Namespace.allCases.firstIndex(of: namespace) ?? 0 }
            let groups = Dictionary(grouping: summary.failedNamespaces, by: \.value)
                .map { message, entries in (message, entries.map(\.key).sorted { rank($0) < rank($1) }) }
                .sorted { rank($0.1[0]) < rank($1.1[0]) }
            if groups.count == 1, let names = groups.first?.1 {
                line += " (\(names.map(\.rawValue).joined(separator: ", ")) failed)"
            }
            if let change = summary.primarySwitch {
                Console.out("The primary changed: the cache held rows of \(change.from); it was filled anew from \(change.to).")
            }
            Console.out(line + ".")
            if groups.count > 1 {
                for (message, names) in groups {
                    Console.out("  \(names.map(\.rawValue).joined(separator: ", ")): \(message)")
                }
            }
            if let verified = summary.verify {
                if verified.whole {
                    Console.out("Verified the whole cache against the primary: \(verified.summary).")
                } else if verified.differences > 0 {
                    Console.out("Verified part of the cache (the scheduled pass): \(verified.summary).")
                }
            }
        }
    }
}

/// A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal.
final class ProgressLine: Sendable {
    private let enabled: Bool
    /// Whether a bar is on the line; the lock also keeps two redraws from interleaving.
    private let drawn = Mutex(false)

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ job: SyncJob) {
        guard enabled else { return }
        let width = 30
        let filled = Int((job.progressPercent / 100 * Double(width)).rounded())
        let bar = String(repeating: "█", count: max(0, min(width, filled))) + String(repeating: "░", count: max(0, width - filled))
        let text = String(format: "\r%@ %5.1f%%  %d/%d chunks  %d rows ", bar, job.progressPercent,
                          job.chunksCompleted, job.chunksTotal, job.rowsWritten)
        drawn.withLock { drawn in
            FileHandle.standardError.write(Data(text.utf8))
            drawn = true
        }
    }

    func finish() {
        drawn.withLock { drawn in
            if drawn { Console.note("") }
            drawn = false
        }
    }
}
