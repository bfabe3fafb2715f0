import Foundation
import Testing
@testable import LedgerStore
import LedgerContract

/// The appender's dossier slots: one per dossier a transaction names,
/// numbered in the order first named, whatever the number of dossiers (the
/// slot table grows) and however alike their codes are.
@Suite struct DossierSlotTests {
    /// Runs `body` with an appender in a write transaction of a new store, then aborts the transaction.
    func withAppender(_ body: (inout Appender) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "dossier-slot-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try EventStore.create(at: directory + "/ledger")
        struct Abort: Error {}
        do {
            try store.environment.write { txn in
                var appender = try Appender(store: store, in: txn)
                try body(&appender)
                throw Abort()
            }
        } catch is Abort {}
    }

    @Test func eachDossierKeepsTheSlotItWasFirstGiven() throws {
        // Codes alike but for their last bytes, many more than the table's first size.
        let codes = (0..<20_000).map { "H40.04.07-251119-\(String(format: "%05d", $0))" }
        try withAppender { appender in
            for (i, code) in codes.enumerated() { #expect(appender.slot(ofDossier: DossierKey(code)) == i) }
            #expect(appender.slotCount == codes.count)
            for (i, code) in codes.enumerated().reversed() { #expect(appender.slot(ofDossier: code) == i) }
            #expect(appender.slotCount == codes.count)
        }
    }

    @Test func dossiersAreTheirCodesBytes() throws {
        // "é" composed and decomposed are equal Swift strings but two codes, as they are two keys in the tables.
        let composed = "H40-251119-caf\u{E9}", decomposed = "H40-251119-cafe\u{301}"
        #expect(composed == decomposed)
        try withAppender { appender in
            #expect(appender.slot(ofDossier: composed) == 0)
            #expect(appender.slot(ofDossier: decomposed) == 1)
            #expect(appender.slot(ofDossier: "H40-251119-caf") == 2)
            #expect(appender.slot(ofDossier: "") == 3)
            #expect(appender.slot(ofDossier: decomposed) == 1)
            #expect(appender.slot(ofDossier: composed) == 0)
        }
    }

    @Test func aKeyCarriesTheHashOfItsBytes() {
        let code = "H40.04.07-251119-0010"
        #expect(DossierKey(code).hash == DossierKey(String(decoding: Array(code.utf8), as: UTF8.self)).hash)
        // Codes of 1 to 24 bytes differing in one byte: no two hashes alike.
        var hashes = Set<UInt64>()
        for length in 1...24 {
            for position in 0..<length {
                var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: length)
                bytes[position] = UInt8(ascii: "1")
                hashes.insert(DossierKey(String(decoding: bytes, as: UTF8.self)).hash)
            }
            hashes.insert(DossierKey(String(repeating: "0", count: length)).hash)
        }
        #expect(hashes.count == (1...24).reduce(0) { $0 + $1 + 1 })
    }
}
