import Foundation

/// What the dashboard needs of a write: one line, and never a thrown error.
extension WritePipeline {
    /// Carries `intent` out and says how it went.
    public func report(_ intent: AnyWriteIntent) async -> WriteReport {
        await report(intent.intent)
    }

    private func report<I: WriteIntent>(_ intent: I) async -> WriteReport {
        do {
            guard let receipt = try await perform(intent) else {
                return WriteReport(subject: intent.subject, message: "nothing changed", tone: .info)
            }
            var message = receipt.message
            let tone: WriteReport.Tone
            switch receipt.state {
            case .applied:
                message += " · u undoes"
                tone = .success
            case .queued:
                tone = .info
            case .unchanged:
                tone = .info
            }
            if let behind = receipt.cacheBehind { message += " · " + behind }
            let created = I.Made.kind == AddTask.kind ? receipt.write.subject.ids.first : nil
            return WriteReport(subject: receipt.write.subject, message: message, tone: tone,
                               undoable: receipt.state != .unchanged, createdTaskID: created)
        } catch let declined as any WriteDeclined {
            return WriteReport(subject: intent.subject, message: declined.userMessage, tone: .info)
        } catch {
            return WriteReport(subject: intent.subject, message: error.userMessage, tone: .error)
        }
    }

    /// Takes the last undo point back and says how it went.
    public func reportUndo() async -> WriteReport {
        let subject = undoSubject ?? WriteSubject(.task, [])
        do {
            let lines = try await undo()
            let message = lines.count == 1 ? lines[0] : "↶ undone: \(lines.count) writes"
            return WriteReport(subject: subject, message: message, tone: .info)
        } catch let refusal as UndoRefusal {
            return WriteReport(subject: subject, message: refusal.userMessage, tone: .info)
        } catch {
            return WriteReport(subject: subject, message: error.userMessage, tone: .error)
        }
    }
}
