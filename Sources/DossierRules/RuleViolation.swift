/// An event refused by the domain rules: which rule, in the words an
/// operator fixing the input needs.
public struct RuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public let rule: String
    public init(_ rule: String) { self.rule = rule }
    public var description: String { rule }
}
