import Foundation
import NIOSSL
import PostgresNIO

/// TLS to PostgreSQL as libpq reads `sslmode` and `sslrootcert`, for servers with a certificate
/// of their own CA as well as for hosted ones (Neon) with a public one.
///
/// | sslmode        | encrypts          | checks the certificate                              |
/// |----------------|-------------------|-----------------------------------------------------|
/// | disable, allow | no                | —                                                   |
/// | prefer         | when the server can | no                                                |
/// | require        | yes               | no; with `sslrootcert`, as verify-ca (libpq does so)  |
/// | verify-ca      | yes               | signed by `sslrootcert` (default: the system's CAs) |
/// | verify-full    | yes               | that, and issued for the host in the URL            |
///
/// `sslrootcert=system` names the system's CAs explicitly.
enum PostgresTLS {
    /// The connection's TLS setting for `url`. Throws `TallyError.badPrimaryURL` when the
    /// `sslrootcert` file is missing or holds no certificate.
    static func configuration(for url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
        let mode = effectiveMode(url)
        switch mode {
        case .disable, .allow:
            return .disable
        case .prefer, .require, .verifyCA, .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            switch mode {
            case .verifyFull: tls.certificateVerification = .fullVerification
            case .verifyCA: tls.certificateVerification = .noHostnameVerification
            default: tls.certificateVerification = .none
            }
            if mode == .verifyCA || mode == .verifyFull, let root = url.sslRootCert, root != "system" {
                tls.trustRoots = .certificates(try certificates(at: root, url: url))
            }
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: tls)
            } catch {
                throw TallyError.badPrimaryURL(url.description, reason: "its TLS settings are not usable (\(error))")
            }
            return mode == .prefer ? .prefer(context) : .require(context)
        }
    }

    /// The mode that applies: `require` with an `sslrootcert` checks the CA, as in libpq.
    static func effectiveMode(_ url: PostgresURL) -> PostgresURL.TLSMode {
        if url.tls == .require, let root = url.sslRootCert, !root.isEmpty { return .verifyCA }
        return url.tls
    }

    static func certificates(at path: String, url: PostgresURL) throws -> [NIOSSLCertificate] {
        let expanded = FileSafety.expand(path)
        guard FileManager.default.isReadableFile(atPath: expanded) else {
            throw TallyError.badPrimaryURL(url.description, reason: "sslrootcert \(path) does not exist or cannot be read")
        }
        let certificates = (try? NIOSSLCertificate.fromPEMFile(expanded)) ?? []
        guard !certificates.isEmpty else {
            throw TallyError.badPrimaryURL(url.description, reason: "sslrootcert \(path) holds no PEM certificate")
        }
        return certificates
    }
}

/// A TLS handshake that failed because of the server's certificate (or its lack of TLS), found
/// anywhere in the error chain postgres-nio reports. Not retried: the next try meets the same
/// certificate.
struct TLSFailure {
    enum Kind {
        /// The chain does not lead to a trusted CA.
        case untrusted
        /// Signed by a trusted CA, but for another host name (verify-full).
        case wrongHost
        /// Some other handshake failure (protocol versions, ciphers).
        case handshake(String)
    }

    let kind: Kind

    /// Nil when `error` is not a TLS handshake failure.
    init?(_ error: any Error) {
        var current: (any Error)? = error
        var seen = 0
        while let error = current, seen < 8 {
            seen += 1
            if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
                kind = .wrongHost
                return
            }
            if let ssl = error as? NIOSSLError, case .handshakeFailed(let boring) = ssl {
                let text = String(describing: boring)
                kind = text.contains("CERTIFICATE_VERIFY_FAILED") ? .untrusted : .handshake(Self.firstReason(text))
                return
            }
            if let psql = error as? PSQLError {
                current = psql.underlying
            } else if let connect = error as? NIOConnectionError {
                current = connect.connectionErrors.first?.error
            } else {
                current = nil
            }
        }
        return nil
    }

    var type: SyncFailure.ErrorType {
        if case .handshake = kind { return .network }
        return .auth
    }

    /// The reason in parentheses, saying what to change.
    func reason(for url: PostgresURL) -> String {
        switch kind {
        case .untrusted:
            if let root = url.sslRootCert, root != "system" {
                return "it is not signed by the certificate authority in \(root)"
            }
            return "it is not signed by a certificate authority this system trusts; name the one that signed it with sslrootcert=PATH"
        case .wrongHost:
            return "it was not issued for \(url.host); sslmode=verify-ca checks only who signed it"
        case .handshake(let text):
            return "the TLS handshake failed: \(text)"
        }
    }

    func message(server: String, url: PostgresURL) -> String {
        if case .handshake = kind { return "Cannot reach \(server): \(reason(for: url))." }
        return "The server's certificate for \(server) is not trusted (\(reason(for: url)))."
    }

    /// `CERTIFICATE_VERIFY_FAILED`-like words from a BoringSSL error stack's description.
    static func firstReason(_ text: String) -> String {
        let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
        return words.first { $0.count > 6 && $0.uppercased() == $0 && $0.contains("_") }.map(String.init) ?? "unknown reason"
    }
}
