import CPostern
import Foundation
import PosternCore
import PosternCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The `local` server group's users file, read again whenever it changes on disk, and checked
/// with the system's crypt(3).
final class LocalUserStore: @unchecked Sendable {
    enum Verdict: Sendable {
        case accepted(groupPolicy: String?)
        case rejected(reason: String)
        case unavailable(reason: String)
    }

    /// What tells one version of the file from the next: a rewrite in place changes the
    /// times, a replacement by rename the inode, even when a new hash keeps the size.
    private struct FileIdentity: Equatable {
        var device: UInt
        var inode: UInt
        var size: Int
        var modified: (Int, Int)
        var changed: (Int, Int)

        init(_ info: stat) {
            device = UInt(info.st_dev)
            inode = UInt(info.st_ino)
            size = Int(info.st_size)
            modified = (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
            changed = (info.st_ctim.tv_sec, info.st_ctim.tv_nsec)
        }

        static func == (a: Self, b: Self) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size && a.modified == b.modified
                && a.changed == b.changed
        }
    }

    private struct Cached {
        var identity: FileIdentity
        var file: UsersFile
    }

    private let lock = Lock()
    private var cache: [String: Cached] = [:]
    /// Successful checks, by a keyed digest of (file, user, password); emptied when a users
    /// file changes.
    private var verified = VerifiedCredentialCache(lifetime: .seconds(600), capacity: 50_000)
    /// Bumped, under `lock`, whenever a users file is read anew: a check that began on an older
    /// version is not remembered (its crypt(3) may have used a hash that is gone).
    private var generation: UInt64 = 0
    /// The digest's key: this process's own, never stored or sent.
    private let digestKey: [UInt8] = {
        var key = [UInt8](repeating: 0, count: 32)
        precondition(postern_random_bytes(&key, key.count) == 0, "no random bytes for the credential cache key")
        return key
    }()
    private let origin = ContinuousClock.now

    /// Verified against when the user does not exist and the file has no entry whose hash could
    /// stand in (`UsersFile.decoyHash`), so that an unknown name still costs a crypt(3).
    private let fallbackDecoyHash: String = {
        var out = [CChar](repeating: 0, count: 256)
        return postern_crypt_hash("postern-decoy", "$y$", &out, out.count) == 0 ? String(nulTerminated: out) : "$y$"
    }()

    /// Runs crypt(3), which is slow on purpose: call it off any event loop, after
    /// `rememberedSuccess` found nothing. A success is remembered for the next login.
    func verify(user: String, password: String, file path: String) -> Verdict {
        let users: UsersFile
        let version: UInt64
        switch load(path) {
        case .success(let loaded, let loadedVersion): (users, version) = (loaded, loadedVersion)
        case .failure(let reason): return .unavailable(reason: reason)
        }
        guard let entry = users[user] else {
            // As long as a known user's check: the file's own scheme and cost (its first entry's
            // hash); the outcome is ignored.
            _ = postern_crypt_verify(password, users.decoyHash ?? fallbackDecoyHash)
            return .rejected(reason: "unknown user")
        }
        switch postern_crypt_verify(password, entry.hash) {
        case 1:
            if let key = digest(file: path, user: user, password: password) {
                let now = ContinuousClock.now - origin
                lock.withLock {
                    if generation == version { verified.remember(key, groupPolicy: entry.groupPolicy, now: now) }
                }
            }
            return .accepted(groupPolicy: entry.groupPolicy)
        case 0: return .rejected(reason: "wrong password")
        default: return .unavailable(reason: "the hash of user \(user) in \(path) is not usable by crypt(3)")
        }
    }

    /// A success remembered for this password, found without crypt(3) and without reading the
    /// file (one stat(2)): cheap enough for authd's state queue. Nil when the file changed since
    /// it was read or the password was not verified lately; `verify` then decides.
    func rememberedSuccess(user: String, password: String, file path: String) -> Verdict? {
        var info = stat()
        guard stat(path, &info) == 0, let (users, _) = cached(path, FileIdentity(info)), users[user] != nil,
              let key = digest(file: path, user: user, password: password) else { return nil }
        let now = ContinuousClock.now - origin
        return lock.withLock { verified.lookUp(key, now: now) }.map { .accepted(groupPolicy: $0.groupPolicy) }
    }

    /// Authorization through a `local` group: whether the file knows the user, and its policy
    /// column. No password is checked.
    func lookUp(user: String, file path: String) -> Verdict {
        switch load(path) {
        case .success(let users, _):
            guard let entry = users[user] else { return .rejected(reason: "unknown user") }
            return .accepted(groupPolicy: entry.groupPolicy)
        case .failure(let reason):
            return .unavailable(reason: reason)
        }
    }

    /// The file and the generation it was read in.
    private enum Loaded { case success(UsersFile, UInt64), failure(String) }

    private func load(_ path: String) -> Loaded {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure("cannot read users file \(path): " + String(cString: strerror(errno)))
        }
        let identity = FileIdentity(info)
        if let (file, version) = cached(path, identity) {
            return .success(file, version)
        }
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: Self.usersFileLimit)
        } catch {
            switch error {
            case .unreadable(let reason): return .failure("cannot read users file \(path): \(reason)")
            case .tooLarge: return .failure("users file \(path) is larger than \(Self.usersFileLimit >> 20) MiB")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure("users file \(path) is not UTF-8")
        }
        do {
            let file = try UsersFile(parsing: text)
            let version = lock.withLock { () -> UInt64 in
                cache[path] = Cached(identity: identity, file: file)
                // A changed file may have changed a password or removed a user.
                verified.removeAll()
                generation &+= 1
                return generation
            }
            return .success(file, version)
        } catch {
            return .failure("users file \(path): \(error)")
        }
    }

    /// The most authd reads of a users file: some 100,000 users with yescrypt hashes and long
    /// names; a bound on what a wrong path (a log, a device) costs.
    static let usersFileLimit = 16 << 20

    /// The file as last read and the generation it was read in, if `identity` (what is on disk
    /// now) is still that version.
    private func cached(_ path: String, _ identity: FileIdentity) -> (UsersFile, UInt64)? {
        lock.withLock {
            guard let cached = cache[path], cached.identity == identity else { return nil }
            return (cached.file, generation)
        }
    }

    /// HMAC-SHA-256 of file, user and password under this process's key; nil if OpenSSL fails
    /// (then nothing is remembered).
    private func digest(file: String, user: String, password: String) -> [UInt8]? {
        var input = Array(file.utf8)
        input.append(0)
        input += user.utf8
        input.append(0)
        input += password.utf8
        defer { input.withUnsafeMutableBytes { if let base = $0.baseAddress { _ = memset(base, 0, $0.count) } } }
        return Crypto.hmac(.sha256, key: digestKey, input)
    }
}
