// swift-tools-version:6.0
// postern: a privilege-separated TLS e-mail proxy. Three executables carry four roles
// (SPEC §1); shared code lives in small library targets named for what they hold.
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "postern",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "postern", targets: ["listener"]),
        .executable(name: "postern-authd", targets: ["authd"]),
        .executable(name: "postern-relay", targets: ["relay"]),
        .executable(name: "posternctl", targets: ["posternctl"]),
        // For the fuzz package (Fuzz/), which cannot live in this one: its executables link libFuzzer.
        .library(name: "PosternCore", targets: ["PosternCore"]),
        .library(name: "PosternProtocols", targets: ["PosternProtocols"]),
        .library(name: "PosternIPC", targets: ["PosternIPC"]),
        // For the RADIUS reply fuzz target (Fuzz/), which signs replies with the same digests.
        .library(name: "PosternRADIUS", targets: ["PosternRADIUS"]),
        .library(name: "PosternCrypto", targets: ["PosternCrypto"]),
        // For the portal request fuzz target (Fuzz/).
        .library(name: "PosternPortal", targets: ["PosternPortal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // System libraries, each behind a small shim header.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // OpenLDAP's client library (no pkg-config file on Debian 12): authd's LDAP groups.
        .systemLibrary(name: "CLDAP", providers: [.apt(["libldap-dev"])]),
        // What Swift cannot call: fork+exec with privilege drop, SCM_RIGHTS, splice, crypt.
        .target(name: "CPostern", linkerSettings: [.linkedLibrary("crypt"), .linkedLibrary("seccomp")]),

        // Pure code: no I/O, testable without sockets.
        .target(name: "PosternCore", dependencies: ["CPostern"], swiftSettings: strict),
        .target(name: "PosternProtocols", dependencies: ["PosternCore"], swiftSettings: strict),
        // Digests, HMAC, random bytes and constant-time comparison from libcrypto.
        .target(name: "PosternCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // RADIUS packets (RFC 2865/2866/3579): encoding, hiding, authenticators; no I/O.
        .target(name: "PosternRADIUS", dependencies: ["PosternCrypto", "PosternCore"], swiftSettings: strict),
        // The HTTPS portal's pure parts (SPEC §5): forms, cookies, CSRF tokens, headers; no I/O.
        .target(name: "PosternPortal", dependencies: ["PosternCore", "PosternCrypto"], swiftSettings: strict),
        .target(name: "PosternConfig", dependencies: [
            "PosternCore", .product(name: "TOMLKit", package: "TOMLKit"),
        ], swiftSettings: strict),
        .target(name: "PosternIPC", dependencies: [
            "PosternCore", "PosternConfig", "CPostern", "PosternCrypto",
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "PosternTLS", dependencies: [
            "COpenSSL", "PosternCore",
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "PosternSandbox", dependencies: ["CCap", "CSeccomp", "CPostern", "PosternCore", "PosternIPC"],
                swiftSettings: strict),
        // Shared NIO glue used by the listener and the relay.
        .target(name: "PosternIO", dependencies: [
            "PosternCore", "CPostern",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),

        // The executables, one a role (the listener target also carries the supervisor).
        .executableTarget(name: "listener", dependencies: [
            "PosternCore", "PosternConfig", "PosternIPC", "PosternProtocols", "PosternTLS",
            "PosternSandbox", "PosternIO", "CPostern",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "authd", dependencies: [
            "PosternCore", "PosternConfig", "PosternIPC", "PosternSandbox", "PosternRADIUS", "CPostern", "CLDAP", "PosternCrypto",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "relay", dependencies: [
            "PosternCore", "PosternConfig", "PosternIPC", "PosternProtocols", "PosternTLS",
            "PosternSandbox", "PosternIO", "CPostern",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "posternctl", dependencies: ["PosternCore", "CPostern"], swiftSettings: strict),

        .testTarget(name: "PosternCoreTests", dependencies: ["PosternCore"]),
        .testTarget(name: "PosternIOTests", dependencies: ["PosternIO"]),
        .testTarget(name: "PosternProtocolsTests", dependencies: ["PosternProtocols"]),
        .testTarget(name: "PosternRADIUSTests", dependencies: ["PosternRADIUS"]),
        .testTarget(name: "PosternPortalTests", dependencies: ["PosternPortal"]),
        .testTarget(name: "PosternConfigTests", dependencies: ["PosternConfig"]),
        .testTarget(name: "PosternIPCTests", dependencies: [
            "PosternIPC", "PosternProtocols", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "PosternSandboxTests", dependencies: ["PosternSandbox", "PosternCore"],
                    exclude: ["EffectiveFilters"]),
        .testTarget(name: "PosternTLSTests", dependencies: [
            "PosternTLS", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ]
)
