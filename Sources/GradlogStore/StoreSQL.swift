/// The SQL the store runs itself, in one place. Users' SQL goes through `GradLog.query`;
/// named queries live in queries/.
enum StoreSQL {
    // Writing a run
    static let nextRunID = "SELECT coalesce(max(id), 0) + 1 FROM run"
    static let findGraph = "SELECT id, node_count FROM graph WHERE program_sha256 = ?1"
    static let insertGraph = """
        INSERT INTO graph (program, program_bytes, program_sha256, node_count, output_id, structure_run_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """
    static let storeCompressedProgram = "UPDATE graph SET program_deflate = ?2 WHERE id = ?1"
    static let insertGraphInput = "INSERT INTO graph_input (graph_id, position, name, node_id) VALUES (?1, ?2, ?3, ?4)"
    static let insertRun = """
        INSERT INTO run (id, name, created_at, status, graph_id, program_path, tool_version, sqlite_version, seed, capture, uuid)
        VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'complete', ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """
    static let insertNodeAxis = "INSERT INTO node_axis (graph_id, node_id, axis) VALUES (?1, ?2, ?3)"
    /// A tensor node's shape and the statistics of its value (?5..?12) and adjoint (?13..?20).
    static let insertTensorNode = """
        INSERT INTO tensor_node (run_id, id, shape, numel,
            value_nan, value_pinf, value_ninf, value_zero, value_min, value_max, value_mean, value_norm,
            grad_nan, grad_pinf, grad_ninf, grad_zero, grad_min, grad_max, grad_mean, grad_norm)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
        """
    /// A node of a graph's first run: numbers and structure.
    static let insertStructureNode = """
        INSERT INTO run_node (run_id, id, value, grad, d0, d1, name, op, in0_back, in1_back, line_offset)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        """
    /// A node of a later run of the same graph: numbers only.
    static let insertNode = "INSERT INTO run_node (run_id, id, value, grad, d0, d1) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    static let insertTag = "INSERT INTO run_tag (run_id, key, value) VALUES (?1, ?2, ?3)"
    /// The planner's statistics, from exact counts (see migrations/0003): rows, then rows per
    /// distinct key prefix, for each index gradlog's views rely on.
    static let refreshStatistics = """
        DELETE FROM sqlite_stat1 WHERE tbl IN ('run_node', 'run', 'graph', 'graph_input');
        INSERT INTO sqlite_stat1 (tbl, idx, stat)
        SELECT 'run_node', 'run_node', nodes || ' ' || max(1, nodes / max(runs, 1)) || ' 1'
        FROM (SELECT coalesce(sum(g.node_count), 0) AS nodes, count(*) AS runs
              FROM run r JOIN graph g ON g.id = r.graph_id)
        UNION ALL
        SELECT 'run', 'run_by_graph', runs || ' ' || max(1, runs / max(graphs, 1))
        FROM (SELECT count(*) AS runs, (SELECT count(*) FROM graph) AS graphs FROM run)
        UNION ALL
        SELECT 'run', 'run_by_name', count(*) || ' 1' FROM run
        UNION ALL
        SELECT 'graph', 'sqlite_autoindex_graph_1', count(*) || ' 1' FROM graph
        UNION ALL
        SELECT 'graph_input', 'graph_input', inputs || ' ' || max(1, inputs / max(graphs, 1)) || ' 1'
        FROM (SELECT count(*) AS inputs, (SELECT count(*) FROM graph) AS graphs FROM graph_input);
        ANALYZE sqlite_schema;
        """

    // Trainings (migrations/0006)
    static let insertTraining = """
        INSERT INTO training (name, created_at, program_path, program_sha256, options, seed, status, steps_done, uuid)
        VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, ?3, ?4, ?5, 'running', 0, ?6)
        """
    static let updateTraining = "UPDATE training SET steps_done = ?2, final_loss = ?3, status = ?4 WHERE id = ?1"
    static let insertMetric = "INSERT INTO metric (training_id, name, step, value) VALUES (?1, ?2, ?3, ?4)"
    static let setTrainingGraph = "UPDATE training SET graph_id = (SELECT graph_id FROM run WHERE id = ?2) WHERE id = ?1 AND graph_id IS NULL"
    /// One node's statistics at one step (?5..?12 the value's, ?13..?20 the adjoint's, as tensor_node).
    static let insertTrainingNode = """
        INSERT INTO training_node (training_id, node_id, step, numel,
            value_nan, value_pinf, value_ninf, value_zero, value_min, value_max, value_mean, value_norm,
            grad_nan, grad_pinf, grad_ninf, grad_zero, grad_min, grad_max, grad_mean, grad_norm)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
        """
    /// A training's options for `train --resume`; numbers as the JSON text holds them (`->`), so
    /// that they parse to the very doubles that were written.
    static let storedTraining = """
        SELECT name, program_path, program_sha256, seed, status, steps_done,
               options ->> '$.optimizer', options -> '$.steps', options -> '$.lr', options -> '$.lr_end',
               options -> '$.momentum', options -> '$.capture_every', options ->> '$.capture'
        FROM training WHERE id = ?1
        """
    static let resumeTraining = "UPDATE training SET status = 'running' WHERE id = ?1 AND steps_done = ?2 AND status <> 'diverged'"
    // Checkpoints (migrations/0007)
    static let insertCheckpoint = "INSERT OR REPLACE INTO training_checkpoint (training_id, step, input, kind, data) VALUES (?1, ?2, ?3, ?4, ?5)"
    static let deleteCheckpoint = "DELETE FROM training_checkpoint WHERE training_id = ?1 AND step = ?2"
    static let checkpoint = "SELECT input, kind, data FROM training_checkpoint WHERE training_id = ?1 AND step = ?2"
    static let allTrainings = "SELECT id, name, created_at, program_path, status, steps_done, final_loss, options FROM trainings ORDER BY id"
    static let trainingExists = "SELECT id FROM training WHERE id = ?1"
    static let metricSeries = "SELECT step, value FROM metric WHERE training_id = ?1 AND name = ?2 ORDER BY step"
    /// :names is the wanted names between unit separators (char 31), or NULL for all.
    static let trainingMetrics = """
        SELECT step, name, value FROM metrics
        WHERE training_id = :training AND (:names IS NULL OR instr(:names, char(31) || name || char(31)) > 0)
        ORDER BY step, name
        """

    // Reading runs
    static let runColumns = """
        SELECT id, name, created_at, status, node_count, output_id, output_name, output_value,
               program_path, program_sha256, tool_version, sqlite_version, uuid
        FROM runs
        """
    static let allRuns = runColumns + " ORDER BY id"
    static let runByID = runColumns + " WHERE id = ?1"
    static let runSeed = "SELECT seed FROM run WHERE id = ?1"
    static let runRow = "SELECT id FROM run WHERE id = ?1"
    static let runIDsByName = "SELECT id FROM run WHERE name = ?1 ORDER BY id"
    static let latestRun = "SELECT id FROM run ORDER BY id DESC LIMIT 1 OFFSET ?1"
    static let runInputs = "SELECT name, value, grad, node_id FROM inputs WHERE run_id = ?1 ORDER BY node_id"
    static let runTags = "SELECT key, value FROM run_tag WHERE run_id = ?1 ORDER BY key"
    static let runProgram = """
        SELECT g.program, g.program_deflate, g.program_bytes
        FROM run r JOIN graph g ON g.id = r.graph_id WHERE r.id = ?1
        """
    /// A run's nodes; columns 10... are a tensor node's shape and statistics (`tensor_node`).
    static let nodeColumns = """
        SELECT v.id, s.name, s.op, s.in0_back, s.in1_back, s.id - s.line_offset, v.value, v.grad, v.d0, v.d1,
               t.shape, t.numel,
               t.value_nan, t.value_pinf, t.value_ninf, t.value_zero, t.value_min, t.value_max, t.value_mean, t.value_norm,
               t.grad_nan, t.grad_pinf, t.grad_ninf, t.grad_zero, t.grad_min, t.grad_max, t.grad_mean, t.grad_norm,
               (SELECT a.axis FROM node_axis a WHERE a.graph_id = g.id AND a.node_id = v.id)
        FROM run r
        JOIN graph g ON g.id = r.graph_id
        JOIN run_node v ON v.run_id = r.id
        JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
        LEFT JOIN tensor_node t ON t.run_id = v.run_id AND t.id = v.id
        WHERE r.id = ?1
        """
    static let runNodes = nodeColumns + " ORDER BY v.id"
    static let runNode = nodeColumns + " AND v.id = ?2"

    // Sweeps (runs tagged sweep=ID by record --sweep)
    static let sweepRuns = "SELECT run_id FROM run_tag WHERE key = 'sweep' AND value = ?1 ORDER BY run_id"
    static let runSweep = "SELECT value FROM run_tag WHERE run_id = ?1 AND key = 'sweep'"
    static let latestSweep = "SELECT value FROM run_tag WHERE key = 'sweep' ORDER BY run_id DESC LIMIT 1"
    static let lastNodeNamed = """
        SELECT g.id FROM run r JOIN graph_node g ON g.graph_id = r.graph_id
        WHERE r.id = ?1 AND g.name = ?2 ORDER BY g.id DESC LIMIT 1
        """

    // Gradcheck results
    static let deleteGradcheck = "DELETE FROM gradcheck WHERE run_id = ?1 AND eps = ?2 AND atol = ?3 AND rtol = ?4"
    static let insertGradcheck = """
        INSERT INTO gradcheck (run_id, eps, atol, rtol, node_id, input, analytic, numeric, abs_error, rel_error, passed, checked_at,
                               element, elements_checked, elements_failed)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?12, ?13, ?14)
        """

    // Diffing runs
    static let runGraph = """
        SELECT r.graph_id, g.node_count, g.program_sha256
        FROM run r JOIN graph g ON g.id = r.graph_id
        WHERE r.id = ?1
        """
    static let graphStructure = "SELECT id, name, op, in0_back, in1_back FROM graph_node WHERE graph_id = ?1 ORDER BY id"
    /// A run's numbers from node ?2 on; `NodeNumbers` restarts it to go back.
    static let tensorShape = "SELECT shape FROM tensor_node WHERE run_id = ?1 AND id = ?2"
    static let runNodeNumbers = "SELECT id, value, grad FROM run_node WHERE run_id = ?1 AND id >= ?2 ORDER BY id"
    static let nodeLabel = """
        SELECT g.name, g.op, g.line
        FROM run r JOIN graph_node g ON g.graph_id = r.graph_id
        WHERE r.id = ?1 AND g.id = ?2
        """
}
