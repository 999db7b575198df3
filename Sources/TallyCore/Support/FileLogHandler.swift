import Foundation
import Logging
import Synchronization

/// Writes log lines to `$XDG_STATE_HOME/tally/tally.log` (ncurses owns the screen, so nothing
/// is ever logged to it). Lines pass through `PrimaryLocation.mask`, so a URL with a password
/// that slips into a message is still masked.
public struct FileLogHandler: LogHandler {
    final class Sink: Sendable {
        /// One line written at a time, from whichever thread logs.
        private let handle: Mutex<FileHandle?>

        init(path: String) {
            let directory = (path as NSString).deletingLastPathComponent
            try? FileSafety.ensureDirectory(directory)
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            let opened = FileHandle(forWritingAtPath: path)
            _ = try? opened?.seekToEnd()
            handle = Mutex(opened)
        }

        func write(_ line: String) {
            // The throwing write: a full disk or a file-size limit loses the line, not the process
            // (the old `write(_:)` traps on any error).
            handle.withLock { handle in _ = try? handle?.write(contentsOf: Data(line.utf8)) }
        }
    }

    private let sink: Sink
    private let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Timestamp.format(Date())) \(event.level) \(label): \(event.message)\(extra)"
        sink.write(PrimaryLocation.maskAll(TextSafety.sanitize(line)) + "\n")
    }

    /// Sends every logger of this process to `path`. Call once, before the first log.
    public static func bootstrap(path: String, level: Logger.Level = .info) {
        let sink = Sink(path: path)
        LoggingSystem.bootstrap { label in
            var handler = FileLogHandler(label: label, sink: sink)
            handler.logLevel = level
            return handler
        }
    }
}

extension PrimaryLocation {
    /// Masks the password of every URL in `text` (`scheme://user:secret@host` → `user:***@host`).
    public static func maskAll(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "://") {
            let schemeStart = rest[..<range.lowerBound].lastIndex(where: { !($0.isLetter || $0 == "+" || $0 == "-" || $0 == ".") })
                .map { rest.index(after: $0) } ?? rest.startIndex
            out += rest[..<schemeStart]
            let tokenEnd = rest[range.upperBound...].firstIndex(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" }) ?? rest.endIndex
            out += mask(String(rest[schemeStart..<tokenEnd]))
            rest = rest[tokenEnd...]
        }
        return out + rest
    }
}
