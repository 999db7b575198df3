import Foundation

/// File-system rules for everything Tally creates: directories 0700, files 0600.
public enum FileSafety {
    /// Creates `directory` (and parents) with mode 0700 when missing.
    public static func ensureDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { throw TallyError.io("\(directory) exists and is not a directory.") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw TallyError.io("Could not create \(directory): \(error.localizedDescription)")
        }
    }

    /// Writes `text` to `path` with mode 0600 (replacing the file).
    public static func writePrivate(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw TallyError.io("Could not write \(path).")
        }
        chmod(path, 0o600)
    }

    /// Replaces the file at `path` whole with `text`, mode 0600: a new file of this process's own
    /// (never one a symlink points to), renamed over the old one (rename replaces a symlink
    /// itself, never what it points to). A reader sees the old text or the new, never part of
    /// either. Returns false when it could not (a directory Tally may not write).
    @discardableResult
    public static func replacePrivately(_ path: String, with text: String) -> Bool {
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// Sets mode 0600 on `path` and its SQLite companions when they exist and are ours to change.
    public static func restrictDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let file = path + suffix
            if FileManager.default.fileExists(atPath: file) { chmod(file, 0o600) }
        }
    }

    /// Throws unless `path` (followed through symlinks) is a regular file: SQLite makes its
    /// `-journal`, `-wal` and `-shm` beside whatever it opens, so a cache or primary path naming a
    /// device, a pipe or a directory would put files in `/dev` or beside them, and moving it aside
    /// (a repair) would move the device. A missing file passes (the caller decides).
    public static func requireRegularFile(_ path: String, role: String = "cache") throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: kind = "a directory"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFIFO: kind = "a pipe"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw TallyError.io("\(path) is \(kind), not a file; point --\(role) at a \(role == "cache" ? "WorkOS cache file" : "database file").")
    }

    /// Expands a leading `~` to the home directory.
    public static func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + String(path.dropFirst(1)) }
        return path
    }

    /// `$HOME`, read alone: Foundation's `environment` copies every variable into a dictionary.
    public static var home: String {
        getenv("HOME").map { String(cString: $0) } ?? NSHomeDirectory()
    }

    /// True when the first 16 bytes of `path` are SQLite's magic header (or the file is empty).
    ///
    /// Only before SQLite opens `path` in this process: closing any descriptor of a file
    /// releases all of the process's POSIX locks on it, SQLite's included.
    public static func looksLikeSQLite(_ path: String) -> Bool {
        // A pipe would block the read until a writer came; a device or directory holds no database.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG { return false }
        // The header's bytes compared as bytes: `Data` from a string's UTF-8 was a scan of the
        // runtime's conformances at every start (docs/ARCHITECTURE.md, "Start-up").
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count <= 0 { return true }
        return count == 16 && header.elementsEqual("SQLite format 3\0".utf8)
    }
}
