import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// A PostgreSQL error with the URL it concerns, classified for failure rows. Messages name the
/// host, port, user and database, never the password.
struct PostgresFailure: Error, FailureClassifying, LocalizedError {
    struct Timeout: Error { let seconds: Double }

    let error: any Error
    let url: PostgresURL

    init(error: any Error, url: PostgresURL) {
        if let already = error as? PostgresFailure { self.error = already.error } else { self.error = error }
        self.url = url
    }

    var errorDescription: String? { classified(primary: url.description).message }

    /// Whether the server said a table, column or function is not there: the schema moved.
    var meansMissingSchema: Bool {
        guard let psql = error as? PSQLError, psql.code == .server else { return false }
        return ["42P01", "42703", "42883"].contains(psql.serverInfo?[.sqlState] ?? "")
    }

    func classified(primary: String) -> ClassifiedFailure {
        var failure = classifiedWithoutCause(primary: primary)
        if failure.cause.isEmpty { failure.cause = Self.cause(error, url: url) }
        return failure
    }

    private func classifiedWithoutCause(primary: String) -> ClassifiedFailure {
        let server = "PostgreSQL at \(url.host):\(url.port)"
        let detail = PrimaryLocation.maskAll(String(reflecting: error))
            .replacingOccurrences(of: url.password ?? "\u{0}", with: "***")
        if let timeout = error as? Timeout {
            return ClassifiedFailure(type: .timeout, message: "\(server) did not answer within \(Int(timeout.seconds)) s.", detail: detail)
        }
        if let tally = error as? TallyError { return FailureClassifier.classify(tally, primary: primary) }
        // A write's own refusal (an older WorkOS lacking a table) says what it is.
        if let known = error as? any FailureClassifying { return known.classified(primary: primary) }
        if error is CancellationError {
            return ClassifiedFailure(type: .internal, message: "The request to \(server) was cancelled.", detail: detail)
        }
        if let tls = TLSFailure(error) {
            return ClassifiedFailure(type: tls.type, message: tls.message(server: server, url: url), cause: tls.reason(for: url),
                                     detail: detail)
        }
        guard let psql = error as? PSQLError else {
            return ClassifiedFailure(type: .network, message: "Cannot reach \(server): \(Self.describe(error)).", detail: detail)
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let text = psql.serverInfo?[.message] ?? "error \(state)"
            switch state {
            case "28P01", "28000":
                return ClassifiedFailure(type: .auth, message: "\(server) refused the password for user \(url.user).", detail: detail)
            case "3D000":
                return ClassifiedFailure(type: .schema, message: "\(server) has no database \(url.database).", detail: detail)
            case "42P01", "42703", "42883":
                return ClassifiedFailure(type: .schema, message: "\(server) lacks a WorkOS table or column (\(text)); for a new database run `tally primary init`.", detail: detail)
            case "53300", "53400":
                return ClassifiedFailure(type: .rateLimit, message: "\(server) has too many connections; retrying later.", detail: detail, retryAfter: 5)
            case "57014":
                return ClassifiedFailure(type: .timeout, message: "\(server) cancelled a slow query.", detail: detail)
            case "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004":
                return ClassifiedFailure(type: .network, message: "\(server) is shutting down or not accepting connections.", detail: detail)
            case "23503":
                // A delete refused by a foreign key: WorkOS records (energy feedback, brain dumps) refer to the row.
                return ClassifiedFailure(type: .conflict, message: "\(server) keeps it: other WorkOS records refer to it (\(text)).", detail: detail)
            case "40001", "40P01", "55P03":
                return ClassifiedFailure(type: .timeout, message: "\(server) aborted a transaction under contention; retrying.", detail: detail)
            default:
                return ClassifiedFailure(type: .internal, message: "\(server) reported: \(text).", detail: detail)
            }
        case .sslUnsupported:
            return ClassifiedFailure(type: .network, message: "\(server) does not offer TLS, but sslmode=\(url.tls.rawValue) requires it.", detail: detail)
        case .authMechanismRequiresPassword:
            return ClassifiedFailure(type: .auth, message: "\(server) wants a password for user \(url.user); put one in the URL.", detail: detail)
        case .unsupportedAuthMechanism, .saslError:
            return ClassifiedFailure(type: .auth, message: "\(server) refused the password for user \(url.user).", detail: detail)
        case .queryCancelled:
            return ClassifiedFailure(type: .timeout, message: "A query to \(server) was cancelled.", detail: detail)
        default:
            let reason = psql.underlying.map(Self.describe) ?? "the connection was lost"
            return ClassifiedFailure(type: .network, message: "Cannot reach \(server): \(reason).", detail: detail)
        }
    }

    /// The error behind a failure in a few words, for the failures view: the server's own
    /// message and SQLSTATE, or what the network said and where (`connection refused by
    /// db:5432`), never a type's dump. (NIO's text for a refused connection starts "connection
    /// reset"; the errno is what counts.)
    static func cause(_ error: any Error, url: PostgresURL) -> String {
        let place = "\(url.host):\(url.port)"
        if let failure = error as? PostgresFailure { return cause(failure.error, url: url) }
        if let timeout = error as? Timeout { return "no answer from \(place) within \(Int(timeout.seconds)) s" }
        if let tls = TLSFailure(error) { return tls.reason(for: url) }
        if let psql = error as? PSQLError {
            if psql.code == .server {
                let message = psql.serverInfo?[.message] ?? "an error"
                let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "the server said: \(message)\(state)"
            }
            if let underlying = psql.underlying { return cause(underlying, url: url) }
            switch psql.code {
            case .serverClosedConnection, .uncleanShutdown: return "\(place) closed the connection"
            case .clientClosedConnection: return "the connection was closed while in use"
            case .queryCancelled: return "the query was cancelled"
            case .sslUnsupported: return "\(place) does not offer TLS"
            default: return "postgres-nio reported \(psql.code)"
            }
        }
        if let io = error as? IOError {
            let name = errnoNames[io.errnoCode].map { ", \($0)" } ?? ""
            return "\(describe(io)) (errno \(io.errnoCode)\(name)) at \(place)"
        }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return cause(first.error, url: url) }
            if connect.dnsAError != nil || connect.dnsAAAAError != nil { return "\(url.host) does not resolve to an address" }
            return "no connection to \(place)"
        }
        if case ChannelError.connectTimeout = error { return "no connection to \(place) in time" }
        return describe(error)
    }

    static let errnoNames: [Int32: String] = [
        ECONNREFUSED: "ECONNREFUSED", ECONNRESET: "ECONNRESET", ETIMEDOUT: "ETIMEDOUT", EHOSTUNREACH: "EHOSTUNREACH",
        ENETUNREACH: "ENETUNREACH", EPIPE: "EPIPE", ECONNABORTED: "ECONNABORTED",
    ]

    /// A short reason for a network error.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by the server"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return String(cString: strerror(io.errnoCode)).lowercased()
            }
        }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return describe(first.error) }
            if connect.dnsAAAAError != nil || connect.dnsAError != nil { return "the host name does not resolve" }
            return "connection failed"
        }
        if case ChannelError.connectTimeout = error { return "connection timed out" }
        if let channel = error as? ChannelError { return "\(channel)" }
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "connection timed out" }
        if text.lowercased().contains("refused") { return "connection refused" }
        if text.contains("lookup") || text.contains("resolve") { return "the host name does not resolve" }
        return "the connection failed"
    }
}
