#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was being done, on what, and the `errno` it
/// left, with the system's text for it.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The call or operation, e.g. `read`, `open`.
    public let operation: String
    /// The file, directory or stream it was done on.
    public let subject: String
    public let code: Int32

    public init(_ operation: String, _ subject: String, code: Int32 = errno) {
        self.operation = operation
        self.subject = subject
        self.code = code
    }

    public var reason: String { String(cString: strerror(code)) }

    public var description: String { "cannot \(operation) \(subject): \(reason)" }
}
