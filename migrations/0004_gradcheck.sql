-- 0004_gradcheck: results of `gradlog gradcheck`, kept next to the run they check.
--
-- One row per input of a checked run and per setting (eps, atol, rtol): checking a run again
-- with the same settings replaces its rows, other settings keep theirs. The float columns use
-- the encoding of 0001 (REAL, or TEXT 'NaN' for NaN).

CREATE TABLE gradcheck (
    run_id INTEGER NOT NULL REFERENCES run (id),
    eps REAL NOT NULL,             -- finite-difference step
    atol REAL NOT NULL,
    rtol REAL NOT NULL,
    node_id INTEGER NOT NULL,      -- the input's node
    input TEXT NOT NULL,           -- the input's name
    analytic,                      -- the recorded adjoint of the input, d(output)/d(input)
    numeric,                       -- (f(x + eps) - f(x - eps)) / (2 eps)
    abs_error,                     -- |numeric - analytic|
    rel_error,                     -- |numeric - analytic| / |numeric|
    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),  -- abs_error <= atol + rtol * |numeric|
    checked_at TEXT NOT NULL,      -- ISO 8601, UTC
    PRIMARY KEY (run_id, eps, atol, rtol, node_id)
) WITHOUT ROWID;

-- Public view: every check of every run, with the input's value and a readable verdict.
CREATE VIEW gradchecks AS
SELECT c.run_id, c.input, c.node_id, v.value, c.analytic, c.numeric, c.abs_error, c.rel_error,
       CASE c.passed WHEN 1 THEN 'pass' ELSE 'fail' END AS verdict,
       c.eps, c.atol, c.rtol, c.checked_at
FROM gradcheck c
LEFT JOIN run_node v ON v.run_id = c.run_id AND v.id = c.node_id;
