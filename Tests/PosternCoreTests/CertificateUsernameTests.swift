import PosternCore
import XCTest

final class CertificateUsernameTests: XCTestCase {
    private typealias A = DistinguishedName.Attribute

    private func attribute(_ field: DNField, _ text: String) -> A { A(oid: field.oid, text: text) }

    /// C=DE, O=Example Inc, OU=Mail, OU=Staff, CN=John Doe+UID=jdoe, emailAddress=...
    private var subject: DistinguishedName {
        DistinguishedName(rdns: [
            [attribute(.c, "DE")], [attribute(.o, "Example Inc")], [attribute(.ou, "Mail")], [attribute(.ou, "Staff")],
            [attribute(.cn, "John Doe"), attribute(.uid, "jdoe")], [attribute(.ea, "johndoe@example.org")],
        ])
    }

    private func name(_ subject: DistinguishedName, _ source: DNUsernameSource, upns: [String] = []) -> Result<String, CertificateRefusal> {
        CertificateUsername.of(subject: subject, upns: upns, source: source)
    }

    func testPrimaryAndSecondaryJoinedByOneSpaceFirstValueInSubjectOrder() {
        XCTAssertEqual(name(subject, .default), .success("John Doe Mail"))
        XCTAssertEqual(name(subject, .fields(primary: .ea, secondary: .o)), .success("johndoe@example.org Example Inc"))
    }

    func testAFieldInAMultiValuedRDN() {
        XCTAssertEqual(name(subject, .fields(primary: .uid, secondary: nil)), .success("jdoe"))
    }

    func testAMissingSecondaryGivesThePrimaryAlone() {
        XCTAssertEqual(name(subject, .fields(primary: .cn, secondary: .t)), .success("John Doe"))
    }

    func testAMissingOrEmptyPrimaryIsRefused() {
        XCTAssertEqual(name(subject, .fields(primary: .gn, secondary: .cn)), .failure(.missingField(.gn)))
        let empty = DistinguishedName(rdns: [[attribute(.cn, "")], [attribute(.ou, "Mail")]])
        XCTAssertEqual(name(empty, .default), .failure(.missingField(.cn)))
        let notText = DistinguishedName(rdns: [[A(oid: DNField.cn.oid, text: nil, der: [0x04, 0x01, 0xff])]])
        XCTAssertEqual(name(notText, .default), .failure(.missingField(.cn)))
    }

    func testEveryFieldIsFoundByItsOID() {
        for field in DNField.allCases where field.isSubjectAttribute {
            let one = DistinguishedName(rdns: [[attribute(field, "v-\(field.rawValue)")]])
            XCTAssertEqual(name(one, .fields(primary: field, secondary: nil)), .success("v-\(field.rawValue)"), field.rawValue)
        }
    }

    func testUPNComesFromSubjectAltName() {
        XCTAssertEqual(name(subject, .fields(primary: .upn, secondary: nil), upns: ["jdoe@corp.example", "other@x"]),
                       .success("jdoe@corp.example"))
        XCTAssertEqual(name(subject, .fields(primary: .upn, secondary: nil)), .failure(.missingField(.upn)))
    }

    func testUTF8ValuesAreKept() {
        let utf8 = DistinguishedName(rdns: [[attribute(.cn, "Jürgen Müller")], [attribute(.ou, "Вычисления")]])
        XCTAssertEqual(name(utf8, .default), .success("Jürgen Müller Вычисления"))
        let arabic = DistinguishedName(rdns: [[attribute(.cn, "محمد")]])
        XCTAssertEqual(name(arabic, .fields(primary: .cn, secondary: nil)), .success("محمد"))
    }

    func testControlCharactersAreRefused() {
        // Format characters too: an invisible one would make a second "alice".
        for bad in ["a\nb", "a\u{7F}", "a\u{85}b", "a\u{2028}b", "\u{202E}nimda", "a\u{2066}b", "a\0b",
                    "alice\u{200B}", "al\u{00AD}ice", "\u{FEFF}alice", "a\u{200C}b"] {
            let subject = DistinguishedName(rdns: [[attribute(.cn, bad)]])
            XCTAssertEqual(name(subject, .fields(primary: .cn, secondary: nil)), .failure(.controlCharacter), bad.debugDescription)
            XCTAssertEqual(name(subject, .entireDN), .failure(.controlCharacter), bad.debugDescription)
        }
        // In the secondary, too.
        let secondary = DistinguishedName(rdns: [[attribute(.cn, "ok")], [attribute(.ou, "x\r\ny")]])
        XCTAssertEqual(name(secondary, .default), .failure(.controlCharacter))
    }

    func testEntireDNInRFC4514Form() {
        XCTAssertEqual(name(subject, .entireDN),
                       .success("emailAddress=johndoe@example.org,CN=John Doe+UID=jdoe,OU=Staff,OU=Mail,O=Example Inc,C=DE"))
        XCTAssertEqual(name(DistinguishedName(rdns: []), .entireDN), .failure(.emptySubject))
    }

    func testRFC4514Escaping() {
        let awkward = DistinguishedName(rdns: [
            [attribute(.o, "Doe, Smith + Partners; \"<Law>\" \\ Co")],
            [attribute(.cn, " #lead and trail ")],
            [attribute(.ou, "a#b = c")],
            [attribute(.l, "#1")],
        ])
        XCTAssertEqual(awkward.rfc4514,
                       ##"L=\#1,OU=a#b = c,CN=\ #lead and trail\ ,O=Doe\, Smith \+ Partners\; \"\<Law\>\" \\ Co"##)
    }

    func testAnUnnamedTypeIsDottedWithItsValueInHex() {
        let unusual = DistinguishedName(rdns: [[A(oid: "1.2.3.4", text: "x", der: [0x0c, 0x01, 0x78])], [attribute(.cn, "n")]])
        XCTAssertEqual(unusual.rfc4514, "CN=n,1.2.3.4=#0c0178")
    }

    func testEveryRefusalHasAReasonForTheLog() {
        let refusals: [CertificateRefusal] = [.noCertificate, .untrusted(detail: "unable to get local issuer certificate"),
                                              .revoked, .expired, .notYetValid, .tooDeep, .crlUnavailable(detail: "x"),
                                              .missingField(.cn), .emptySubject, .controlCharacter]
        XCTAssertEqual(Set(refusals.map(\.reason)).count, refusals.count)
    }
}
