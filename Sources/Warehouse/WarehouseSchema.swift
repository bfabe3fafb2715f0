import DossierRules
import Projections

/// The warehouse's tables, functions and views in PostgreSQL (schema
/// `dossier_ledger`), created and migrated by the sync itself: each
/// migration runs once, in its own transaction, recorded in
/// `dossier_ledger.schema_version`. Everything is owned by the database
/// user that syncs; no superuser right is needed (only CREATE on the
/// database, which its owner has).
///
/// Partitioning: `events` by province (LIST), each province's by local
/// month of `at` (RANGE), the partitions created as the first event of a
/// month arrives.
enum WarehouseSchema {
    static let schema = "dossier_ledger"

    /// The migrations, version 1 first. Append only: a released migration never changes.
    static let migrations: [String] = [
        """
        CREATE TABLE dossier_ledger.provinces (
            province text PRIMARY KEY,
            ledger_id text NOT NULL UNIQUE,
            seq bigint NOT NULL DEFAULT 0,
            head_hash text NOT NULL DEFAULT '',
            projections_seq bigint NOT NULL DEFAULT 0,
            projections_hash text NOT NULL DEFAULT '',
            projections_as_of timestamptz,
            claimed_at timestamptz NOT NULL DEFAULT now(),
            synced_at timestamptz
        );
        COMMENT ON TABLE dossier_ledger.provinces IS 'One row per province ledger: its id and how far each part is synced (seq, and the hash of the event at seq).';
        CREATE TABLE dossier_ledger.sync_commits (
            province text NOT NULL REFERENCES dossier_ledger.provinces,
            part text NOT NULL,
            from_seq bigint NOT NULL,
            through_seq bigint NOT NULL,
            head_hash text NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (province, part, through_seq, committed_at)
        );
        CREATE TABLE dossier_ledger.events (
            province text NOT NULL,
            seq bigint NOT NULL,
            dossier text,
            type text NOT NULL,
            at timestamptz NOT NULL,
            at_text text NOT NULL,
            recorded_at timestamptz NOT NULL,
            recorded_at_text text NOT NULL,
            actor text,
            id text,
            version integer,
            expected_version integer,
            data jsonb NOT NULL,
            hash text NOT NULL,
            PRIMARY KEY (province, seq, at)
        ) PARTITION BY LIST (province);
        COMMENT ON TABLE dossier_ledger.events IS 'Every event of every province ledger, keyed by (province, seq); partitioned by province, then by local month of at.';
        CREATE TABLE dossier_ledger.dossiers (
            province text NOT NULL,
            dossier text NOT NULL,
            version integer NOT NULL,
            last_seq bigint NOT NULL,
            agency text,
            procedure text,
            channel text,
            stage text NOT NULL,
            received_at timestamptz,
            due_at timestamptz,
            processed_at timestamptz,
            outcome text,
            state jsonb NOT NULL,
            PRIMARY KEY (province, dossier)
        );
        CREATE TABLE dossier_ledger.kpi_days (
            province text NOT NULL, agency text NOT NULL, day date NOT NULL,
            received bigint NOT NULL, received_online bigint NOT NULL, received_online_eligible bigint NOT NULL,
            processed bigint NOT NULL, early bigint NOT NULL, on_time bigint NOT NULL, late bigint NOT NULL,
            fees_paid bigint NOT NULL, fees_paid_online bigint NOT NULL, input_digitised bigint NOT NULL,
            result_digitised bigint NOT NULL, repeated_supplement bigint NOT NULL, ratings bigint NOT NULL, rating_sum bigint NOT NULL,
            PRIMARY KEY (province, agency, day)
        );
        CREATE TABLE dossier_ledger.report_counts (
            province text NOT NULL, agency text NOT NULL, procedure text NOT NULL,
            quarter integer NOT NULL, period text NOT NULL, count_kind text NOT NULL, n bigint NOT NULL,
            PRIMARY KEY (province, quarter, agency, procedure, count_kind)
        );
        COMMENT ON TABLE dossier_ledger.report_counts IS 'Per province, dossier agency, procedure and quarter: the counts of REPORTS.md that form 06a and the scorecard sum (the ledger''s ReportCount), as of projections_as_of.';
        CREATE TABLE dossier_ledger.scorecard_rules (
            province text NOT NULL, quarter integer NOT NULL, period text NOT NULL, scorecard text NOT NULL,
            position integer NOT NULL, code text NOT NULL, grp text NOT NULL, measure text NOT NULL,
            points float8 NOT NULL, target float8 NOT NULL, green float8 NOT NULL, yellow float8 NOT NULL, orange float8 NOT NULL,
            PRIMARY KEY (province, quarter, code)
        );
        CREATE TABLE dossier_ledger.measure_parts (
            measure text NOT NULL, side text NOT NULL, pairs boolean NOT NULL, kinds text[] NOT NULL,
            PRIMARY KEY (measure, side)
        );

        CREATE FUNCTION dossier_ledger.advance(p_province text, p_ledger text, p_part text, p_from bigint, p_through bigint, p_hash text)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            owner text;
            current bigint;
            waits integer := 0;
        BEGIN
            -- The batch before this one may be loading in another session: wait until it has committed
            -- (each statement here sees what committed since the last), at most a minute.
            LOOP
                SELECT ledger_id, CASE WHEN p_part = 'events' THEN seq ELSE projections_seq END INTO owner, current
                  FROM dossier_ledger.provinces WHERE province = p_province;
                EXIT WHEN owner IS NULL OR owner <> p_ledger OR current >= p_from;
                waits := waits + 1;
                IF waits > 6000 THEN
                    RAISE EXCEPTION 'the % of province % stay synced through seq %, short of %: the batch before this one did not commit',
                        p_part, p_province, current, p_from;
                END IF;
                PERFORM pg_sleep(0.01);
            END LOOP;
            SELECT ledger_id, CASE WHEN p_part = 'events' THEN seq ELSE projections_seq END INTO owner, current
              FROM dossier_ledger.provinces WHERE province = p_province FOR UPDATE;
            IF owner IS NULL THEN
                RAISE EXCEPTION 'province % is not claimed by any ledger', p_province;
            END IF;
            IF owner <> p_ledger THEN
                RAISE EXCEPTION 'province % is synced from ledger %, not from ledger %', p_province, owner, p_ledger;
            END IF;
            IF current <> p_from THEN
                RAISE EXCEPTION 'the % of province % are synced through seq %, not %: another sync moved them; sync again', p_part, p_province, current, p_from;
            END IF;
            IF p_part = 'events' THEN
                UPDATE dossier_ledger.provinces SET seq = p_through, head_hash = p_hash, synced_at = clock_timestamp() WHERE province = p_province;
            ELSE
                UPDATE dossier_ledger.provinces SET projections_seq = p_through, projections_hash = p_hash, projections_as_of = clock_timestamp()
                 WHERE province = p_province;
            END IF;
            INSERT INTO dossier_ledger.sync_commits (province, part, from_seq, through_seq, head_hash)
                VALUES (p_province, p_part, p_from, p_through, p_hash);
        END $$;

        CREATE FUNCTION dossier_ledger.part_value(p_province text, p_quarter integer, p_measure text, p_side text)
        RETURNS bigint LANGUAGE sql STABLE AS $$
            SELECT CASE WHEN mp.pairs THEN
                (SELECT count(*) FROM (
                    SELECT c.agency, c.procedure FROM dossier_ledger.report_counts c
                     WHERE c.province = p_province AND c.quarter = p_quarter AND c.count_kind = ANY (mp.kinds) AND c.n > 0
                     GROUP BY c.agency, c.procedure
                    HAVING count(DISTINCT c.count_kind) = cardinality(mp.kinds)) qualifying)
            ELSE
                (SELECT coalesce(sum(c.n), 0)::bigint FROM dossier_ledger.report_counts c
                  WHERE c.province = p_province AND c.quarter = p_quarter AND c.count_kind = ANY (mp.kinds))
            END
            FROM dossier_ledger.measure_parts mp WHERE mp.measure = p_measure AND mp.side = p_side
        $$;

        CREATE VIEW dossier_ledger.kpi AS
        WITH periods AS (
            SELECT 'month' AS period_kind, to_char(day, 'YYYY-MM') AS period, k.* FROM dossier_ledger.kpi_days k
            UNION ALL
            SELECT 'quarter', to_char(day, 'YYYY') || '-Q' || extract(quarter FROM day)::int, k.* FROM dossier_ledger.kpi_days k
            UNION ALL
            SELECT 'year', to_char(day, 'YYYY'), k.* FROM dossier_ledger.kpi_days k
        ), sums AS (
            SELECT province, period_kind, period,
                   sum(received) AS received, sum(received_online) AS received_online, sum(received_online_eligible) AS received_online_eligible,
                   sum(processed) AS processed, sum(early) AS early, sum(on_time) AS on_time, sum(late) AS late,
                   sum(fees_paid) AS fees_paid, sum(fees_paid_online) AS fees_paid_online, sum(input_digitised) AS input_digitised,
                   sum(result_digitised) AS result_digitised, sum(repeated_supplement) AS repeated_supplement,
                   sum(ratings) AS ratings, sum(rating_sum) AS rating_sum
              FROM periods GROUP BY province, period_kind, period
        )
        SELECT s.*,
               round((s.early + s.on_time)::numeric / nullif(s.processed, 0), 4) AS on_time_rate,
               round(s.received_online::numeric / nullif(s.received_online_eligible, 0), 4) AS online_share,
               round(s.fees_paid_online::numeric / nullif(s.fees_paid, 0), 4) AS online_payment_rate,
               round(s.input_digitised::numeric / nullif(s.received, 0), 4) AS input_digitisation_rate,
               round(s.result_digitised::numeric / nullif(s.processed, 0), 4) AS result_digitisation_rate,
               round(s.rating_sum::numeric / nullif(s.ratings, 0), 2) AS satisfaction
          FROM sums s;
        COMMENT ON VIEW dossier_ledger.kpi IS 'KPIs of each province (all its agencies) by month, quarter and year: the counters and rates of the ledger''s kpi --rollup, from the synced day counters.';

        CREATE VIEW dossier_ledger.scorecard_indicators AS
        SELECT r.province, r.quarter, r.period, r.scorecard, r.position, r.code, r.grp, r.measure, r.points AS max_points, r.target,
               r.green, r.yellow, r.orange, v.numerator, v.denominator,
               CASE WHEN v.denominator > 0 THEN v.numerator::float8 / v.denominator END AS ratio,
               CASE WHEN v.denominator > 0 THEN r.points * least(1.0, (v.numerator::float8 / v.denominator) / r.target) END AS points
          FROM dossier_ledger.scorecard_rules r
          CROSS JOIN LATERAL (SELECT dossier_ledger.part_value(r.province, r.quarter, r.measure, 'numerator') AS numerator,
                                     dossier_ledger.part_value(r.province, r.quarter, r.measure, 'denominator') AS denominator) v;

        CREATE VIEW dossier_ledger.scorecard AS
        WITH scored AS (
            SELECT province, quarter, period, scorecard, min(green) AS green, min(yellow) AS yellow, min(orange) AS orange,
                   sum(coalesce(points, 0) ORDER BY position) AS score,
                   sum(CASE WHEN points IS NULL THEN 0 ELSE max_points END ORDER BY position) AS measured_max,
                   jsonb_object_agg(code, jsonb_build_object('numerator', numerator, 'denominator', denominator,
                                                             'points', round(coalesce(points, 0)::numeric, 2))) AS indicators
              FROM dossier_ledger.scorecard_indicators
             GROUP BY province, quarter, period, scorecard
            HAVING bool_or(denominator > 0)
        ), pct AS (
            SELECT s.*, CASE WHEN measured_max > 0 THEN 100 * score / measured_max ELSE 0 END AS score_percent FROM scored s
        )
        SELECT p.province, p.period, round(p.score::numeric, 2) AS score, round(p.measured_max::numeric, 2) AS measured_max,
               round(p.score_percent::numeric, 2) AS score_percent,
               CASE WHEN p.score_percent >= p.green THEN 'green' WHEN p.score_percent >= p.yellow THEN 'yellow'
                    WHEN p.score_percent >= p.orange THEN 'orange' ELSE 'red' END AS band,
               rank() OVER (PARTITION BY p.period ORDER BY p.score_percent DESC, p.score DESC) AS national_rank,
               p.indicators, p.scorecard, v.projections_seq AS head_seq, v.projections_hash AS head_hash, v.projections_as_of AS as_of
          FROM pct p JOIN dossier_ledger.provinces v USING (province);
        COMMENT ON VIEW dossier_ledger.scorecard IS 'The 766 scorecard of each province by quarter, ranked nationally, with the ledger head it was computed from.';
        """,
    ]

    /// The psql script that brings the schema to the last version: each
    /// missing migration in its own transaction, under a lock so two syncs
    /// starting at once apply it once.
    static var migrationScript: String {
        var script = """
        CREATE SCHEMA IF NOT EXISTS dossier_ledger;
        CREATE TABLE IF NOT EXISTS dossier_ledger.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());

        """
        for (i, migration) in migrations.enumerated() {
            let version = i + 1
            script += """
            BEGIN;
            LOCK TABLE dossier_ledger.schema_version IN SHARE ROW EXCLUSIVE MODE;
            SELECT NOT EXISTS (SELECT 1 FROM dossier_ledger.schema_version WHERE version = \(version)) AS needed \\gset
            \\if :needed
            \(migration)
            INSERT INTO dossier_ledger.schema_version (version) VALUES (\(version));
            \\endif
            COMMIT;

            """
        }
        // What each scorecard measure counts, from the ledger's own definitions (ScorecardMeasure.numerator/denominator).
        script += "BEGIN;\nDELETE FROM dossier_ledger.measure_parts;\nINSERT INTO dossier_ledger.measure_parts VALUES\n"
        var rows: [String] = []
        for measure in ScorecardMeasure.allCases {
            for (side, part) in [("numerator", measure.numerator), ("denominator", measure.denominator)] {
                let (pairs, kinds): (Bool, [ReportCount]) = switch part {
                case .dossiers(let kinds): (false, kinds)
                case .pairs(let having, _): (true, having)
                }
                rows.append("(\(SQL.literal(measure.rawValue)), \(SQL.literal(side)), \(pairs), ARRAY[\(kinds.map { SQL.literal($0.name) }.joined(separator: ", "))]::text[])")
            }
        }
        script += rows.joined(separator: ",\n") + ";\nCOMMIT;\n"
        return script
    }

    static var version: Int { migrations.count }
}
