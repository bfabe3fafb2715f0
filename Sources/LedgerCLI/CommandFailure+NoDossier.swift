import Foundation
import LedgerContract
import Projections

extension CommandFailure {
    /// Dossier `code` has no events in the ledger at `path` (`when`: " as of
    /// …", or empty). Codes are matched by their bytes, so when the ledger
    /// holds the same code with its accents written the other way (as single
    /// letters, or as letters and combining marks: keyboards type both), the
    /// message names that dossier.
    static func noDossier(_ code: String, in ledger: Ledger, path: String, when: String = "") -> CommandFailure {
        var message = "dossier \(code) has no events in \(path)\(when)"
        let spellings = [(code.precomposedStringWithCanonicalMapping, "as single letters"),
                         (code.decomposedStringWithCanonicalMapping, "as letters and combining marks")]
        for (other, how) in spellings where !other.hasSameUTF8(as: code) {
            let held = (try? ledger.read { try $0.dossier(other) }).flatMap { $0 }
            if held != nil {
                message += "; it holds dossier \(other), the same code with its accents written \(how) (codes are matched by their bytes)"
                break
            }
        }
        return CommandFailure(.noInput, message)
    }
}
