import Foundation
import PosternCore

/// `posternctl status | sessions | kill SESSION | reload`, as tables for people or `--json`.
enum AdminCommands {
    static func run(_ command: AdminRequest.Command, session: String?, socketPath: String, json: Bool) -> Int32 {
        let response: AdminResponse
        do {
            response = try AdminClient.send(AdminRequest(command: command, session: session), socketPath: socketPath)
        } catch {
            Console.error("posternctl: \(error)")
            return 2
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(response), let text = String(data: data, encoding: .utf8) { print(text) }
            return response.ok ? 0 : 2
        }
        guard response.ok else {
            Console.error("posternctl: \(response.error ?? "failed")")
            return 2
        }
        if let status = response.status { print(render(status)) }
        if let sessions = response.sessions { print(render(sessions)) }
        if let message = response.message { print(message) }
        return 0
    }

    static func render(_ status: StatusReport) -> String {
        var out = "postern \(status.version), pid \(status.pid), up \(duration(status.uptimeSeconds))\n"
        out += "configuration \(status.configFile), generation \(status.generation), seccomp \(status.seccomp)\n"
        out += "sessions \(status.sessions)\n"
        if let down = status.linksDown, !down.isEmpty {
            out += "degraded: being paired again: \(down.joined(separator: ", "))\n"
        }
        out += "\n"
        out += Table(["ROLE", "INDEX", "PID", "USER", "UP", "RESTARTS"], status.children.map {
            [$0.role, String($0.index), $0.pid.map(String.init) ?? "-", $0.user, $0.uptimeSeconds.map(duration) ?? "-",
             String($0.restarts)]
        }).text + "\n"
        out += Table(["INTERFACE", "PROTOCOL", "ADDRESS", "PORT"], status.endpoints.map {
            [$0.interface, $0.proto, $0.address, String($0.port)]
        }).text
        // Per-session state each role holds: back to its idle values when the clients are gone.
        let tables = status.children.compactMap { child in
            child.tables.map { [child.role, String(child.index), $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")] }
        }
        if !tables.isEmpty {
            out += "\n" + Table(["ROLE", "INDEX", "TABLES"], tables).text
        }
        return out
    }

    static func render(_ sessions: [SessionSummary]) -> String {
        guard !sessions.isEmpty else { return "no sessions" }
        return Table(["SESSION", "PROTOCOL", "INTERFACE", "CLIENT", "VPN USER", "CERTIFICATE SUBJECT", "MAIL USER", "MAIL HOST", "POLICY",
                      "STATE", "AGE", "BYTES IN", "BYTES OUT"], sessions.map {
            [$0.id, $0.proto, $0.interface, "\($0.client):\($0.clientPort)", dash($0.vpnUser), dash($0.clientSubject), dash($0.mailUser),
             dash($0.mailHost), dash($0.groupPolicy), $0.state, duration($0.ageSeconds), String($0.bytesIn),
             String($0.bytesOut)]
        }).text
    }

    private static func dash(_ s: String) -> String { s.isEmpty ? "-" : s }

    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s / 60 % 60)m" }
        return "\(s / 86400)d\(s / 3600 % 24)h"
    }
}

/// Left-aligned columns separated by two spaces. Cells are escaped as log fields are
/// (`DisplayEscape`): a username cannot reorder or break the terminal's lines.
struct Table {
    let text: String

    init(_ header: [String], _ rows: [[String]]) {
        let all = ([header] + rows).map { $0.map(DisplayEscape.escaped) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        text = all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
