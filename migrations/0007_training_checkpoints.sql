-- 0007_training_checkpoints: what `gradlog train --resume` continues from.
--
-- A checkpoint of step S holds what step S starts from: every input's values after step S-1's
-- update, and the optimizer's buffers (momentum's velocity, Adam's two moment estimates), as
-- little-endian IEEE doubles in the input's row-major layout (the BLOB codec of 0005), so a
-- resumed training is bit for bit the training that was not interrupted.
--
-- `train` writes one with every commit of steps (S = the steps done). It keeps the newest and
-- those that follow a step recorded whole (the first, every K-th, the last); older ones are
-- replaced as training goes on.

CREATE TABLE training_checkpoint (
    training_id INTEGER NOT NULL REFERENCES training (id),
    step INTEGER NOT NULL,             -- the step these values start
    input TEXT NOT NULL,               -- the input's name in the program
    kind TEXT NOT NULL CHECK (kind IN ('value', 'velocity', 'adam_m', 'adam_v')),
    data BLOB NOT NULL,                -- the elements, 8 bytes each
    PRIMARY KEY (training_id, step, input, kind)
) WITHOUT ROWID;

CREATE VIEW training_checkpoints AS
SELECT training_id, step, input, kind, length(data) / 8 AS numel FROM training_checkpoint;
