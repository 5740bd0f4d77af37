-- 0003_planner_statistics: give SQLite's query planner the shape of the data.
--
-- Without statistics the planner guesses that every table is the same size, and a query by
-- node name across runs (SELECT ... FROM nodes WHERE name = 'v5') scans every node of every
-- run instead of the one run that holds the structure. gradlog knows the exact counts, so each
-- record rewrites sqlite_stat1 in its own transaction (SQLite documents this table as writable
-- by applications); this migration only creates it. A user's own ANALYZE replaces them with
-- measured ones, which is just as good.
ANALYZE op;
