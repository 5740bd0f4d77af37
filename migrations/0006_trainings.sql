-- 0006_trainings: `gradlog train`, an experiment log of gradient-descent steps.
--
-- A training runs N steps of gradient descent on a program's inputs. Every step logs a few
-- numbers in the long-format metric table (MLflow's shape, with NaN and inf kept exact in
-- gradlog's float encoding; see 0001). The steps that matter (the first, every K-th, the
-- last, and one that went non-finite) are recorded whole as runs, tagged training=ID and
-- step=K, so that show, diff, query and graph work on them.

CREATE TABLE training (
    id INTEGER PRIMARY KEY,
    name TEXT,
    created_at TEXT NOT NULL,          -- ISO 8601, UTC
    program_path TEXT,
    program_sha256 TEXT NOT NULL,      -- hex SHA-256 of the program text (the runs hold the text)
    options TEXT NOT NULL,             -- JSON: steps, lr, lr_end, optimizer, capture_every
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'diverged')),
    steps_done INTEGER NOT NULL,       -- steps whose metrics are committed
    final_loss                         -- the last committed step's loss (float)
);

CREATE TABLE metric (
    training_id INTEGER NOT NULL REFERENCES training (id),
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value,                             -- float, gradlog's encoding
    PRIMARY KEY (training_id, name, step)
) WITHOUT ROWID;

CREATE VIEW trainings AS
SELECT id, name, created_at, program_path, program_sha256, options, seed, status, steps_done, final_loss
FROM training;

CREATE VIEW metrics AS
SELECT training_id, step, name, value FROM metric;
