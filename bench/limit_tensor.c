/* limit_tensor.c — the limits of issue 14 for the MLP step of bench/gen_mlp.py: the fastest the
 * step's compute and its storage can be, with no parser, no tape and no framework.
 *
 * Compute limit: the step's matrix products alone through cblas_dgemm, transposes by flag, no
 * copies, nothing else: forward Z1 = X W1, Z2 = H1 W2, Z3 = H2 W3; backward dW3 = H2' dZ3,
 * dH2 = dZ3 W3', dW2 = H1' dA2, dH1 = dA2 W2', dW1 = X' dA1 (X is data: no dX). Best of RC
 * in-process, after one untimed pass, for each thread count T (openblas_set_num_threads).
 *
 * Storage limit: the step computed once in full (the products above plus plain loops for the
 * biases, relu and cross_entropy), then the bytes `gradlog record --capture full` keeps, one
 * BLOB per tensor, one row per node (run, id, value, grad, d0, d1) as gradlog's run_node:
 * values, adjoints (nodes that need one), relu's local derivative, and the contribution of each
 * matmul and of cross_entropy to its operands; biases' adds keep none (their derivative is
 * fixed). The loss is a REAL, its adjoint 1.0. A rowid table keyed (run, id) (gradlog's is
 * WITHOUT ROWID; with BLOBs of megabytes the rowid table makes the smaller file). One prepared
 * statement bound by index, BLOBs bound in place (SQLITE_STATIC), one transaction,
 * page_size=16384 as gradlog's, journal_mode=WAL, synchronous=NORMAL; timed from sqlite3_open to sqlite3_close, best of RS,
 * each into a fresh file (the last one is kept).
 *
 *   gcc -O2 bench/limit_tensor.c $(pkg-config --cflags --libs openblas) -lsqlite3 -lm -o limit_tensor
 *   ./limit_tensor B IN H OUT FILE.safetensors DB RC RS T...
 *
 * Prints `loss`, `gradnorm` (the L2 norm of all six weight gradients together), `compute T S`
 * per thread count, `store S` and `blob_bytes N` (the bytes of every BLOB written), one a line.
 */
#include <cblas.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "limit_tensor: %s: %s\n", what, detail);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double *alloc(long n) {
    double *p = calloc(n, sizeof *p);
    if (!p) die("calloc", "out of memory");
    return p;
}

/* The tensor KEY of a safetensors file already in memory, which must be F64 of n elements. */
static double *tensor(const char *file, const char *header, const char *data, const char *key, long n) {
    char quoted[32];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *entry = strstr(header, quoted), *offsets = entry ? strstr(entry, "\"data_offsets\"") : NULL;
    long begin, end;
    if (!offsets || sscanf(strchr(offsets, '[') + 1, "%ld , %ld", &begin, &end) != 2) die(file, key);
    if (!strstr(entry, "\"F64\"") || strstr(entry, "\"F64\"") > offsets || end - begin != n * 8) die("not F64 of the expected shape", key);
    double *t = alloc(n);
    memcpy(t, data + begin, n * 8);
    return t;
}

/* C = op(A) op(B) (+ C when add), all row-major; m x n result, k the shared dimension. */
static void gemm(int ta, int tb, int m, int n, int k, const double *a, const double *b, double *c) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                1.0, a, ta ? m : k, b, tb ? k : n, 0.0, c, n);
}

static double sumsq(const double *x, long n) {
    double s = 0;
    for (long i = 0; i < n; i++) s += x[i] * x[i];
    return s;
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) die(sql, err);
}

int main(int argc, char **argv) {
    if (argc < 10) {
        fprintf(stderr, "usage: limit_tensor B IN H OUT FILE.safetensors DB RC RS T...\n");
        return 2;
    }
    const int nB = atoi(argv[1]), nI = atoi(argv[2]), nH = atoi(argv[3]), nO = atoi(argv[4]);
    const char *path = argv[5], *dbpath = argv[6];
    const int compute_reps = atoi(argv[7]), store_reps = atoi(argv[8]);

    /* read the file */
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *bytes = malloc(size + 1);
    if (!bytes || fread(bytes, 1, size, f) != (size_t)size) die("cannot read", path);
    fclose(f);
    unsigned long long hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | (unsigned char)bytes[i];
    if (8 + hlen > (unsigned long long)size) die("not a safetensors file", path);
    char *header = strndup(bytes + 8, hlen), *data = bytes + 8 + hlen;
    double *X = tensor(path, header, data, "images", (long)nB * nI), *labels = tensor(path, header, data, "labels", nB);
    double *W1 = tensor(path, header, data, "W1", (long)nI * nH), *b1 = tensor(path, header, data, "b1", nH);
    double *W2 = tensor(path, header, data, "W2", (long)nH * nH), *b2 = tensor(path, header, data, "b2", nH);
    double *W3 = tensor(path, header, data, "W3", (long)nH * nO), *b3 = tensor(path, header, data, "b3", nO);
    free(bytes);
    free(header);

    const long BH = (long)nB * nH, BO = (long)nB * nO;
    double *Z1 = alloc(BH), *A1 = alloc(BH), *H1 = alloc(BH), *R1 = alloc(BH);
    double *Z2 = alloc(BH), *A2 = alloc(BH), *H2 = alloc(BH), *R2 = alloc(BH);
    double *Z3 = alloc(BO), *L = alloc(BO), *dL = alloc(BO);
    double *dH2 = alloc(BH), *dA2 = alloc(BH), *dH1 = alloc(BH), *dA1 = alloc(BH);
    double *dW1 = alloc((long)nI * nH), *dW2 = alloc((long)nH * nH), *dW3 = alloc((long)nH * nO);
    double *db1 = alloc(nH), *db2 = alloc(nH), *db3 = alloc(nO);

    /* the whole step once, for the numbers the storage limit writes and the values check */
    openblas_set_num_threads(1);
    gemm(0, 0, nB, nH, nI, X, W1, Z1);
    for (long i = 0; i < BH; i++) { A1[i] = Z1[i] + b1[i % nH]; H1[i] = A1[i] > 0 ? A1[i] : 0; R1[i] = A1[i] > 0; }
    gemm(0, 0, nB, nH, nH, H1, W2, Z2);
    for (long i = 0; i < BH; i++) { A2[i] = Z2[i] + b2[i % nH]; H2[i] = A2[i] > 0 ? A2[i] : 0; R2[i] = A2[i] > 0; }
    gemm(0, 0, nB, nO, nH, H2, W3, Z3);
    double loss = 0;
    for (int r = 0; r < nB; r++) {
        double *row = L + (long)r * nO, *drow = dL + (long)r * nO, m = -INFINITY, s = 0;
        for (int c = 0; c < nO; c++) { row[c] = Z3[(long)r * nO + c] + b3[c]; if (row[c] > m) m = row[c]; }
        for (int c = 0; c < nO; c++) s += exp(row[c] - m);
        int y = (int)labels[r];
        loss += m + log(s) - row[y];
        for (int c = 0; c < nO; c++) drow[c] = (exp(row[c] - m) / s - (c == y)) / nB;
    }
    loss /= nB;
    gemm(1, 0, nH, nO, nB, H2, dL, dW3);
    gemm(0, 1, nB, nH, nO, dL, W3, dH2);
    for (long i = 0; i < BH; i++) dA2[i] = dH2[i] * R2[i];
    gemm(1, 0, nH, nH, nB, H1, dA2, dW2);
    gemm(0, 1, nB, nH, nH, dA2, W2, dH1);
    for (long i = 0; i < BH; i++) dA1[i] = dH1[i] * R1[i];
    gemm(1, 0, nI, nH, nB, X, dA1, dW1);
    for (int r = 0; r < nB; r++) {
        for (int c = 0; c < nH; c++) { db1[c] += dA1[(long)r * nH + c]; db2[c] += dA2[(long)r * nH + c]; }
        for (int c = 0; c < nO; c++) db3[c] += dL[(long)r * nO + c];
    }
    double norm = sqrt(sumsq(dW1, (long)nI * nH) + sumsq(db1, nH) + sumsq(dW2, (long)nH * nH) + sumsq(db2, nH)
                       + sumsq(dW3, (long)nH * nO) + sumsq(db3, nO));
    printf("loss %.17g\ngradnorm %.17g\n", loss, norm);
    // The kernels OpenBLAS chose for this CPU (gradlog, linked to the same library, gets the same).
    printf("blascore %s\n", openblas_get_corename());

    /* compute limit: the eight products, nothing else */
    for (int t = 9; t < argc; t++) {
        openblas_set_num_threads(atoi(argv[t]));
        double best = INFINITY;
        for (int rep = -1; rep < compute_reps; rep++) {
            double t0 = now();
            gemm(0, 0, nB, nH, nI, X, W1, Z1);
            gemm(0, 0, nB, nH, nH, H1, W2, Z2);
            gemm(0, 0, nB, nO, nH, H2, W3, Z3);
            gemm(1, 0, nH, nO, nB, H2, dL, dW3);
            gemm(0, 1, nB, nH, nO, dL, W3, dH2);
            gemm(1, 0, nH, nH, nB, H1, dA2, dW2);
            gemm(0, 1, nB, nH, nH, dA2, W2, dH1);
            gemm(1, 0, nI, nH, nB, X, dA1, dW1);
            double dt = now() - t0;
            if (rep >= 0 && dt < best) best = dt;
        }
        printf("compute %s %.6f\n", argv[t], best);
    }

    /* storage limit: per node, its value, adjoint and stored derivatives (NULL: none) */
    struct { const double *v, *g, *d0, *d1; long nv, ng, n0, n1; } node[17] = {
        {X, 0, 0, 0, (long)nB * nI, 0, 0, 0},     {labels, 0, 0, 0, nB, 0, 0, 0},
        {W1, dW1, 0, 0, (long)nI * nH, (long)nI * nH, 0, 0}, {b1, db1, 0, 0, nH, nH, 0, 0},
        {W2, dW2, 0, 0, (long)nH * nH, (long)nH * nH, 0, 0}, {b2, db2, 0, 0, nH, nH, 0, 0},
        {W3, dW3, 0, 0, (long)nH * nO, (long)nH * nO, 0, 0}, {b3, db3, 0, 0, nO, nO, 0, 0},
        {Z1, dA1, 0, dW1, BH, BH, 0, (long)nI * nH},       {A1, dA1, 0, 0, BH, BH, 0, 0},
        {H1, dH1, R1, 0, BH, BH, BH, 0},                 {Z2, dA2, dH1, dW2, BH, BH, BH, (long)nH * nH},
        {A2, dA2, 0, 0, BH, BH, 0, 0},                   {H2, dH2, R2, 0, BH, BH, BH, 0},
        {Z3, dL, dH2, dW3, BO, BO, BH, (long)nH * nO},     {L, dL, 0, 0, BO, BO, 0, 0},
        {0, 0, dL, 0, 0, 0, BO, 0},                      /* the loss: REALs, then a BLOB */
    };
    long blob_bytes = 0;
    for (int i = 0; i < 17; i++) blob_bytes += 8 * (node[i].nv + node[i].ng + node[i].n0 + node[i].n1);
    double best = INFINITY;
    char side[4096];
    for (int rep = 0; rep < store_reps; rep++) {
        for (const char **suffix = (const char *[]){"", "-wal", "-shm", NULL}; *suffix; suffix++) {
            snprintf(side, sizeof side, "%s%s", dbpath, *suffix);
            unlink(side);
        }
        double t0 = now();
        sqlite3 *db;
        if (sqlite3_open(dbpath, &db) != SQLITE_OK) die("cannot open", dbpath);
        exec(db, "PRAGMA page_size=16384");  /* as gradlog makes a new log (GradLog.pageSize) */
        exec(db, "PRAGMA journal_mode=WAL");
        exec(db, "PRAGMA synchronous=NORMAL");
        exec(db, "CREATE TABLE node (run INTEGER NOT NULL, id INTEGER NOT NULL, value, grad, d0, d1,"
                 " PRIMARY KEY (run, id))");
        exec(db, "BEGIN IMMEDIATE");
        sqlite3_stmt *ins;
        if (sqlite3_prepare_v2(db, "INSERT INTO node (run, id, value, grad, d0, d1) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                               -1, &ins, NULL) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));
        for (int i = 0; i < 17; i++) {
            sqlite3_bind_int(ins, 1, i);
            const double *p[4] = {node[i].v, node[i].g, node[i].d0, node[i].d1};
            const long n[4] = {node[i].nv, node[i].ng, node[i].n0, node[i].n1};
            for (int c = 0; c < 4; c++) {
                if (p[c]) sqlite3_bind_blob64(ins, 2 + c, p[c], 8 * n[c], SQLITE_STATIC);
                else sqlite3_bind_null(ins, 2 + c);
            }
            if (i == 16) { sqlite3_bind_double(ins, 2, loss); sqlite3_bind_double(ins, 3, 1.0); }
            if (sqlite3_step(ins) != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
            sqlite3_reset(ins);
        }
        sqlite3_finalize(ins);
        exec(db, "COMMIT");
        if (sqlite3_close(db) != SQLITE_OK) die("close", dbpath);
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    printf("store %.6f\nblob_bytes %ld\n", best, blob_bytes);
    return 0;
}
