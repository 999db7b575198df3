import Foundation

/// Where the authoritative data lives, parsed from `--primary`, `TALLY_PRIMARY`, config or
/// `DATABASE_URL`. Its `description` masks the password, so it is safe to show and log.
public enum PrimaryLocation: Equatable, Sendable, CustomStringConvertible {
    case postgres(PostgresURL)
    case sqlite(path: String)

    /// Parses a primary URL; the error names the URL with its password masked.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = PrimaryLocation.mask(trimmed)
        guard let colon = trimmed.range(of: "://") else {
            // Without a scheme there is no telling a password from a host: show none of it.
            throw TallyError.badPrimaryURL("(\(trimmed.count) characters, no scheme)",
                                           reason: "expected a URL such as postgres://user@host:5432/db or sqlite:///absolute/path.db")
        }
        let scheme = trimmed[..<colon.lowerBound].lowercased()
        switch scheme {
        case "postgres", "postgresql":
            self = .postgres(try PostgresURL(parsing: trimmed, shown: shown))
        case "sqlite", "file":
            let rest = String(trimmed[colon.upperBound...])
            let path = rest.removingPercentEncoding ?? rest
            guard path.hasPrefix("/") else {
                throw TallyError.badPrimaryURL(shown, reason: "a sqlite URL needs an absolute path: sqlite:///path/to/primary.db")
            }
            guard path.count > 1, !path.hasSuffix("/") else {
                throw TallyError.badPrimaryURL(shown, reason: "the path names a directory, not a database file")
            }
            self = .sqlite(path: path)
        default:
            throw TallyError.badPrimaryURL(shown, reason: "unknown scheme \"\(scheme)\" (use postgres:// or sqlite://)")
        }
    }

    public var description: String {
        switch self {
        case .postgres(let url): return url.description
        case .sqlite(let path): return "sqlite://\(path)"
        }
    }

    /// Replaces the password in anything URL-shaped with `***` (see `SecretMask`).
    public static func mask(_ text: String) -> String {
        SecretMask.apply(text)
    }
}

/// A parsed `postgres://user:pass@host:port/db?sslmode=require` URL (`sslrootcert=PATH` names
/// the CA that signed the server's certificate; see `PostgresTLS`).
public struct PostgresURL: Equatable, Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require, verifyFull = "verify-full", verifyCA = "verify-ca", allow }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// `sslrootcert`: a PEM file of the CA certificates to trust, or `system`.
    public var sslRootCert: String?

    init(parsing text: String, shown: String) throws {
        // Before `URLComponents`, which rejects the whole URL when only the port is wrong.
        var port = 5432
        if let (portText, ambiguous) = Self.portText(text) {
            guard portText.allSatisfy(\.isASCII), let number = Int(portText), (1...65535).contains(number) else {
                let quoted = portText.count > 24 ? String(portText.prefix(24)) + "…" : portText
                throw TallyError.badPrimaryURL(shown, reason: ambiguous
                    ? "the port is not a number from 1 to 65535, or the password holds a '/', '?' or '#' "
                        + "that must be percent-encoded (%2F, %3F, %23)"
                    : portText.isEmpty
                    ? "the port after the host's ':' is empty (leave out the ':' for the default, 5432)"
                    : "the port \(quoted.debugDescription) is not a number from 1 to 65535")
            }
            port = number
        }
        guard let components = URLComponents(string: text) else {
            throw TallyError.badPrimaryURL(shown, reason: "it is not a well-formed URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw TallyError.badPrimaryURL(shown, reason: "no host")
        }
        self.port = port
        self.host = host
        self.user = components.percentEncodedUser?.removingPercentEncoding
            ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        let db = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = db.isEmpty ? self.user : db
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw TallyError.badPrimaryURL(shown, reason: "sslmode must be disable, prefer, require, verify-ca or verify-full")
            }
            tls = mode
        }
        self.tls = tls
        for item in components.queryItems ?? [] where item.name == "sslrootcert" {
            guard let value = item.value, !value.isEmpty else {
                throw TallyError.badPrimaryURL(shown, reason: "sslrootcert needs a file: sslrootcert=/path/to/ca.pem (or system)")
            }
            sslRootCert = value
        }
    }

    /// The port text as written, read by hand because `URLComponents` drops a malformed one.
    /// `ambiguous` when no `@` comes before the first `/`, `?` or `#` but one comes later: the
    /// password may hold one of those unencoded, so the "port" may be part of the password,
    /// which is never shown.
    static func portText(_ text: String) -> (text: String, ambiguous: Bool)? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        var authority = text[schemeEnd.upperBound...]
        var ambiguous = false
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            ambiguous = !authority[..<slash].contains("@") && authority[slash...].contains("@")
            authority = authority[..<slash]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            authority = authority[authority.index(after: close)...]
        }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return (String(authority[authority.index(after: colon)...]), ambiguous)
    }

    public var description: String {
        let credentials = password == nil ? "\(user)@" : "\(user):***@"
        var items: [String] = []
        if tls != .prefer { items.append("sslmode=\(tls.rawValue)") }
        if let sslRootCert { items.append("sslrootcert=\(sslRootCert)") }
        let query = items.isEmpty ? "" : "?" + items.joined(separator: "&")
        return "postgres://\(credentials)\(host):\(port)/\(database)\(query)"
    }
}
