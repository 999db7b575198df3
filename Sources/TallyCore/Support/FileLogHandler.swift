import Foundation
import Logging

/// Writes log lines to `$XDG_STATE_HOME/tally/tally.log` (ncurses owns the screen, so nothing
/// is ever logged to it). Lines pass through `PrimaryLocation.mask`, so a URL with a password
/// that slips into a message is still masked.
public struct FileLogHandler: LogHandler {
    /// The log file, appended to by every Tally process of the user (`O_APPEND`, so lines from
    /// two processes never overwrite each other), and kept to `limit` bytes: past it the file
    /// becomes `tally.log.1` (replacing the one before) and a new one is started, so the log
    /// never holds more than about twice the limit.
    final class Sink: @unchecked Sendable {
        /// Guards `descriptor`.
        private let lock = NSLock()
        private let path: String
        private let limit: Int
        private var descriptor: Int32 = -1

        static let defaultLimit = 5 << 20

        init(path: String, limit: Int = Sink.defaultLimit) {
            self.path = path
            self.limit = limit
            let directory = (path as NSString).deletingLastPathComponent
            try? FileSafety.ensureDirectory(directory)
            descriptor = Self.open(path)
            if size() > limit { rotate() }
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        static func open(_ path: String) -> Int32 {
            Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }

        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            guard descriptor >= 0 else { return }
            // A full disk or a file-size limit loses the line, not the process.
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if size() > limit { rotate() }
        }

        /// The size of the file this process writes to.
        private func size() -> Int {
            var info = stat()
            guard descriptor >= 0, fstat(descriptor, &info) == 0 else { return 0 }
            return Int(info.st_size)
        }

        /// Moves the full file aside (unless another process already did) and starts a new one.
        private func rotate() {
            var mine = stat()
            var named = stat()
            if fstat(descriptor, &mine) == 0, lstat(path, &named) == 0, mine.st_ino == named.st_ino, mine.st_dev == named.st_dev {
                rename(path, path + ".1")
            }
            close(descriptor)
            descriptor = Self.open(path)
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
    /// Masks every password in `text`, whatever the shape of the URL holding it (`SecretMask`).
    public static func maskAll(_ text: String) -> String {
        SecretMask.apply(text)
    }
}
