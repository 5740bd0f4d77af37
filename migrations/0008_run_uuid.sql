-- 0008_run_uuid: logs from many workers, merged or read side by side.
--
-- Every run and every training gets a stable identifier, so that `gradlog merge` knows a run
-- it has copied before (merging the same file twice adds nothing) and a run keeps its
-- identity through any number of merges. New runs and trainings get a random UUID (version 4)
-- when they are recorded. Those recorded before this migration get a UUID derived from what
-- identifies them in their file, with the gradlog-only function legacy_uuid (SHA-256 of the
-- kind, the time the file was created, the id, created_at, and the program's hash and the
-- output's value, or the training's options): merge derives the same UUID when it reads a file
-- that was never upgraded, so upgrading a worker's file between two merges adds nothing twice.

ALTER TABLE run ADD COLUMN uuid TEXT;
UPDATE run SET uuid = legacy_uuid(
    'run', (SELECT applied_at FROM gradlog_migration WHERE version = 1), id, created_at,
    (SELECT g.program_sha256 FROM graph g WHERE g.id = run.graph_id),
    (SELECT quote(v.value) FROM graph g JOIN run_node v ON v.run_id = run.id AND v.id = g.output_id WHERE g.id = run.graph_id));
CREATE UNIQUE INDEX run_by_uuid ON run (uuid);

ALTER TABLE training ADD COLUMN uuid TEXT;
UPDATE training SET uuid = legacy_uuid(
    'training', (SELECT applied_at FROM gradlog_migration WHERE version = 1), id, created_at, program_sha256, options);
CREATE UNIQUE INDEX training_by_uuid ON training (uuid);

DROP VIEW runs;
CREATE VIEW runs AS
SELECT r.id, r.name, r.created_at, r.status,
       g.node_count, g.output_id, s.name AS output_name, v.value AS output_value,
       r.program_path, g.program, g.program_bytes, g.program_sha256, r.tool_version, r.sqlite_version,
       r.uuid
FROM run r
JOIN graph g ON g.id = r.graph_id
LEFT JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = g.output_id
LEFT JOIN run_node v ON v.run_id = r.id AND v.id = g.output_id;

DROP VIEW trainings;
CREATE VIEW trainings AS
SELECT id, name, created_at, program_path, program_sha256, options, seed, status, steps_done, final_loss, uuid
FROM training;

-- Typed views, for clients that go by declared column types (DuckDB's sqlite extension reads a
-- column without one, like value and grad, as a BLOB of text with 15 significant digits).
-- Each float column is split three ways: NAME, a REAL (every double that is not NaN, bit for
-- bit: -0.0, +-inf and subnormals included); NAME_nan, the NaN's spelling ('NaN', '-NaN',
-- 'NaN(0x<16 hex digits>)', which keeps its bits) or NULL; NAME_tensor, a tensor's BLOB of
-- little-endian doubles or NULL. At most one of the three is set.
--
-- SQLite gives a view column a declared type only when it names a table column, and a
-- compound SELECT the types of its first arm: so each typed view starts with an arm over
-- typed_column, a table whose columns are the four types and which never yields a row here.
-- The values themselves pass through unchanged (a REAL column would store -0.0 as 0).
-- Read these views through SQLite itself (DuckDB: sqlite_scan('FILE', 'typed_inputs')).
-- DuckDB's ATTACH runs a file's views in DuckDB instead, over columns it has already read as
-- 15-digit text; the first arm calls likely(), a function only SQLite has, so that it refuses
-- them there instead of returning NULLs.
CREATE TABLE typed_column (f64 REAL, i64 INTEGER, str TEXT, bytes BLOB);

CREATE VIEW typed_nodes AS
SELECT i64 AS run_id, i64 AS id, str AS name, str AS op,
       f64 AS value, str AS value_nan, bytes AS value_tensor,
       f64 AS grad, str AS grad_nan, bytes AS grad_tensor, i64 AS line
FROM typed_column WHERE likely(0)
UNION ALL
SELECT run_id, id, name, op,
       CASE WHEN typeof(value) IN ('real', 'integer') THEN value END,
       CASE WHEN typeof(value) = 'text' THEN value END,
       CASE WHEN typeof(value) = 'blob' THEN value END,
       CASE WHEN typeof(grad) IN ('real', 'integer') THEN grad END,
       CASE WHEN typeof(grad) = 'text' THEN grad END,
       CASE WHEN typeof(grad) = 'blob' THEN grad END,
       line
FROM nodes;

CREATE VIEW typed_edges AS
SELECT i64 AS run_id, i64 AS node_id, i64 AS slot, i64 AS input_id,
       f64 AS local_grad, str AS local_grad_nan, bytes AS local_grad_tensor
FROM typed_column WHERE likely(0)
UNION ALL
SELECT run_id, node_id, slot, input_id,
       CASE WHEN typeof(local_grad) IN ('real', 'integer') THEN local_grad END,
       CASE WHEN typeof(local_grad) = 'text' THEN local_grad END,
       CASE WHEN typeof(local_grad) = 'blob' THEN local_grad END
FROM edges;

CREATE VIEW typed_inputs AS
SELECT i64 AS run_id, str AS name,
       f64 AS value, str AS value_nan, bytes AS value_tensor,
       f64 AS grad, str AS grad_nan, bytes AS grad_tensor, i64 AS node_id
FROM typed_column WHERE likely(0)
UNION ALL
SELECT run_id, name,
       CASE WHEN typeof(value) IN ('real', 'integer') THEN value END,
       CASE WHEN typeof(value) = 'text' THEN value END,
       CASE WHEN typeof(value) = 'blob' THEN value END,
       CASE WHEN typeof(grad) IN ('real', 'integer') THEN grad END,
       CASE WHEN typeof(grad) = 'text' THEN grad END,
       CASE WHEN typeof(grad) = 'blob' THEN grad END,
       node_id
FROM inputs;

CREATE VIEW typed_metrics AS
SELECT i64 AS training_id, i64 AS step, str AS name, f64 AS value, str AS value_nan
FROM typed_column WHERE likely(0)
UNION ALL
SELECT training_id, step, name,
       CASE WHEN typeof(value) IN ('real', 'integer') THEN value END,
       CASE WHEN typeof(value) = 'text' THEN value END
FROM metrics;
