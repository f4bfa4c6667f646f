/// `application/x-www-form-urlencoded` bodies (the URL Standard's parser, strict where it is
/// lenient: a bad escape, bytes that are not UTF-8 or a field named twice refuse the form
/// rather than guess what the user meant).
public enum FormBody {
    /// The portal's forms have at most four fields; a login's password is bounded like a mail one.
    public static let maxFields = 8
    public static let maxNameBytes = 32
    public static let maxValueBytes = 1024

    public static func parse(_ body: [UInt8]) throws(PortalRequestError) -> [String: String] {
        var fields: [String: String] = [:]
        guard !body.isEmpty else { return fields }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard fields.count < maxFields else { throw .formTooLarge("more than \(maxFields) fields") }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? []
            guard rawName.count <= maxNameBytes * 3 else { throw .formTooLarge("a field name over \(maxNameBytes) bytes") }
            guard rawValue.count <= maxValueBytes * 3 else { throw .formTooLarge("a value over \(maxValueBytes) bytes") }
            let name = try decode(rawName), value = try decode(rawValue)
            guard name.utf8.count <= maxNameBytes else { throw .formTooLarge("a field name over \(maxNameBytes) bytes") }
            guard value.utf8.count <= maxValueBytes else { throw .formTooLarge("a value over \(maxValueBytes) bytes") }
            guard fields[name] == nil else { throw .malformedForm("field \(name.debugDescription) given twice") }
            fields[name] = value
        }
        return fields
    }

    /// `+` is a space, `%HH` a byte; the bytes must be UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) throws(PortalRequestError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard raw.distance(from: index, to: raw.endIndex) >= 3,
                      let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
                    throw .malformedForm("a % not followed by two hex digits")
                }
                bytes.append(high << 4 | low)
                index += 2
            default:
                bytes.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformedForm("a field that is not UTF-8") }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
