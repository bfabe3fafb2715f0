import DossierRules
import Foundation
import LedgerContract
import Projections
import WorkingTime

/// Where PostgreSQL stands for one province: how far its events and its
/// projections (dossier states, KPI day counters, report counts) are synced.
public struct WarehousePosition: Sendable, Equatable {
    public var ledgerID: String
    public var seq: UInt64
    public var headHash: String
    public var projectionsSeq: UInt64
}

/// What one pass of `WarehouseSync.sync` moved.
public struct WarehousePass: Sendable {
    public var fromSeq: UInt64 = 0
    public var throughSeq: UInt64 = 0
    public var events = 0
    public var dossiers = 0
    public var projectionsRefreshed = false
}

/// Streams a province ledger into the national warehouse on PostgreSQL,
/// through `psql` and `COPY`.
///
/// **Exactly once.** The position — the seq synced through and the hash of
/// the event there — lives in PostgreSQL (`dossier_ledger.provinces`) and
/// moves in the same transaction as the rows it covers, by
/// `dossier_ledger.advance`, which refuses to move it from anywhere but
/// where this pass read it. A pass resumes from PostgreSQL's position, never
/// from a local file; a batch replayed after a crash is refused whole (its
/// position is already past), and rows are keyed by (province, seq), so
/// nothing lands twice and nothing is skipped.
///
/// Events go in batches, one transaction each. The projections (dossier
/// states of the dossiers the pass touched, the province's KPI day counters,
/// its report counts per agency, procedure and quarter, and the scorecard
/// rules of each quarter) follow in one more transaction with their own
/// position, so a pass killed between the two refreshes them on the next.
///
/// A province is claimed by the first ledger that syncs it (its identity,
/// `init --province`); another ledger claiming it is refused.
public struct WarehouseSync {
    public let ledger: Ledger
    public let psql: Psql
    public let identity: LedgerIdentity
    /// Events per transaction.
    public var batchSize = 50_000
    /// The partitions this value has made or found (a follower syncs often).
    private let partitionsMade = PartitionsMade()

    final class PartitionsMade: @unchecked Sendable {
        var province = false
        var months = Set<Int>()
    }

    public init(ledger: Ledger, psql: Psql) throws {
        guard let identity = try ledger.identity() else {
            throw LedgerError(.invalidArgument, "\(ledger.path) has no province: record it with `dossier-ledger init --province CODE` first")
        }
        self.ledger = ledger
        self.psql = psql
        self.identity = identity
    }

    /// Creates or migrates the schema, then claims the province for this
    /// ledger (or finds it claimed by it) and returns PostgreSQL's position.
    public func prepare() throws -> WarehousePosition {
        _ = try psql.run { send in try send(Array(WarehouseSchema.migrationScript.utf8)) }
        let claim = """
        INSERT INTO dossier_ledger.provinces (province, ledger_id) VALUES (\(SQL.literal(identity.province)), \(SQL.literal(identity.ledgerID)))
            ON CONFLICT DO NOTHING;
        """
        _ = try psql.query(claim)
        return try position()
    }

    /// PostgreSQL's position for this ledger's province; refused (`alreadyExists`)
    /// when the province is synced from another ledger.
    public func position() throws -> WarehousePosition {
        let rows = try psql.query("""
            SELECT ledger_id, seq, head_hash, projections_seq FROM dossier_ledger.provinces WHERE province = \(SQL.literal(identity.province));
            """)
        guard let row = rows.first, row.count == 4, let seq = UInt64(row[1]), let projections = UInt64(row[3]) else {
            // The ledger id may be claimed under another province code.
            let other = try psql.query("SELECT province FROM dossier_ledger.provinces WHERE ledger_id = \(SQL.literal(identity.ledgerID));")
            if let province = other.first?.first {
                throw LedgerError(.alreadyExists, "this ledger (id \(identity.ledgerID)) is synced as province \(province), not \(identity.province)")
            }
            throw LedgerError(.missing, "province \(identity.province) is not in the warehouse")
        }
        guard row[0] == identity.ledgerID else {
            throw LedgerError(.alreadyExists, "province \(identity.province) is already synced from another ledger (id \(row[0])); "
                              + "this ledger (\(ledger.path), id \(identity.ledgerID)) cannot claim it")
        }
        return WarehousePosition(ledgerID: row[0], seq: seq, headHash: row[2], projectionsSeq: projections)
    }

    /// One pass: the events after PostgreSQL's position up to the ledger's
    /// head, then the projections when they are behind (or when `refresh`).
    /// - Parameter projections: whether to bring the projections up to the head in this pass.
    public func sync(events: Bool = true, projections: Bool = true, refresh: Bool = false, asOf: Int64? = nil,
                     progress: (WarehousePass) -> Void = { _ in }) throws -> WarehousePass {
        let position = try self.position()
        var pass = WarehousePass(fromSeq: position.seq, throughSeq: position.seq)
        try ledger.read { snapshot in
            let head = try snapshot.head()
            if position.seq > head.seq {
                throw LedgerError(.corrupt, "PostgreSQL has province \(identity.province) through seq \(position.seq), but \(ledger.path) ends at seq \(head.seq)")
            }
            if position.seq > 0 {
                let hash = try snapshot.event(seq: position.seq)?.hash.hex
                guard hash == position.headHash else {
                    throw LedgerError(.corrupt, "PostgreSQL's position for \(identity.province) is seq \(position.seq) with hash \(position.headHash), "
                                      + "but the ledger's event there has hash \(hash ?? "none"): the chain differs; `sync postgres --check` names where")
                }
            }
            let reference = try snapshot.reference()
            if events && position.seq < head.seq {
                try copyEvents(snapshot, after: position.seq, through: head.seq, calendar: reference.calendar) { through, count in
                    pass.throughSeq = through
                    pass.events += count
                    progress(pass)
                }
            }
            if projections && (position.projectionsSeq < head.seq || refresh) {
                // Projections never run ahead of the events they derive from.
                guard events || position.seq == head.seq else { return }
                pass.dossiers = try copyProjections(snapshot, from: position.projectionsSeq, head: head, reference: reference,
                                                    asOf: asOf ?? Int64(Date().timeIntervalSince1970))
                pass.projectionsRefreshed = true
            }
        }
        return pass
    }

    // MARK: - Events

    static let eventColumns = "province, seq, dossier, type, at, at_text, recorded_at, recorded_at_text, actor, id, version, expected_version, data, hash"

    /// The events (after, through], one transaction per batch, each moving
    /// the events position. Two psql sessions load alternate batches at once;
    /// each transaction moves the position last, `advance` waiting there
    /// until the previous batch has committed, so they commit in seq order;
    /// when one fails, the other session is stopped and nothing after the
    /// failed batch commits.
    private func copyEvents(_ snapshot: LedgerSnapshot, after: UInt64, through: UInt64, calendar: WorkingCalendar,
                            committed: (UInt64, Int) -> Void) throws {
        let province = SQL.literal(identity.province)
        let provinceTable = "events_" + Self.tableSuffix(identity.province)
        var partitions = partitionsMade.months
        if !partitionsMade.province {
            try createPartitions("""
                CREATE TABLE IF NOT EXISTS dossier_ledger.\(SQL.identifier(provinceTable)) PARTITION OF dossier_ledger.events
                    FOR VALUES IN (\(province)) PARTITION BY RANGE (at);
                """)
            partitionsMade.province = true
        }
        defer { partitionsMade.months = partitions }
        let sessions = try (0..<(through - after > UInt64(batchSize) ? 2 : 1)).map { _ in try PsqlSession(psql) }
        var failure: Error?
        do {
            var from = after, batch = 0
            while from < through {
                let last = min(through, from + UInt64(batchSize))
                var rows = CopyRows()
                rows.bytes.reserveCapacity(batchSize * 400)
                var months = Set<Int>()
                var lastHash = ""
                var count = 0
                var data = JSONWriter(capacity: 1024)
                try snapshot.forEachEvent(from: from + 1, to: last) { e in
                    let date = calendar.localDate(of: e.event.at.seconds)
                    months.insert(date.year * 12 + date.month - 1)
                    rows.field(identity.province)
                    rows.field(Int64(e.seq))
                    rows.field(e.event.dossier)
                    rows.field(e.event.type.name)
                    let at = e.event.at.text, recordedAt = e.recordedAt.text
                    rows.field(at)
                    rows.field(at)
                    rows.field(recordedAt)
                    rows.field(recordedAt)
                    rows.field(e.event.actor)
                    rows.field(e.event.id)
                    rows.field(e.version.map { Int64($0) })
                    rows.field(e.event.expectedVersion.map { Int64($0) })
                    data.bytes.removeAll(keepingCapacity: true)
                    data.object(e.event.data)   // jsonb keeps its own key order
                    rows.field(bytes: data.bytes)
                    lastHash = e.hash.hex
                    rows.field(lastHash)
                    rows.endRow()
                    count += 1
                    return true
                }
                // A month's partition is committed before any batch holding it is sent.
                let newMonths = months.subtracting(partitions).sorted()
                if !newMonths.isEmpty {
                    var ddl = ""
                    for month in newMonths {
                        let name = provinceTable + String(format: "_%04d%02d", month / 12, month % 12 + 1)
                        ddl += "CREATE TABLE IF NOT EXISTS dossier_ledger.\(SQL.identifier(name)) PARTITION OF dossier_ledger.\(SQL.identifier(provinceTable)) "
                            + "FOR VALUES FROM (\(SQL.literal(Self.monthStart(month, calendar)))) TO (\(SQL.literal(Self.monthStart(month + 1, calendar))));\n"
                    }
                    try createPartitions(ddl)
                    partitions.formUnion(newMonths)
                }
                var script = Array("BEGIN;\nCOPY dossier_ledger.events (\(Self.eventColumns)) FROM STDIN;\n".utf8)
                script += rows.bytes
                script += Array("\\.\nSELECT dossier_ledger.advance(\(province), \(SQL.literal(identity.ledgerID)), 'events', \(from), \(last), \(SQL.literal(lastHash)));\nCOMMIT;\n".utf8)
                try sessions[batch % sessions.count].send(script)
                committed(last, count)
                from = last
                batch += 1
            }
        } catch {
            failure = error
        }
        // Ending the scripts: a transaction left open (after a failure here) is rolled back by the server.
        // psql's own message explains a failed write (psql stopped reading at its error), so it comes first.
        // When one session failed, the batch after it would wait in vain: the others are stopped (rolled back).
        var errors: [Error] = []
        for s in sessions {
            if !errors.isEmpty || failure != nil { s.stop() }
            do { _ = try s.finish { _ in () } } catch { errors.append(error) }
        }
        if let psqlError = errors.first(where: { $0 is LedgerError }) ?? errors.first { throw psqlError }
        if let failure { throw failure }
    }

    /// Runs `ddl`, statements `CREATE TABLE IF NOT EXISTS … PARTITION OF`,
    /// in one transaction holding a lock that every sync's partition
    /// statements take: `IF NOT EXISTS` alone fails ("already exists") when
    /// another session creates the same table at the same moment, as the
    /// psql of a sync killed mid-way may still be doing when the next one starts.
    private func createPartitions(_ ddl: String) throws {
        _ = try psql.query("BEGIN;\nSELECT pg_advisory_xact_lock(hashtext('dossier_ledger.events partitions'));\n" + ddl + "\nCOMMIT;\n")
    }

    /// A table-name suffix for a province code: lower-case letters and digits, others as `_`.
    static func tableSuffix(_ province: String) -> String {
        String(province.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "_" })
    }

    /// The local midnight starting month `index` (year × 12 + month − 1), as RFC 3339.
    static func monthStart(_ index: Int, _ calendar: WorkingCalendar) -> String {
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        let date = LocalDate(year: year, month: index - year * 12 + 1, day: 1)!
        let instant = calendar.instant(of: date, secondsFromMidnight: 0)
        return calendar.localTimestamp(instant).text
    }

    // MARK: - Projections

    /// The dossier states of the dossiers with events after `from` (every
    /// dossier on a first pass), the KPI day counters, the report counts per
    /// quarter and the scorecard rules — in one transaction moving the
    /// projections position to the head. Returns the dossier rows written.
    private func copyProjections(_ snapshot: LedgerSnapshot, from: UInt64, head: Head, reference: ReferenceData, asOf: Int64) throws -> Int {
        let province = SQL.literal(identity.province)
        var dossiers = 0
        _ = try psql.run { send in
            try send(Array("""
            BEGIN;
            SELECT dossier_ledger.advance(\(province), \(SQL.literal(identity.ledgerID)), 'projections', \(from), \(head.seq), \(SQL.literal(head.hash.hex)));
            CREATE TEMPORARY TABLE incoming_dossiers (LIKE dossier_ledger.dossiers) ON COMMIT DROP;
            COPY incoming_dossiers FROM STDIN;

            """.utf8))
            let calendar = reference.calendar
            var rows = CopyRows()
            func dossierRow(_ state: DossierState) throws {
                rows.field(identity.province)
                rows.field(state.code)
                rows.field(Int64(state.version))
                rows.field(Int64(state.lastSeq))
                rows.field(state.agency)
                rows.field(state.procedure)
                rows.field(state.channel)
                rows.field(state.stage.name)
                rows.field(state.receivedAt.map { calendar.localTimestamp($0).text })
                rows.field(state.dueInstant(calendar: calendar).map { calendar.localTimestamp($0).text })
                rows.field(state.processedAt.map { calendar.localTimestamp($0).text })
                rows.field(state.outcome(calendar: calendar)?.rawValue)
                var w = JSONWriter(capacity: 512)
                state.writeJSON(reference: reference, into: &w)
                rows.field(String(decoding: w.bytes, as: UTF8.self))
                rows.endRow()
                dossiers += 1
                if rows.bytes.count > 1 << 20 { try send(rows.bytes); rows.bytes.removeAll(keepingCapacity: true) }
            }
            if from == 0 || head.seq - from > 200_000 {
                try snapshot.forEachDossier(dossierRow)
            } else {
                var touched = Set<ExactText>()   // codes by their bytes: two spellings of an accent are two dossiers
                try snapshot.forEachEvent(from: from + 1, to: head.seq) { e in
                    if let d = e.event.dossier { touched.insert(ExactText(d)) }
                    return true
                }
                for code in touched.map(\.text).sorted(by: Key.precedes) { if let state = try snapshot.dossier(code) { try dossierRow(state) } }
            }
            try send(rows.bytes)
            rows.bytes.removeAll(keepingCapacity: true)
            try send(Array("""
            \\.
            INSERT INTO dossier_ledger.dossiers SELECT * FROM incoming_dossiers
                ON CONFLICT (province, dossier) DO UPDATE SET version = EXCLUDED.version, last_seq = EXCLUDED.last_seq, agency = EXCLUDED.agency,
                    procedure = EXCLUDED.procedure, channel = EXCLUDED.channel, stage = EXCLUDED.stage, received_at = EXCLUDED.received_at,
                    due_at = EXCLUDED.due_at, processed_at = EXCLUDED.processed_at, outcome = EXCLUDED.outcome, state = EXCLUDED.state;
            DELETE FROM dossier_ledger.kpi_days WHERE province = \(province);
            COPY dossier_ledger.kpi_days FROM STDIN;

            """.utf8))
            try snapshot.forEachKPIDay { key, counters in
                rows.field(identity.province)
                rows.field(key.agency)
                rows.field(LocalDate(daysSinceEpoch: Int(key.day)).description)
                for counter in KPICounters.Counter.allCases { rows.field(counters[counter]) }
                rows.endRow()
                if rows.bytes.count > 1 << 20 { try send(rows.bytes); rows.bytes.removeAll(keepingCapacity: true) }
            }
            try send(rows.bytes)
            rows.bytes.removeAll(keepingCapacity: true)

            // The report counts of every quarter, as `scorecard --period quarter` sums them now.
            let quarters = ReportPeriods(kind: .quarter, calendar: calendar, asOf: asOf)
            var tally = ReportTally(periods: quarters)
            try snapshot.forEachDossier { tally.add($0, reference: reference) }
            var quartersSeen = Set<Int>()
            try send(Array("\\.\nDELETE FROM dossier_ledger.report_counts WHERE province = \(province);\nCOPY dossier_ledger.report_counts FROM STDIN;\n".utf8))
            tally.forEachCount { agency, procedure, quarter, count, value in
                quartersSeen.insert(quarter)
                rows.field(identity.province)
                rows.field(agency)
                rows.field(procedure)
                rows.field(Int64(quarter))
                rows.field(quarters.label(of: quarter))
                rows.field(count.name)
                rows.field(value)
                rows.endRow()
            }
            try send(rows.bytes)
            rows.bytes.removeAll(keepingCapacity: true)
            try send(Array("\\.\nDELETE FROM dossier_ledger.scorecard_rules WHERE province = \(province);\nCOPY dossier_ledger.scorecard_rules FROM STDIN;\n".utf8))
            for quarter in quartersSeen.sorted() {
                let rules = reference.scorecard(forPeriodEndingAt: quarters.end(of: quarter))
                for (position, indicator) in rules.indicators.enumerated() {
                    rows.field(identity.province)
                    rows.field(Int64(quarter))
                    rows.field(quarters.label(of: quarter))
                    rows.field(rules.name)
                    rows.field(Int64(position))
                    rows.field(indicator.code)
                    rows.field(indicator.group)
                    rows.field(indicator.measure.rawValue)
                    rows.field(indicator.points)
                    rows.field(indicator.target)
                    rows.field(rules.green)
                    rows.field(rules.yellow)
                    rows.field(rules.orange)
                    rows.endRow()
                }
            }
            try send(rows.bytes)
            try send(Array("\\.\nCOMMIT;\n".utf8))
        }
        return dossiers
    }
}
