/* limit.c — the "limit" for issue 5: the leanest write of what gradlog records for the
 * benchmark chain (see gen_chain.py), with no parsing and no autodiff framework.
 *
 * It computes the chain's values, local derivatives and adjoints in plain loops, then writes
 * one row per node — (run, id, name, op, value, adjoint, input0, input1, d0, d1) — into a
 * WITHOUT ROWID table keyed by (run, id), through one prepared statement bound by index, in one
 * transaction, with 16 KB pages as gradlog's, journal_mode=WAL and synchronous=NORMAL.
 *
 *   gcc bench/limit.c -lsqlite3 -lm -O2 -o limit
 *   ./limit N DB [Y]        (Y defaults to -0.3; x is 0.5)
 *
 * Prints the output node's value and the adjoints of x and y (%.17g) on stdout.
 * Op codes follow gradlog's op table: 0 input, 2 add, 4 mul, 15 tanh.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static void check(sqlite3 *db, int rc, int want, const char *what) {
    if (rc != want) {
        fprintf(stderr, "limit: %s: %s\n", what, sqlite3_errmsg(db));
        exit(2);
    }
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "limit: %s: %s\n", sql, err);
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: limit N DB [Y]\n");
        return 2;
    }
    long n = atol(argv[1]);
    if (n < 3) { fprintf(stderr, "limit: N must be at least 3\n"); return 2; }
    double yval = argc == 4 ? atof(argv[3]) : -0.3;

    int *op = malloc(n * sizeof *op);
    long *in0 = malloc(n * sizeof *in0), *in1 = malloc(n * sizeof *in1);
    double *val = malloc(n * sizeof *val), *adj = calloc(n, sizeof *adj);
    double *d0 = malloc(n * sizeof *d0), *d1 = malloc(n * sizeof *d1);
    if (!op || !in0 || !in1 || !val || !adj || !d0 || !d1) { perror("malloc"); return 2; }

    /* forward */
    op[0] = op[1] = 0; in0[0] = in0[1] = in1[0] = in1[1] = -1;
    val[0] = 0.5; val[1] = yval;
    for (long i = 2; i < n; i++) {
        long a = i - 1, b = i / 2;
        switch ((i - 2) % 3) {
        case 0: op[i] = 4; in0[i] = a; in1[i] = b; val[i] = val[a] * val[b]; d0[i] = val[b]; d1[i] = val[a]; break;
        case 1: op[i] = 2; in0[i] = a; in1[i] = b; val[i] = val[a] + val[b]; d0[i] = 1.0; d1[i] = 1.0; break;
        default: op[i] = 15; in0[i] = a; in1[i] = -1; val[i] = tanh(val[a]); d0[i] = 1 - val[i] * val[i]; break;
        }
    }
    /* backward */
    adj[n - 1] = 1.0;
    for (long i = n - 1; i >= 2; i--) {
        adj[in0[i]] += adj[i] * d0[i];
        if (in1[i] >= 0) adj[in1[i]] += adj[i] * d1[i];
    }

    /* write */
    sqlite3 *db;
    if (sqlite3_open(argv[2], &db) != SQLITE_OK) { fprintf(stderr, "limit: cannot open %s\n", argv[2]); return 2; }
    exec(db, "PRAGMA page_size=16384");  /* as gradlog makes a new log (GradLog.pageSize) */
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, "PRAGMA synchronous=NORMAL");
    exec(db, "CREATE TABLE IF NOT EXISTS node ("
             " run INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, op INTEGER NOT NULL,"
             " value, adjoint, input0 INTEGER, input1 INTEGER, d0, d1,"
             " PRIMARY KEY (run, id)) WITHOUT ROWID");
    exec(db, "BEGIN IMMEDIATE");
    sqlite3_int64 run = 1;
    {
        sqlite3_stmt *q;
        check(db, sqlite3_prepare_v2(db, "SELECT coalesce(max(run), 0) + 1 FROM node", -1, &q, NULL), SQLITE_OK, "prepare");
        check(db, sqlite3_step(q), SQLITE_ROW, "max(run)");
        run = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_stmt *ins;
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO node (run, id, name, op, value, adjoint, input0, input1, d0, d1)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &ins, NULL), SQLITE_OK, "prepare insert");
    sqlite3_bind_int64(ins, 1, run);
    char name[24];
    for (long i = 0; i < n; i++) {
        int len = i == 0 ? snprintf(name, sizeof name, "x") : i == 1 ? snprintf(name, sizeof name, "y")
                                                               : snprintf(name, sizeof name, "v%ld", i);
        sqlite3_bind_int64(ins, 2, i);
        sqlite3_bind_text(ins, 3, name, len, SQLITE_STATIC);
        sqlite3_bind_int(ins, 4, op[i]);
        sqlite3_bind_double(ins, 5, val[i]);
        sqlite3_bind_double(ins, 6, adj[i]);
        if (in0[i] >= 0) sqlite3_bind_int64(ins, 7, in0[i]); else sqlite3_bind_null(ins, 7);
        if (in1[i] >= 0) sqlite3_bind_int64(ins, 8, in1[i]); else sqlite3_bind_null(ins, 8);
        if (op[i] != 0) sqlite3_bind_double(ins, 9, d0[i]); else sqlite3_bind_null(ins, 9);
        if (in1[i] >= 0) sqlite3_bind_double(ins, 10, d1[i]); else sqlite3_bind_null(ins, 10);
        check(db, sqlite3_step(ins), SQLITE_DONE, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec(db, "COMMIT");
    check(db, sqlite3_close(db), SQLITE_OK, "close");

    printf("run %lld: %ld nodes, output v%ld = %.17g, x.grad = %.17g, y.grad = %.17g\n",
           (long long)run, n, n - 1, val[n - 1], adj[0], adj[1]);
    return 0;
}
