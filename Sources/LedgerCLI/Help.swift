import Foundation
import Projections

/// The `--help` texts of the tool and of each command.
enum Help {
    static let tool = """
    dossier-ledger — the system of record for administrative-procedure dossiers

    usage: dossier-ledger [--ledger DIR] COMMAND [OPTIONS]

    The ledger is a directory (an LMDB environment); DIR defaults to ./ledger,
    or to $DOSSIER_LEDGER when set.

    commands:
      init       create a ledger
      append     append NDJSON events as one atomic batch
      import     stream a large NDJSON file in atomic batches (re-runnable)
      export     write the stored events as contract NDJSON, in seq order
      history    one dossier's events
      verify     recompute the hash chain
      stats      event and dossier counts, size on disk, head seq and hash
      show       one dossier's current state
      dossiers   list dossiers (by agency, by state)
      violations deadline and integrity violations, with their evidence
      kpi        KPI table per agency and period, with colour bands
      report     form 06a: dossiers carried over, received, processed and open, per agency and period
      scorecard  the Decision 766 scorecard per agency and period, ranked, with bands
      deadlines  open dossiers by urgency: overdue, due soon, not due
      targets    the targets assigned to agencies and officers: value so far, projection, status
      rebuild    drop the projections and fold them again from the log
      audit      a dossier's timeline; an officer's record; delays; handovers
      site       write the static HTML report site: province, agencies, officers, dossiers listed
      sync       stream the ledger into the national warehouse on PostgreSQL (through psql)
      replay     write the projections as of a past instant to read-only files
      subscribe  stream events (or projection changes) after a named, durable checkpoint
      subscriptions  list subscriptions with their checkpoint and lag
      generate   write a plausible generated province as contract NDJSON
      demo       generate a province, import it and show what an office looks at first

    show, dossiers, violations, kpi, report, scorecard, deadlines, targets, audit and site take --as-of T (what had
    happened by T) or --known-at T (what the ledger knew at T, ignoring
    events recorded later even if they claim to have happened earlier).

    `dossier-ledger COMMAND --help` describes a command.
    Exit codes: 0 ok, 64 usage, 65 refused input or failed verification
    (nothing written), 66 no such ledger or file, 75 expectedVersion conflict
    (re-read and retry), 74 I/O error.
    """

    /// The usage of `command`, from its help text: the lines before the
    /// first blank one, without "usage:" and the global options, on one line.
    static func usage(_ command: String) -> String {
        guard let text = commands[command] else { return "dossier-ledger \(command)" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasPrefix("usage: ") ? String($0.dropFirst("usage: ".count)) : $0 }
            .joined(separator: " ")
            .replacingOccurrences(of: "dossier-ledger [--ledger DIR] ", with: "dossier-ledger ")
    }

    static let commands: [String: String] = [
        "init": """
        usage: dossier-ledger [--ledger DIR] init [--province CODE] [--map-size BYTES] [--working-hours 07:30-11:30,13:00-17:00]
                                                  [--group-readable] [--allow-personal-data]
               dossier-ledger [--ledger DIR] init --province CODE        (an existing ledger, once)

        --province records which province the ledger is the system of record
        for, with a random ledger id (`stats` shows both): the national
        warehouse (`sync postgres`) refuses a second ledger claiming a province
        already synced. An existing ledger gets its identity the same way, once;
        its province cannot change afterwards.

        Creates a ledger in DIR (made with owner-only permissions if missing;
        an existing directory must be empty). The map starts at 64 MiB or
        --map-size and grows by itself when full. --working-hours sets the
        ledger's local working periods (UTC+7), used for every due instant.
        Files are readable and writable by the owner only unless
        --group-readable; the tool refuses a ledger whose files are
        world-writable (exit 77). data fields named like personal identifiers
        (cccd, cmnd, phone, email, address, applicantName) are refused unless
        --allow-personal-data, since an append-only log cannot erase them.
        """,
        "append": """
        usage: dossier-ledger [--ledger DIR] append [FILE|-]

        Appends the NDJSON events of FILE (or stdin) as one atomic batch: every
        line is checked against the event contract and the dossier lifecycle,
        and either all are stored or none. Prints the seq range stored.
        Events already stored (same id, or same content without an id) are
        not stored again; their original seq is reported.
        Exit 65: a line was refused (its number, dossier and rule are printed).
        Exit 75: an expectedVersion did not match; re-read the dossier and retry.
        """,
        "import": """
        usage: dossier-ledger [--ledger DIR] import [FILE|-] [--batch N] [--verbose]
               dossier-ledger [--ledger DIR] import --format xes [FILE|-] [--agency CODE] [--timezone OFFSET] [--batch N]

        Streams a large NDJSON file into the ledger in atomic batches of N
        events (default \(Ledger.importBatchSize); \(Ledger.heldBatchSize) with --format xes),
        showing progress on stderr when it is a terminal. If it stops
        (interrupted, or a line refused), the batches before are kept; run
        the same import again and the events already stored are skipped, so
        nothing is duplicated. --verbose prints
        "committed seq A–B" on stderr as each batch commits.
        --format xes reads an IEEE 1849 XES log (plain or gzip, any size) from
        another case-handling system: each trace becomes a dossier and each
        event an activity.recorded (activity, resource, the other attributes
        kept with their types); unknown org:resource values are registered as
        officers of --agency (default XES, registered if missing). The whole
        log is checked before anything is written: a damaged or truncated
        file is refused with its line and column. --timezone +01:00 gives the
        offset of timestamps written without one (such a log is refused
        without it).
        """,
        "export": """
        usage: dossier-ledger [--ledger DIR] export [--from SEQ] [--to SEQ] [--dossier CODE] [--format ndjson|csv|xes|ocel]

        Writes the stored events as contract output lines (the input fields
        plus seq, version, recordedAt and hash), in seq order. With --dossier,
        reads only that dossier's stream. --format csv writes the same as a
        spreadsheet (UTF-8 with a byte-order mark, data as JSON text);
        --format xes writes an IEEE 1849 XES log, one trace per dossier, for
        process-mining tools; --format ocel writes the whole log as an OCEL
        2.0 JSON object-centric log (dossiers, officers, agencies and
        procedures as objects, every event related to the objects it
        touches), for PM4Py and other object-centric tools.
        """,
        "history": """
        usage: dossier-ledger [--ledger DIR] history CODE [--format table|ndjson]

        Prints one dossier's events in version order: a readable table, or
        the contract lines with --format ndjson.
        """,
        "verify": """
        usage: dossier-ledger [--ledger DIR] verify [--from SEQ] [--head SEQ:HASH]

        Recomputes the hash chain (each hash = SHA-256 of the previous hash
        and the event's canonical encoding) over the log, or from SEQ on, and
        checks that seqs are gapless; names the first seq that does not
        match. Over the whole log (no --from), it also checks that the id
        index maps each event's id (or content digest) to its seq and holds
        nothing else. At the same time, on the other core, folds every dossier again
        from its stream, a chunk at a time (each stream entry must name an
        event of its dossier at its version, and the streams must cover the
        log), and reports any difference from the live projections.
        --head SEQ:HASH (the head seq and hash an auditor wrote down from
        `stats`) also proves the log was only appended to since. Exit 0 only
        if everything holds.
        """,
        "show": """
        usage: dossier-ledger [--ledger DIR] show CODE [--format table|json]

        One dossier's current state: stage, procedure (the definition in force
        at reception), agency, channel, received and due instants (working
        time, pauses applied), current holder and step, pause, apology,
        outcome once processed, supplement requests.
        """,
        "dossiers": """
        usage: dossier-ledger [--ledger DIR] dossiers [--agency A] [--state S] [--format table|ndjson|csv]

        Lists dossiers with their state. States: new, submitted, received,
        in_progress, awaiting_supplement, awaiting_obligation, processed,
        returned, rejected, withdrawn, suspended.
        """,
        "violations": """
        usage: dossier-ledger [--ledger DIR] violations [--agency A] [--code C] [--as-of T] [--format table|ndjson|csv]
                              [--reception-hours 8] [--backdated-hours 24]

        The rules of DOMAIN.md broken by each dossier, with the responsible
        officer and the seqs of the events that prove it: late,
        late_without_apology, overdue_in_progress, step_overdue,
        repeated_supplement, late_reception, backdated_entry. Rules that
        depend on "now" are evaluated at --as-of (RFC 3339, or a date meaning
        the end of that day; default the current time).
        """,
        "kpi": """
        usage: dossier-ledger [--ledger DIR] kpi [--agency A] [--rollup] [--period day|month|quarter|year]
                              [--from D] [--to D] [--as-of T] [--bands RATE=G,Y,O;...] [--format table|ndjson|csv]

        KPI counts per agency and period (each count in the local period of
        the event it counts), with --rollup adding every agency's figures to
        the agencies above it. Rates get colour bands: green >= 90 %, yellow
        >= 75 %, orange >= 50 %, red below; change them per rate with e.g.
        --bands "onTimeRate=95,85,60". Bands are coloured on a terminal and
        written as words otherwise (NO_COLOR turns colour off).
        """,
        "report": """
        usage: dossier-ledger [--ledger DIR] report 06a [--agency A] [--rollup] [--by procedure]
                              [--period day|month|quarter|year] [--from D] [--to D] [--as-of T|--known-at T]
                              [--format table|ndjson|csv] [--explain COLUMN]

        Form 06a, the periodic report on dossier handling: per agency (and
        procedure with --by procedure) and period (month by default), the
        dossiers carried over, received (online, direct, postal), processed
        (early, on time, late), ended otherwise, and open at the period's
        end in progress or paused (not due, overdue). Only received
        dossiers count; the books balance on every row. --rollup adds each
        agency with the agencies under it. The table has the form's
        two-level header and a totals row per period; CSV opens in
        spreadsheet programs with Vietnamese names intact.
        --explain COLUMN (e.g. processedLate) lists the dossiers behind that
        column of each row: the dossier, the instant and seq that put it there.
        """,
        "scorecard": """
        usage: dossier-ledger [--ledger DIR] scorecard [--agency A] [--rollup] [--period month|quarter|year]
                              [--from D] [--to D] [--as-of T|--known-at T] [--format table|ndjson|csv]
                              [--explain CODE] [--rules]

        The national index set of Decision 766 as far as the ledger measures
        it (progress, online service, online payment, digitisation,
        satisfaction), per agency and period (quarter by default), ranked by
        the percentage of the measured maximum, with green / yellow / orange
        / red bands. An indicator over zero dossiers is not measured (–), not
        zero. Each period is scored with the rules in force at its end: the
        national table, or the last scorecard.defined before it; --rules
        prints them. --explain CODE (e.g. P1) lists the dossiers behind that
        indicator's numerator and denominator (a pair indicator lists each
        agency-procedure pair by its first dossier).
        """,
        "deadlines": """
        usage: dossier-ledger [--ledger DIR] deadlines [--agency A] [--holder OFFICER] [--bucket overdue|due_soon|not_due]
                              [--within HOURS] [--as-of T|--known-at T] [--format table|ndjson|csv]

        Every open dossier at T (default now), most urgent first: overdue
        (past its due instant), due_soon (clock running, at most --within
        working hours left, 8 by default), not_due (also while the clock is
        stopped by a pause begun before the due instant). Each line gives the
        due instant (none while the clock is stopped), the working hours left
        (negative when overdue), the holder and step, and the working hours
        left of the step's budget. `subscribe NAME --projection deadlines`
        follows the crossings between buckets as they happen.
        """,
        "targets": """
        usage: dossier-ledger [--ledger DIR] targets [--agency A] [--officer ID] [--period P]
                              [--as-of T|--known-at T] [--format table|ndjson|csv]

        The targets (target.assigned) in force at T (default now): for each,
        the value so far, the target, the gap (value − target), the value
        projected to the period's end, and the status: met or missed once the
        period has ended; while it runs, on_track when the projection reaches
        the target, at_risk when it does not; no_data while nothing is counted.
        Without --period: every target whose period (year, quarter or month)
        holds T, over that period. With --period 2026, 2026-Q2 or 2026-05:
        each holder's target for that period — a year's target applies to
        each of its quarters and months that have none of their own, a
        quarter's to its months. An agency's target is measured on the agency
        with the agencies under it; an officer's on what they did (dossiers
        they received, processed while holding, steps they held). --agency A
        shows A, the agencies under it and their officers; an agency's row
        counts how many of its officers and direct sub-units with targets in
        the period are on course (every target met or on track).

        The projection assumes the pace of the last 30 days for the rest of
        the period: the counts so far plus those of the last 30 days scaled
        to the time left. In a period's first 30 days, once it has ended, and
        for indicators counting pairs or open dossiers (O1, O2, T1, P1), it is
        the value so far. `subscribe NAME --projection targets` follows the
        status changes.
        """,
        "rebuild": """
        usage: dossier-ledger [--ledger DIR] rebuild

        Drops the projections (dossier states, violations, KPI day counters,
        the open dossiers) and folds them again from the log, with progress,
        in one transaction: readers see the old ones until it commits. They
        all derive from one fold of the dossier streams, so they are rebuilt
        together. A rebuild killed before it commits leaves the old ones.

        Dossiers are folded a chunk at a time in code order, so memory does
        not grow with their number; DOSSIER_LEDGER_FOLD_CHUNK sets the
        dossiers per chunk (32768; verify uses it too).
        """,
        "sync": """
        usage: dossier-ledger [--ledger DIR] sync postgres --database URL [--follow] [--batch N]
               dossier-ledger [--ledger DIR] sync postgres --database URL --check

        Streams the ledger into a PostgreSQL database (the national warehouse)
        through psql, PostgreSQL's client (Debian: apt-get install
        postgresql-client), with COPY. The ledger needs a province
        (`init --province CODE`); the first ledger to sync a province claims it,
        another is refused. The schema `dossier_ledger` is created and migrated
        by the tool (the database user needs no superuser right).
        Exactly once: the position (ledger id, seq, head hash) lives in
        PostgreSQL and moves in the transaction of the rows it covers; a sync
        resumes from it after any interruption. Events go in batches of N
        (--batch, default 50000), one transaction each; then the dossier
        states, the KPI day counters, the report counts and the scorecard
        rules, in one more. Views: dossier_ledger.kpi (by province, month,
        quarter, year), dossier_ledger.scorecard (by province and quarter, with
        the national rank and the head it was computed from).
        --follow stays running: events committed by any process are in
        PostgreSQL within a second; the projections follow once no commit has
        come for 2 s, at least every minute while commits keep coming, and
        every 5 minutes while idle.
        --check recomputes the hash chain over the rows in PostgreSQL and
        compares it with the ledger, naming the first seq that differs (exit 65).
        """,
        "site": """
        usage: dossier-ledger [--ledger DIR] site --out DIR [--as-of T|--known-at T] [--period month|quarter|year]
                                             [--list N] [--follow]

        Writes a static HTML site to DIR (created when missing; an existing
        DIR must be empty or a site written by this command). Open
        DIR/index.html in a browser, from the disk or a web server: pages
        load nothing from outside and need no script.
          index.html         the province's scorecard for the last period (score,
                             band, points per group), its trend, the agencies ranked
                             with their bands, deadline warnings by bucket, the most
                             common violations
          agency/A.html      per agency (with the agencies under it): the scorecard
                             with numerators, denominators and the dossiers that
                             cost points, trends, form 06a per period, warnings,
                             dossiers processed late, officers over budget
          officer/O.html     per officer named on a page: the accountability record
          dossier/D.html     per dossier listed: the timeline, holds against step
                             budgets (Gantt chart), form 05, pauses, due instant,
                             violations — printable on A4
        Each list names at most N dossiers (--list, default 10), so the site has at
        most agencies × (3 + indicators) × N + 15 dossier pages, whatever the
        province's size. --period sets the periods of the tables and charts
        (default quarter); the last one is shown. Every page's footer names the
        ledger's head seq and hash and the `verify --head` command that proves it.
        --follow stays running and rewrites the pages that changed after each
        commit by any process (each page written to a temporary file and renamed).
        """,
        "audit": """
        usage: dossier-ledger [--ledger DIR] audit dossier CODE [--as-of T|--known-at T] [--format table|json|html]
               dossier-ledger [--ledger DIR] audit officer ID [--from D] [--to D] [--format table|json]
               dossier-ledger [--ledger DIR] audit delays [--agency A] [--from D] [--to D] [--by step|officer|procedure|agency]
               dossier-ledger [--ledger DIR] audit handovers [--agency A] [--from D] [--to D]

        dossier: every event with who and when, every hold of the process
        control slip (officer, step, from, to, working hours held, step
        budget, early/on-time/late), every pause with its working hours, how
        the due instant moved, the apology, the violations with their
        evidence seqs, and the entries recorded late. --format html writes
        the page `site` writes for it (a Gantt chart of the holds, printable
        on A4 as the process control slip) to stdout.
        officer: dossiers handled, steps held, total and median working hours
        held, steps over budget, supplement requests and repeats, dossiers
        that went late while the officer held them (holds begun in the period).
        delays: per group, count, median, 90th percentile and total working
        hours held, and the share over budget, ranked by total.
        handovers: who hands dossiers to whom, with counts and the median
        working time held before the handover.
        Hours are given to the hundredth: a median or percentile is the exact
        one, rounded to the hundredth of an hour.
        All take --as-of T or --known-at T to replay the ledger at a past instant.
        """,
        "replay": """
        usage: dossier-ledger [--ledger DIR] replay --as-of T|--known-at T --out OUTDIR

        Folds the log as of T — what had happened by T (--as-of), or what
        the ledger knew at T (--known-at) — without touching the live
        projections, and writes the result to a new directory of read-only
        files: dossiers.ndjson, violations.ndjson (evaluated at T),
        kpi-days.ndjson and manifest.json (the instant, the ledger's head
        seq and hash at the time of the replay).
        """,
        "subscribe": """
        usage: dossier-ledger [--ledger DIR] subscribe NAME [--from-start|--from SEQ] [--types T,...] [--agency A]
                              [--follow] [--ack-file PATH] [--projection dossiers|violations|kpi|deadlines|targets] [--within HOURS]

        Writes contract output lines after the subscription's checkpoint,
        in seq order; with --follow, keeps waiting and writes new events as
        any process commits them. --from SEQ moves the checkpoint to just
        before SEQ, even past the log's end; no line then comes from an
        event before SEQ. The checkpoint (stored in the ledger) advances
        once lines are written and flushed, or, with --ack-file,
        only to the seq the consumer writes into that file (at-least-once:
        each line carries its seq). Filters never break order or checkpoints:
        events filtered out still move the checkpoint. --projection emits one
        line per change of that projection: the seq, the dossier and its new
        row (dossiers) or violations, or each changed KPI day row (kpi); a
        dossier's row is the one `dossiers` listed right after that event.
        --projection deadlines emits a line each time a dossier enters or
        leaves due_soon or overdue (window: --within working hours, 8 by
        default), whether an event moved it or time alone did: the dossier,
        from, to ("ended" once processed or ended), at, cause (event or time),
        and an id that stays the same when a restart repeats the line.
        --projection targets emits a line each time a target's status changes
        (events, a revision, the pace or the period's end moved it) and one
        for each target newly in force: holder, measure, period, from, to,
        the values of `targets`, and an id. Statuses are evaluated once the
        feed has caught up, and every minute while idle; after a long
        absence it reports the change from the last status it reported.
        """,
        "subscriptions": """
        usage: dossier-ledger [--ledger DIR] subscriptions [--format table|ndjson]

        Lists the subscriptions with their checkpoint, lag behind the head,
        and when they last acknowledged.
        """,
        "generate": """
        usage: dossier-ledger generate [--dossiers N] [--seed S] [--from YEAR] [--years K]

        Writes contract NDJSON for a plausible province to stdout,
        deterministically for a seed, streaming in bounded memory.
        """,
        "demo": """
        usage: dossier-ledger [--ledger DIR] demo [--dossiers N] [--seed S] [--from YEAR] [--years K]

        Generates a province (50,000 dossiers over 2025 by default), imports
        it into a fresh ledger (./demo-ledger unless --ledger is given; it
        replaces only a ledger it made) and prints the KPI table by agency,
        the most common violations, the officers most over budget and one
        late dossier's audit, then the commands to try next.
        """,
        "stats": """
        usage: dossier-ledger [--ledger DIR] stats

        Prints the event and dossier counts, the bytes the ledger occupies,
        bytes per event, and the head seq and hash (write them down to prove
        later that the log was only appended to).
        """,
    ]
}
