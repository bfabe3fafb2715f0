import Foundation
import Testing
import SystemIO

/// The line reader `import` and `append` read NDJSON with: lines lent in
/// place (`nextLine`) are the lines copied out (`next`), with their numbers,
/// across the reader's buffer refills, blank lines skipped, a carriage
/// return before the newline dropped, an over-long line reported and
/// skipped, and a last line without a newline still read.
@Suite struct LineReaderTests {
    enum Read: Equatable {
        case text(Int, [UInt8])
        case tooLong(Int)
    }

    /// The input, long enough to refill the 64 KiB buffer many times, and
    /// what a reader with lines of at most 256 bytes gives of it.
    static let (text, expected): ([UInt8], [Read]) = {
        var lines: [String] = []
        var expected: [Read] = []
        for i in 1...3_000 {
            if [3, 1_500, 2_998].contains(i) {
                lines.append(String(repeating: "x", count: 300))
                expected.append(.tooLong(i))
                continue
            }
            switch i % 7 {
            case 0: lines.append("")
            case 1: lines.append("   \t")
            case 2:
                lines.append("{\"n\":\(i)}\r")
                expected.append(.text(i, Array("{\"n\":\(i)}".utf8)))
            default:
                let line = "{\"n\":\(i),\"pad\":\"" + String(repeating: "é", count: i % 90) + "\"}"
                lines.append(line)
                expected.append(.text(i, Array(line.utf8)))
            }
        }
        expected.append(.text(3_001, Array("{\"last\":true}".utf8)))
        return (Array((lines.joined(separator: "\n") + "\n{\"last\":true}").utf8), expected)
    }()

    /// Calls `body` with a reader of `text` from a file of its own.
    static func withReader<R>(maxLineBytes: Int = 256, _ body: (inout LineReader) throws -> R) throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).ndjson").path
        try Data(text).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd, maxLineBytes: maxLineBytes)
        return try body(&reader)
    }

    @Test func linesLentInPlaceAreTheLinesCopiedOut() throws {
        let copied = try Self.withReader { reader in
            var copied: [Read] = []
            while let line = try reader.next() {
                switch line {
                case .text(let number, let bytes): copied.append(.text(number, bytes))
                case .tooLong(let number): copied.append(.tooLong(number))
                }
            }
            return copied
        }
        let lent = try Self.withReader { reader in
            var lent: [Read] = []
            while let line = try reader.nextLine({ number, bytes in Read.text(number, Array(bytes)) }) {
                switch line {
                case .text(let read): lent.append(read)
                case .tooLong(let number): lent.append(.tooLong(number))
                }
            }
            return lent
        }
        #expect(lent == copied)
        #expect(copied == Self.expected)
    }

    @Test func anErrorOfTheLineBodyComesOutAsItsOwn() throws {
        struct Refused: Error, Equatable { let line: Int }
        try Self.withReader { reader in
            _ = try reader.nextLine { number, _ in number }   // line 2
            _ = try reader.nextLine { number, _ in number }   // line 3, too long: reported, not lent
            do {
                _ = try reader.nextLine { (number, _) throws(Refused) -> Int in throw Refused(line: number) }
                Issue.record("the line's error was not thrown")
            } catch {
                guard case .text(let refused)? = error as? LineReader.LineError<Refused> else { Issue.record("\(error)"); return }
                #expect(refused == Refused(line: 4))
            }
        }
    }
}
