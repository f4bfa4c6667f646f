import CLDAP
import Dispatch
import PosternConfig
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Why an LDAP exchange with one server failed, worded for the administrator.
enum LDAPFailure: Error, CustomStringConvertible {
    /// No answer, no connection or no TLS: worth a retry, then the next server.
    case unreachable(server: String, detail: String)
    /// The server answered with an error (the service account refused, a bad base DN or
    /// filter): asking again or elsewhere would not help.
    case refused(server: String, detail: String)

    var description: String {
        switch self {
        case let .unreachable(server, detail): "LDAP server \(server) unreachable: \(detail)"
        case let .refused(server, detail): "LDAP server \(server) refused: \(detail)"
        }
    }
}

/// One connection to one LDAP server through the system's libldap, TLS-verified (ldaps:// or
/// StartTLS, the server's certificate checked against `ca-file` and its name). Its calls block,
/// so authd makes them on its worker threads only; all of them together are bounded by the
/// group's `timeout`, past which the socket is shut down and the call in progress fails.
final class LDAPConnection: @unchecked Sendable {
    struct Entry {
        var dn: String
        var attributes: [String: [String]]
    }

    /// libldap's handle; owned, unbound in deinit.
    private let handle: OpaquePointer
    private let name: String
    private let watch: UnsafeMutablePointer<postern_ldap_watch>
    private let deadlineLock = Lock()
    /// False once deinit began: the deadline then has nothing to cut.
    private var open = true
    private var installed = false
    private let timeoutText: String

    /// Where deadlines fire: not the pool whose threads wait in libldap.
    private static let deadlines = DispatchQueue(label: "postern.authd.ldap-deadlines")

    /// The CAs when the group names none: Debian's bundle.
    static let systemCAFile = "/etc/ssl/certs/ca-certificates.crt"

    init(server: LDAPServer, timeout: Duration) throws(LDAPFailure) {
        name = server.url
        timeoutText = "\(timeout)"
        var created: OpaquePointer?
        let status = ldap_initialize(&created, server.url)
        guard status == LDAP_SUCCESS, let created else {
            throw .refused(server: server.url, detail: "cannot use the URL: " + Self.message(status))
        }
        handle = created
        watch = .allocate(capacity: 1)
        watch.initialize(to: postern_ldap_watch())
        var version = LDAP_VERSION3
        var demand = LDAP_OPT_X_TLS_DEMAND
        var minimum: Int32 = (3 << 8) + 3  // TLS 1.2
        var noNewContext: Int32 = 0
        let milliseconds = max(1, Int(timeout / .milliseconds(1)))
        var limit = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        let options: [(String, Int32)] = [
            ("protocol version", ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version)),
            ("referrals", postern_ldap_referrals_off(handle)),
            ("network timeout", ldap_set_option(handle, LDAP_OPT_NETWORK_TIMEOUT, &limit)),
            ("timeout", ldap_set_option(handle, LDAP_OPT_TIMEOUT, &limit)),
            ("certificate check", ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)),
            ("CA file", ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, server.caFile ?? Self.systemCAFile)),
            ("TLS version", ldap_set_option(handle, LDAP_OPT_X_TLS_PROTOCOL_MIN, &minimum)),
            ("TLS context", ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &noNewContext)),
            ("connection watch", installWatch()),
        ]
        for (option, result) in options where result != LDAP_OPT_SUCCESS {
            throw .refused(server: server.url, detail: "cannot set the \(option) option: " + Self.message(result))
        }
        Self.deadlines.asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [weak self] in
            self?.expire()
        }
        if server.startTLS {
            let result = ldap_start_tls_s(handle, nil, nil)
            guard result == LDAP_SUCCESS else { throw failure(result, doing: "StartTLS") }
        }
    }

    deinit {
        deadlineLock.withLock { open = false }
        ldap_unbind_ext_s(handle, nil, nil)
        if installed { postern_ldap_watch_destroy(watch) }
        watch.deinitialize(count: 1)
        watch.deallocate()
    }

    private func installWatch() -> Int32 {
        let result = postern_ldap_watch_install(handle, watch)
        installed = true
        return result
    }

    private func expire() {
        deadlineLock.withLock {
            guard open, installed else { return }
            postern_ldap_watch_expire(watch)
        }
    }

    /// A simple bind: true when accepted, false for wrong credentials (49).
    func bind(dn: String, password: [UInt8]) throws(LDAPFailure) -> Bool {
        let result = password.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                dn.withCString { postern_ldap_simple_bind(handle, $0, chars.baseAddress, chars.count) }
            }
        }
        if result == LDAP_SUCCESS { return true }
        if result == LDAP_INVALID_CREDENTIALS { return false }
        throw failure(result, doing: "bind as \(dn)")
    }

    /// Entries under `base` matching `filter`, at most `limit`, with `attributes`' values.
    func search(base: String, filter: String, attributes: [String], limit: Int32) throws(LDAPFailure) -> [Entry] {
        var names: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { for name in names { free(name) } }
        var result: OpaquePointer?
        let status = ldap_search_ext_s(handle, base, postern_ldap_scope_subtree(), filter, &names, 0, nil, nil,
                                       nil, limit, &result)
        defer { if let result { ldap_msgfree(result) } }
        // A size limit reached still returns the entries found: enough to see "more than one".
        guard status == LDAP_SUCCESS || status == LDAP_SIZELIMIT_EXCEEDED else {
            throw failure(status, doing: "search under \(base)")
        }
        var entries: [Entry] = []
        var entry = ldap_first_entry(handle, result)
        while let current = entry {
            var dn = ""
            if let raw = ldap_get_dn(handle, current) {
                dn = String(cString: raw)
                ldap_memfree(raw)
            }
            var values: [String: [String]] = [:]
            for attribute in attributes {
                guard let list = ldap_get_values_len(handle, current, attribute) else { continue }
                var index = 0
                while let value = list[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    values[attribute, default: []].append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                ldap_value_free_len(list)
            }
            entries.append(Entry(dn: dn, attributes: values))
            entry = ldap_next_entry(handle, current)
        }
        return entries
    }

    private func failure(_ status: Int32, doing what: String) -> LDAPFailure {
        // Only a socket the deadline actually cut makes this "time up"; an answer that came
        // in before keeps its own meaning.
        if installed, postern_ldap_watch_was_cut(watch) != 0 {
            return .unreachable(server: name, detail: "no answer within \(timeoutText) (\(what))")
        }
        var detail = what + ": " + Self.message(status)
        var diagnostic: UnsafeMutablePointer<CChar>?
        if ldap_get_option(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS, let diagnostic {
            let text = String(cString: diagnostic)
            ldap_memfree(diagnostic)
            if !text.isEmpty { detail += " (\(text))" }
        }
        if status == LDAP_CONNECT_ERROR {
            detail += "; the TLS handshake failed: is ca-file the CA of the server's certificate, and its name the URL's host?"
        }
        switch status {
        case LDAP_SERVER_DOWN, LDAP_TIMEOUT, LDAP_CONNECT_ERROR, LDAP_UNAVAILABLE, LDAP_BUSY:
            return .unreachable(server: name, detail: detail)
        default:
            return .refused(server: name, detail: detail)
        }
    }

    private static func message(_ status: Int32) -> String {
        String(cString: ldap_err2string(status))
    }
}
