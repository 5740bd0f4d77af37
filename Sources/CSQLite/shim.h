#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import; name it once here.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type csqlite_static(void) { return SQLITE_STATIC; }

// sqlite3_config is variadic, which Swift cannot call. Turning off memory statistics removes a
// global mutex from every SQLite allocation; it must run before the first connection opens.
static inline int csqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
// URI file names (`file:PATH?mode=ro`) in ATTACH, so that `merge` can attach its inputs
// read-only. Also before the first connection opens.
static inline int csqlite_enable_uri_filenames(void) { return sqlite3_config(SQLITE_CONFIG_URI, 1); }

// sqlite3_vtab_config is variadic too. A table-valued function declared innocuous may be used
// with trusted_schema=OFF; gradlog's read nothing but their arguments.
static inline int csqlite_vtab_innocuous(sqlite3 *db) { return sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS); }

// A virtual-table cursor as SQLite wants it (its base first), carrying a pointer to the Swift
// object that holds the cursor's state.
typedef struct csqlite_vtab_cursor {
    sqlite3_vtab_cursor base;
    void *state;
} csqlite_vtab_cursor;

// sqlite3_db_config is variadic too: one wrapper for its on/off settings (the value to set,
// and where SQLite reports the setting it took).
static inline int csqlite_db_config_flag(sqlite3 *db, int op, int value) {
    int now = -1;
    return sqlite3_db_config(db, op, value, &now);
}
