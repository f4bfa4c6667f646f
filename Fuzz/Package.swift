// swift-tools-version:6.0
// libFuzzer targets for postern's parsers of untrusted input. A package of their own, because
// these executables link only with libFuzzer's runtime: `make fuzz` and `make fuzz-check` build
// them with the sanitizer flags (see README.md here); a plain `swift build` of postern never sees them.
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "postern-fuzz",
    dependencies: [
        .package(name: "postern", path: ".."),
    ],
    targets: [
        // The libFuzzer entry point and deterministic choices drawn from an input.
        .target(name: "FuzzSupport", swiftSettings: strict),
        // The checks IMAP, POP3 and SMTP share: pre-authentication dialogue and upstream login,
        // generic over each protocol's syntax (the targets below hold only that syntax).
        .target(name: "FuzzDialogues", dependencies: [
            "FuzzSupport", .product(name: "PosternProtocols", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzIMAP", dependencies: [
            "FuzzDialogues", "FuzzSupport", .product(name: "PosternProtocols", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzPOP3", dependencies: [
            "FuzzDialogues", "FuzzSupport", .product(name: "PosternProtocols", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzSMTP", dependencies: [
            "FuzzDialogues", "FuzzSupport", .product(name: "PosternProtocols", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzSASL", dependencies: [
            "FuzzSupport", .product(name: "PosternProtocols", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzCredentials", dependencies: [
            "FuzzSupport", .product(name: "PosternCore", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzPortal", dependencies: [
            "FuzzSupport", .product(name: "PosternPortal", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzDNMapping", dependencies: [
            "FuzzSupport", .product(name: "PosternCore", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzRADIUS", dependencies: [
            "FuzzSupport", .product(name: "PosternRADIUS", package: "postern"),
            .product(name: "PosternCrypto", package: "postern"),
        ], swiftSettings: strict),
        .executableTarget(name: "FuzzIPC", dependencies: [
            "FuzzSupport", .product(name: "PosternIPC", package: "postern"),
            .product(name: "PosternCore", package: "postern"),
        ], swiftSettings: strict),
    ]
)
