import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// TLS to a PostgreSQL server with a certificate of its own CA, made here with the openssl CLI:
/// a second cluster (scripts/pg.sh with its own TALLY_PG_DIR) with `ssl = on`.
final class PostgresTLSTests: XCTestCase {
    /// A cluster whose certificate is for `localhost`, signed by `ca`; `other` signed nothing.
    struct TLSCluster {
        let url: String
        let ca: String
        let other: String
    }

    func startCluster(in dir: TempDirectory) throws -> TLSCluster {
        _ = try PostgresServer.require()
        guard let script = ProcessInfo.processInfo.environment["TALLY_TEST_PG_SCRIPT"], shell("command -v openssl").status == 0 else {
            if Repository.isCI { XCTFail("scripts/pg.sh and openssl are needed under CI=true") }
            throw XCTSkip("needs scripts/pg.sh (TALLY_TEST_PG_SCRIPT) and openssl")
        }
        let certs = dir.file("certs")
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        let made = shell("""
            cd '\(certs)' && \
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=Tally Test CA' && \
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 -subj '/CN=Some Other CA' && \
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' && \
            printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > server.ext && \
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
            """)
        XCTAssertEqual(made.status, 0, made.output)
        // A directory of its own under /tmp: the server runs as `postgres` when the tests run as
        // root, and may not enter the test's 0700 directory.
        let pgDirectory = TempDirectory("tally-tls-pg")
        addTeardownBlock { _ = pgDirectory }
        let cluster = pgDirectory.path
        let environment = "TALLY_PG_DIR='\(cluster)'"
        // The URL is the only line on stdout; what the tools say (on stderr) is not part of it.
        var variables = ProcessInfo.processInfo.environment
        variables["TALLY_PG_DIR"] = cluster
        let started = spawn([script, "start"], environment: variables)
        let lines = started.stdout.split(separator: "\n").map(String.init)
        guard started.status == 0, lines.count == 1, let url = lines.first, url.hasPrefix("postgres://") else {
            XCTFail("the TLS cluster did not start: \(started.stdout)\(started.stderr)")
            throw XCTSkip("no TLS cluster")
        }
        let data = cluster + "/data"
        let owner = getuid() == 0 ? "chown postgres '\(data)/server.crt' '\(data)/server.key' && " : ""
        let configured = shell("""
            cp '\(certs)/server.crt' '\(certs)/server.key' '\(data)/' && chmod 600 '\(data)/server.key' && \(owner)\
            printf "ssl = on\\nssl_cert_file = 'server.crt'\\nssl_key_file = 'server.key'\\n" >> '\(data)/postgresql.conf' && \
            \(environment) '\(script)' stop && \(environment) '\(script)' start
            """)
        XCTAssertEqual(configured.status, 0, configured.output)
        addTeardownBlock { shell("\(environment) '\(script)' destroy") }
        return TLSCluster(url: url, ca: certs + "/ca.crt", other: certs + "/other.crt")
    }

    func primary(_ url: String) throws -> PostgresPrimary {
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { throw XCTSkip("not a postgres URL") }
        return PostgresPrimary(url: parsed, timeout: 10)
    }

    /// What connecting to `url` says: nil when it works, else the failure's message.
    func connect(_ url: String) async throws -> ClassifiedFailure? {
        let store = try primary(url)
        do {
            _ = try await store.count(.clients, after: nil)
            await store.close()
            return nil
        } catch {
            await store.close()
            return FailureClassifier.classify(error, primary: store.displayName)
        }
    }

    func testTheServersOwnCertificateIsCheckedAgainstSSLRootCert() async throws {
        let dir = TempDirectory("tally-tls")
        let cluster = try startCluster(in: dir)
        let port = URLComponents(string: cluster.url)?.port ?? 0
        let setup = try primary(cluster.url + "?sslmode=require")
        try await setup.initSchema(push: false)
        await setup.close()
        let localhost = cluster.url.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")

        // Signed by the CA named: verify-ca; and verify-full for the name it was issued for.
        let trusted = try await connect(cluster.url + "?sslmode=verify-ca&sslrootcert=\(cluster.ca)")
        XCTAssertNil(trusted, trusted?.message ?? "")
        let full = try await connect(localhost + "?sslmode=verify-full&sslrootcert=\(cluster.ca)")
        XCTAssertNil(full, full?.message ?? "")
        // require checks nothing, unless it names a root certificate (as libpq does).
        let unchecked = try await connect(cluster.url + "?sslmode=require")
        XCTAssertNil(unchecked, unchecked?.message ?? "")

        let server = "PostgreSQL at 127.0.0.1:\(port)"
        for mode in ["verify-ca", "require"] {
            let untrusted = try await connect(cluster.url + "?sslmode=\(mode)&sslrootcert=\(cluster.other)")
            XCTAssertEqual(untrusted?.message, "The server's certificate for \(server) is not trusted "
                           + "(it is not signed by the certificate authority in \(cluster.other)).", mode)
            XCTAssertEqual(untrusted?.type, .auth, "not retried: the next try meets the same certificate")
        }
        let system = try await connect(cluster.url + "?sslmode=verify-ca")
        XCTAssertEqual(system?.message, "The server's certificate for \(server) is not trusted (it is not signed by a "
                       + "certificate authority this system trusts; name the one that signed it with sslrootcert=PATH).")
        let wrongHost = try await connect(cluster.url + "?sslmode=verify-full&sslrootcert=\(cluster.ca)")
        XCTAssertEqual(wrongHost?.message, "The server's certificate for \(server) is not trusted "
                       + "(it was not issued for 127.0.0.1; sslmode=verify-ca checks only who signed it).")
        let missing = try await connect(cluster.url + "?sslmode=verify-ca&sslrootcert=\(dir.file("none.pem"))")
        XCTAssertTrue(missing?.message.contains("sslrootcert \(dir.file("none.pem")) does not exist") ?? false, missing?.message ?? "")

        // The command line says the same, in one line.
        let synced = try Tally.run(["sync", "--cache", dir.file("cache.db"),
                                    "--primary", cluster.url + "?sslmode=verify-ca&sslrootcert=\(cluster.other)"])
        XCTAssertEqual(synced.status, 2, synced.stdout + synced.stderr)
        XCTAssertTrue(synced.stderr.hasPrefix("tally: sync failed: The server's certificate for \(server) is not trusted"), synced.stderr)
        XCTAssertFalse(synced.stderr.contains("Cannot reach") || synced.stderr.contains("tally-test-pw"), synced.stderr)
        let good = try Tally.run(["sync", "--cache", dir.file("cache.db"),
                                  "--primary", cluster.url + "?sslmode=verify-ca&sslrootcert=\(cluster.ca)"])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
    }
}
