/// An invariant of the code under test. Unlike `precondition`, which stops silently in an
/// optimised build, this names the broken invariant (and where) before the crash libFuzzer
/// reports, in every build the fuzz targets are made in.
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        violation(message(), file: file, line: line)
    }
}

/// A broken invariant found without a condition to test (an impossible action, a parse that failed).
public func violation(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("invariant violated: \(message)", file: file, line: line)
}
