import CPostern
import Foundation
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// `posternctl passwd USER`: makes a crypt(3) line for the `local` server group's users file.
enum PasswdCommand {
    static func run(_ arguments: [String]) -> Int32 {
        var rest = arguments
        var user: String?
        var policy: String?
        var file: String?
        var prefix = "$y$"
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            switch argument {
            case "--policy", "--file", "--scheme":
                guard !rest.isEmpty else { return usageError("\(argument) needs a value") }
                let value = rest.removeFirst()
                if argument == "--policy" { policy = value }
                if argument == "--file" { file = value }
                if argument == "--scheme" {
                    switch value {
                    case "yescrypt": prefix = "$y$"
                    case "sha512", "sha512-crypt": prefix = "$6$"
                    default: return usageError("--scheme is yescrypt or sha512")
                    }
                }
            default:
                guard user == nil, !argument.hasPrefix("-") else { return usageError("unexpected \(argument)") }
                user = argument
            }
        }
        guard let user, !user.isEmpty else { return usageError("passwd needs a user name") }
        guard !user.contains(":"), !user.contains("\n"), !(policy ?? "").contains(":") else {
            return usageError("user and policy names may not contain ':' or a newline")
        }
        guard var password = readPassword() else { return 2 }
        defer { password.withUTF8 { postern_explicit_bzero(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) } }
        var out = [CChar](repeating: 0, count: 512)
        guard postern_crypt_hash(password, prefix, &out, out.count) == 0 else {
            Console.error("posternctl: crypt(3) could not hash with \(prefix): " + String(cString: strerror(errno)) + "\n")
            return 2
        }
        let line = UsersFile.line(name: user, hash: String(nulTerminated: out), groupPolicy: policy)
        guard let file else {
            print(line)
            return 0
        }
        return update(file: file, user: user, line: line)
    }

    /// Replaces the user's line or appends one, writing a new file and renaming it into place.
    private static func update(file: String, user: String, line: String) -> Int32 {
        var lines: [String] = []
        if let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) {
            lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
        }
        var replaced = false
        for i in lines.indices where lines[i].split(separator: ":", maxSplits: 1).first.map(String.init) == user {
            lines[i] = line
            replaced = true
        }
        if !replaced { lines.append(line) }
        let temporary = file + ".posternctl-new"
        var info = stat()
        let mode: mode_t = stat(file, &info) == 0 ? info.st_mode & 0o7777 : 0o640
        // Created afresh, never opened through a link or over a file someone left there (the
        // directory may be writable by others than root, and this runs as root).
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let hint = errno == EEXIST ? " (left by an interrupted run? remove it if no other posternctl is writing)" : ""
            Console.error("posternctl: cannot create \(temporary): \(reason)\(hint)\n")
            return 2
        }
        if stat(file, &info) == 0 { _ = fchown(fd, info.st_uid, info.st_gid) }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, file) == 0 else {
            Console.error("posternctl: cannot update \(file): " + String(cString: strerror(errno)) + "\n")
            unlink(temporary)
            return 2
        }
        print("\(replaced ? "updated" : "added") \(user) in \(file)")
        return 0
    }

    private static func readPassword() -> String? {
        let interactive = isatty(0) == 1
        func read(prompt: String) -> String? {
            if interactive {
                guard let p = getpass(prompt) else { return nil }
                return String(cString: p)
            }
            return readLine(strippingNewline: true)
        }
        guard let first = read(prompt: "Password: "), !first.isEmpty else {
            Console.error("posternctl: no password given\n")
            return nil
        }
        if interactive {
            guard let second = read(prompt: "Again: "), second == first else {
                Console.error("posternctl: the passwords differ\n")
                return nil
            }
        }
        return first
    }

    private static func usageError(_ message: String) -> Int32 {
        Console.error("posternctl: \(message)\n\(usage)\n")
        return 1
    }
}
