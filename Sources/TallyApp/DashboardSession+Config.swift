import Foundation
import TallyCore
import TallyUI

/// The config file read again while the dashboard runs: an edit applies within a second or
/// two, the status line says what changed; a bad edit keeps the running settings and shows
/// the file's error line; what needs a restart is said so and left as it runs.
extension DashboardSession {
    /// Seconds between looks at the config file (one `stat`). A change is read at the second
    /// look that finds the file unchanged since, so an edit shows within about a second.
    static let configLookInterval: TimeInterval = 0.5

    func checkConfigFile(now: Date) {
        guard configSource != nil, now.timeIntervalSince(lastConfigLook) >= Self.configLookInterval else { return }
        lastConfigLook = now
        guard configWatch?.look() == true else { return }
        reloadConfig(now: now)
    }

    /// Reads the settings again and applies those that can change while running.
    func reloadConfig(now: Date = Date()) {
        guard let source = configSource else { return }
        let new: Config
        do {
            new = try source.load()
        } catch {
            logger.warning("config not reloaded: \(error.userMessage)")
            return say(error.userMessage, .error)
        }
        let old = workspace.config
        // A theme name no file has is as bad an edit as a typo in a key: nothing changes.
        var chosenTheme: (theme: Theme, warning: String?)?
        if new.theme != old.theme {
            do {
                chosenTheme = try catalog.chosen(new.theme)
            } catch {
                logger.warning("config not reloaded: \(error.userMessage)")
                return say(error.userMessage, .error)
            }
        }
        let change = ConfigReload(from: old, to: new)
        // What the process was opened with stays until a restart.
        var running = new
        running.cachePath = old.cachePath
        running.cachePathIsDefault = old.cachePathIsDefault
        running.primaryURL = old.primaryURL
        running.primarySource = old.primarySource
        running.readOnly = old.readOnly
        running.syncCommand = old.syncCommand
        running.pollInterval = old.pollInterval
        workspace = Workspace(config: running, cache: workspace.cache, primary: workspace.primary)

        if let chosenTheme {
            theme = chosenTheme.theme
            model.chrome.themeName = chosenTheme.theme.name
        }
        if running.timeZone != old.timeZone {
            timeZone = running.timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
            model.chrome.timeZone = timeZone
            // A completion's day is the pipeline's; a new one counts in the new zone (the undo
            // point of a write made in the last seconds goes with the old one).
            if writes != nil { writes = WritePipeline(workspace: workspace, timeZone: timeZone) }
        }
        if running.staleAfter != old.staleAfter {
            flushLookups(force: true, now: now)
            lookups = LookupRecorder(cache: workspace.cache, staleAfter: running.staleAfter)
        }
        // What was told today stays told: the new rules read it from the cache again.
        if running.notify != old.notify { notifications = DashboardNotifications(workspace: workspace) }
        let newEngine = ConfigReload.changesSync(from: old, to: running) ? workspace.syncEngine(writes: writes) : nil
        scheduler?.retime(RefreshScheduler.Settings(running), engine: newEngine)
        // Rows the new scope takes in (or leaves out) come with a sync now, not at the next timer.
        if running.scope != old.scope { scheduler?.requestSync() }
        if running.sort != old.sort { _ = model.state.changeOrder(to: running.sort) }

        logger.info("config reloaded", metadata: ["applied": "\(change.applied)", "restart": "\(change.needRestart)"])
        let followed = running.scope != old.scope && scheduler != nil ? " · syncing the new scope" : ""
        say(chosenTheme?.warning ?? change.message + followed, chosenTheme?.warning == nil ? .success : .error)
        rebuild(countLookups: false, now: now)
    }
}
