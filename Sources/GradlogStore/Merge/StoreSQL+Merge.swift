/// The SQL of `GradLog.merge`: one input file, attached read-only as `merge_input`, copied into
/// the log's own file inside one IMMEDIATE transaction. Temporary tables map the input's ids
/// (runs, graphs, trainings) to the log's: a run the log holds already (the same `uuid`) maps
/// to it and is not copied again; a new one takes the next id, in the input's order.
///
/// The input's schema is verified first, at its own version: the tables read here have had
/// these columns since the migration that made them, except `run.seed`, `run.capture`
/// (0005), `gradcheck.element...` (0005) and the `uuid`s (0008), which the statements below
/// fill in for an older file; tables an older file does not have are not read.
extension StoreSQL {
    enum Merge {
        static let schema = "merge_input"
        static let attach = "ATTACH ?1 AS merge_input"
        static let detach = "DETACH merge_input"
        static let probe = "SELECT count(*) FROM merge_input.sqlite_schema"

        static let prepareMaps = """
            CREATE TEMP TABLE IF NOT EXISTS merge_run (
                src_id INTEGER PRIMARY KEY, dst_id INTEGER NOT NULL, uuid TEXT NOT NULL,
                is_new INTEGER NOT NULL, src_graph INTEGER NOT NULL, carries_structure INTEGER NOT NULL DEFAULT 0);
            CREATE TEMP TABLE IF NOT EXISTS merge_graph (src_id INTEGER PRIMARY KEY, dst_id INTEGER, is_new INTEGER NOT NULL);
            CREATE TEMP TABLE IF NOT EXISTS merge_training (
                src_id INTEGER PRIMARY KEY, dst_id INTEGER NOT NULL, uuid TEXT NOT NULL, is_new INTEGER NOT NULL,
                advances INTEGER NOT NULL DEFAULT 0);
            DELETE FROM temp.merge_run;
            DELETE FROM temp.merge_graph;
            DELETE FROM temp.merge_training;
            """

        /// The input's run and training uuids, or for a file from before 0008 the ones its
        /// migration would give them (0008_run_uuid.sql; the same arguments to legacy_uuid).
        static func runUUID(version: Int) -> String {
            version >= 8 ? "r.uuid" : """
                legacy_uuid('run', (SELECT applied_at FROM merge_input.gradlog_migration WHERE version = 1), r.id, r.created_at,
                    (SELECT g.program_sha256 FROM merge_input.graph g WHERE g.id = r.graph_id),
                    (SELECT quote(v.value) FROM merge_input.graph g JOIN merge_input.run_node v ON v.run_id = r.id AND v.id = g.output_id
                     WHERE g.id = r.graph_id))
                """
        }

        static func trainingUUID(version: Int) -> String {
            version >= 8 ? "t.uuid" : """
                legacy_uuid('training', (SELECT applied_at FROM merge_input.gradlog_migration WHERE version = 1), t.id, t.created_at,
                    t.program_sha256, t.options)
                """
        }

        /// Every complete run of the input: the log's run of the same uuid, or the next free id.
        static func mapRuns(version: Int) -> String {
            """
            INSERT INTO temp.merge_run (src_id, dst_id, uuid, is_new, src_graph)
            SELECT s.id,
                   coalesce(s.known, (SELECT coalesce(max(id), 0) FROM main.run)
                       + sum(s.known IS NULL) OVER (ORDER BY s.id ROWS UNBOUNDED PRECEDING)),
                   s.uuid, s.known IS NULL, s.graph_id
            FROM (SELECT k.*, (SELECT m.id FROM main.run m WHERE m.uuid = k.uuid) AS known
                  FROM (SELECT r.id, r.graph_id, \(runUUID(version: version)) AS uuid
                        FROM merge_input.run r WHERE r.status = 'complete') k) s
            ORDER BY s.id
            """
        }

        /// The graphs of those runs: the log's graph of the same program text (by SHA-256), or
        /// the graph that a run copied before went to, or a new one (numbered by `numberGraphs`).
        static let mapGraphs = """
            INSERT INTO temp.merge_graph (src_id, dst_id, is_new)
            SELECT id, found, found IS NULL
            FROM (SELECT g.id, coalesce(
                      (SELECT d.id FROM main.graph d WHERE d.program_sha256 = g.program_sha256),
                      (SELECT m.graph_id FROM temp.merge_run x JOIN main.run m ON m.id = x.dst_id
                       WHERE x.src_graph = g.id AND NOT x.is_new LIMIT 1)) AS found
                  FROM merge_input.graph g
                  WHERE g.id IN (SELECT src_graph FROM temp.merge_run))
            """
        static let numberGraphs = """
            UPDATE temp.merge_graph SET dst_id = n.base + n.k
            FROM (SELECT src_id, row_number() OVER (ORDER BY src_id) AS k, (SELECT coalesce(max(id), 0) FROM main.graph) AS base
                  FROM temp.merge_graph WHERE is_new) n
            WHERE n.src_id = merge_graph.src_id
            """

        /// A graph shared by program text must be the same structure: the input's program hash,
        /// node count, output and every node's name, op, inputs and line. The first one that is
        /// not: the input's graph id and the log's.
        static let differentStructure = """
            SELECT m.src_id, m.dst_id FROM temp.merge_graph m
            JOIN merge_input.graph s ON s.id = m.src_id
            JOIN main.graph d ON d.id = m.dst_id
            WHERE NOT m.is_new AND (s.node_count <> d.node_count OR s.output_id <> d.output_id
                OR s.program_sha256 IS NOT d.program_sha256
                OR EXISTS (SELECT id, name, op, in0_back, in1_back, line FROM merge_input.graph_node WHERE graph_id = s.id
                           EXCEPT SELECT id, name, op, in0_back, in1_back, line FROM main.graph_node WHERE graph_id = d.id))
            LIMIT 1
            """
        /// A new graph's structure is on its structure run's rows: that run must be copied too.
        static let missingStructureRun = """
            SELECT m.src_id, s.structure_run_id FROM temp.merge_graph m
            JOIN merge_input.graph s ON s.id = m.src_id
            WHERE m.is_new AND NOT EXISTS (SELECT 1 FROM temp.merge_run r WHERE r.src_id = s.structure_run_id AND r.is_new)
            LIMIT 1
            """

        static let copyGraphs = """
            INSERT INTO main.graph (id, program, program_deflate, program_bytes, program_sha256, node_count, output_id, structure_run_id)
            SELECT m.dst_id, s.program, s.program_deflate, s.program_bytes, s.program_sha256, s.node_count, s.output_id, r.dst_id
            FROM temp.merge_graph m
            JOIN merge_input.graph s ON s.id = m.src_id
            JOIN temp.merge_run r ON r.src_id = s.structure_run_id
            WHERE m.is_new ORDER BY m.dst_id
            """
        static let copyGraphInputs = """
            INSERT INTO main.graph_input (graph_id, position, name, node_id)
            SELECT m.dst_id, i.position, i.name, i.node_id
            FROM temp.merge_graph m JOIN merge_input.graph_input i ON i.graph_id = m.src_id
            WHERE m.is_new
            """
        /// 0005 and later.
        static let copyNodeAxes = """
            INSERT INTO main.node_axis (graph_id, node_id, axis)
            SELECT m.dst_id, a.node_id, a.axis
            FROM temp.merge_graph m JOIN merge_input.node_axis a ON a.graph_id = m.src_id
            WHERE m.is_new
            """

        static func copyRuns(version: Int) -> String {
            let seedAndCapture = version >= 5 ? "r.seed, r.capture" : "NULL, NULL"
            return """
                INSERT INTO main.run (id, name, created_at, status, graph_id, program_path, tool_version, sqlite_version, seed, capture, uuid)
                SELECT m.dst_id, r.name, r.created_at, r.status, g.dst_id, r.program_path, r.tool_version, r.sqlite_version,
                       \(seedAndCapture), m.uuid
                FROM temp.merge_run m
                JOIN merge_input.run r ON r.id = m.src_id
                JOIN temp.merge_graph g ON g.src_id = m.src_graph
                WHERE m.is_new ORDER BY m.dst_id
                """
        }

        /// The nodes of the new runs, in key order. A run's rows carry the structure columns
        /// only when it is the structure run of a graph copied with it; a run whose graph the
        /// log had already reads its structure from there.
        static let markStructureRuns = """
            UPDATE temp.merge_run SET carries_structure = 1
            WHERE is_new AND src_id IN (SELECT s.structure_run_id FROM temp.merge_graph g
                                        JOIN merge_input.graph s ON s.id = g.src_id WHERE g.is_new)
            """
        static let copyNodes = """
            INSERT INTO main.run_node (run_id, id, value, grad, d0, d1, name, op, in0_back, in1_back, line_offset)
            SELECT m.dst_id, v.id, v.value, v.grad, v.d0, v.d1,
                   CASE WHEN m.carries_structure THEN v.name END, CASE WHEN m.carries_structure THEN v.op END,
                   CASE WHEN m.carries_structure THEN v.in0_back END, CASE WHEN m.carries_structure THEN v.in1_back END,
                   CASE WHEN m.carries_structure THEN v.line_offset END
            FROM temp.merge_run m
            CROSS JOIN merge_input.run_node v ON v.run_id = m.src_id
            WHERE m.is_new
            ORDER BY m.src_id, v.id
            """
        /// 0005 and later.
        static let copyTensorNodes = """
            INSERT INTO main.tensor_node
            SELECT m.dst_id, t.id, t.shape, t.numel,
                   t.value_nan, t.value_pinf, t.value_ninf, t.value_zero, t.value_min, t.value_max, t.value_mean, t.value_norm,
                   t.grad_nan, t.grad_pinf, t.grad_ninf, t.grad_zero, t.grad_min, t.grad_max, t.grad_mean, t.grad_norm
            FROM temp.merge_run m CROSS JOIN merge_input.tensor_node t ON t.run_id = m.src_id
            WHERE m.is_new
            ORDER BY m.src_id, t.id
            """

        /// The new runs' tags. `sweep=ID` names the sweep's first run and `training=ID` the
        /// training: both are ids of the input, mapped to the log's.
        static let copyTags = """
            INSERT INTO main.run_tag (run_id, key, value)
            SELECT m.dst_id, t.key,
                   CASE t.key
                       WHEN 'sweep' THEN coalesce(
                           (SELECT CAST(x.dst_id AS TEXT) FROM temp.merge_run x WHERE CAST(x.src_id AS TEXT) = t.value), t.value)
                       WHEN 'training' THEN coalesce(
                           (SELECT CAST(x.dst_id AS TEXT) FROM temp.merge_training x WHERE CAST(x.src_id AS TEXT) = t.value), t.value)
                       ELSE t.value END
            FROM temp.merge_run m JOIN merge_input.run_tag t ON t.run_id = m.src_id
            WHERE m.is_new
            """
        /// The merge's own tag (?1 = ?2) on every new run that has no tag of that key yet (a run
        /// merged before, from a merged file, keeps the source it was first given).
        static let tagSource = """
            INSERT INTO main.run_tag (run_id, key, value)
            SELECT dst_id, ?1, ?2 FROM temp.merge_run WHERE is_new
            ON CONFLICT DO NOTHING
            """

        /// Gradient checks of every run of the input, new or copied before (a check made after
        /// the last merge comes in; one the log has already is kept). 0004 and later.
        static func copyGradchecks(version: Int) -> String {
            let elements = version >= 5 ? "c.element, c.elements_checked, c.elements_failed" : "NULL, NULL, NULL"
            return """
                INSERT OR IGNORE INTO main.gradcheck (run_id, eps, atol, rtol, node_id, input, analytic, numeric, abs_error, rel_error,
                                                      passed, checked_at, element, elements_checked, elements_failed)
                SELECT m.dst_id, c.eps, c.atol, c.rtol, c.node_id, c.input, c.analytic, c.numeric, c.abs_error, c.rel_error,
                       c.passed, c.checked_at, \(elements)
                FROM temp.merge_run m JOIN merge_input.gradcheck c ON c.run_id = m.src_id
                """
        }

        /// Every training of the input (0006 and later): the log's of the same uuid, or a new id.
        static func mapTrainings(version: Int) -> String {
            """
            INSERT INTO temp.merge_training (src_id, dst_id, uuid, is_new)
            SELECT s.id,
                   coalesce(s.known, (SELECT coalesce(max(id), 0) FROM main.training)
                       + sum(s.known IS NULL) OVER (ORDER BY s.id ROWS UNBOUNDED PRECEDING)),
                   s.uuid, s.known IS NULL
            FROM (SELECT k.*, (SELECT d.id FROM main.training d WHERE d.uuid = k.uuid) AS known
                  FROM (SELECT t.id, \(trainingUUID(version: version)) AS uuid FROM merge_input.training t) k) s
            ORDER BY s.id
            """
        }
        static let copyTrainings = """
            INSERT INTO main.training (id, name, created_at, program_path, program_sha256, options, seed, status, steps_done,
                                       final_loss, graph_id, uuid)
            SELECT m.dst_id, t.name, t.created_at, t.program_path, t.program_sha256, t.options, t.seed, t.status, t.steps_done,
                   t.final_loss, (SELECT g.dst_id FROM temp.merge_graph g WHERE g.src_id = t.graph_id), m.uuid
            FROM temp.merge_training m
            JOIN merge_input.training t ON t.id = m.src_id
            WHERE m.is_new ORDER BY m.dst_id
            """
        /// A training merged before that has gone further in the input since (it was still
        /// running, or was resumed): its progress is brought up to the input's.
        static let markAdvancingTrainings = """
            UPDATE temp.merge_training SET advances = 1
            WHERE NOT is_new AND (SELECT t.steps_done FROM merge_input.training t WHERE t.id = merge_training.src_id)
                                 > (SELECT d.steps_done FROM main.training d WHERE d.id = merge_training.dst_id)
            """
        static let advanceTrainings = """
            UPDATE main.training
            SET status = t.status, steps_done = t.steps_done, final_loss = t.final_loss,
                graph_id = coalesce(training.graph_id, (SELECT g.dst_id FROM temp.merge_graph g WHERE g.src_id = t.graph_id))
            FROM temp.merge_training m JOIN merge_input.training t ON t.id = m.src_id
            WHERE m.advances AND training.id = m.dst_id
            """
        /// The checkpoints `train --resume` goes on from (0007 and later) are those of the
        /// input for a training new here or gone further there: the input keeps only the ones
        /// it may resume from, and so does the log.
        static let copyCheckpoints = """
            DELETE FROM main.training_checkpoint
            WHERE training_id IN (SELECT dst_id FROM temp.merge_training WHERE advances);
            INSERT INTO main.training_checkpoint (training_id, step, input, kind, data)
            SELECT m.dst_id, c.step, c.input, c.kind, c.data
            FROM temp.merge_training m JOIN merge_input.training_checkpoint c ON c.training_id = m.src_id
            WHERE m.is_new OR m.advances;
            """
        /// Metrics and node statistics of every training of the input; rows the log has are kept.
        static let copyMetrics = """
            INSERT OR IGNORE INTO main.metric (training_id, name, step, value)
            SELECT m.dst_id, x.name, x.step, x.value
            FROM temp.merge_training m JOIN merge_input.metric x ON x.training_id = m.src_id
            """
        static let copyTrainingNodes = """
            INSERT OR IGNORE INTO main.training_node
            SELECT m.dst_id, n.node_id, n.step, n.numel,
                   n.value_nan, n.value_pinf, n.value_ninf, n.value_zero, n.value_min, n.value_max, n.value_mean, n.value_norm,
                   n.grad_nan, n.grad_pinf, n.grad_ninf, n.grad_zero, n.grad_min, n.grad_max, n.grad_mean, n.grad_norm
            FROM temp.merge_training m JOIN merge_input.training_node n ON n.training_id = m.src_id
            """

        static let newRuns = "SELECT src_id, dst_id FROM temp.merge_run WHERE is_new ORDER BY src_id"
        static let countRuns = "SELECT count(*), total(is_new) FROM temp.merge_run"
        static let countNewGraphs = "SELECT count(*) FROM temp.merge_graph WHERE is_new"
        static let countNewTrainings = "SELECT count(*) FROM temp.merge_training WHERE is_new"
    }
}
