package org.headlab.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.HeadLabVersion;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Scope;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The estimator results of one run: an SQLite database at {@code <run>/.headlab/results.db} (architecture.md).
 *
 * <ul>
 *   <li>WAL mode and a busy timeout: the GUI and a CLI sweep may read and write the same run at once; readers
 *       never block the writer, and writers wait for each other instead of failing.</li>
 *   <li>Every {@link #put} is one transaction: a crash (even SIGKILL) leaves each result either fully stored or
 *       absent, never half. {@code synchronous=FULL} makes a committed result survive power loss too.</li>
 *   <li>The key is UNIQUE and puts are INSERT OR IGNORE: a result is never stored twice nor overwritten; a changed
 *       parameter is a different key.</li>
 *   <li>A {@code headlab_schema} table holds the schema version. A file that is not SQLite, an SQLite file that is
 *       not ours, or a newer schema each give one HeadLabException; nothing is written to such a file.</li>
 * </ul>
 * Opening a run never opens its store; the store is opened by what needs results (sweep, results, GUI panels), so
 * a broken store never stops a run from opening. Thread-safe (calls are serialized on one connection).
 */
public final class ResultStore implements AutoCloseable {
    /**
     * 2: results carry the HeadLab version that computed them, and {@code imported_files} remembers which portable
     * result files ({@link PortableResults}) were imported; a version-1 file is upgraded in place when opened.
     */
    public static final int SCHEMA_VERSION = 2;
    public static final String FOLDER = ".headlab";
    public static final String FILE = "results.db";
    static final int BUSY_TIMEOUT_MS = 30_000;

    private static final String COLUMNS = "checkpoint_hash, estimator, params, dataset, dataset_hash, scope, layer,"
            + " head";
    private static final String KEY_MATCH = "checkpoint_hash = ? AND estimator = ? AND params = ? AND dataset = ?"
            + " AND dataset_hash = ? AND scope = ? AND layer = ? AND head = ?";

    private final Path file;
    private final Connection db;

    private ResultStore(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Where a run's store lives. */
    public static Path location(Path runDir) {
        return runDir.resolve(FOLDER).resolve(FILE);
    }

    /** Whether the run in {@code runDir} has results to read: a store, or portable results to import into one. */
    public static boolean hasResults(Path runDir) {
        return Files.exists(location(runDir)) || Files.isDirectory(PortableResults.folder(runDir));
    }

    /** Opens (creating if absent) the store of the run in {@code runDir}. */
    public static ResultStore openForRun(Path runDir) {
        Path f = location(runDir);
        requireInside(runDir, f.getParent());
        try {
            Files.createDirectories(f.getParent());
        } catch (IOException e) {
            throw new HeadLabException("cannot create " + f.getParent() + ": " + AtomicFiles.describe(e), e);
        }
        return open(f);
    }

    /**
     * Refuses a store folder that is a link, or leads out of the run folder: a run folder from someone else must not
     * make HeadLab write elsewhere on the machine (checkpoints that link out are refused the same way).
     */
    private static void requireInside(Path runDir, Path folder) {
        if (Files.isSymbolicLink(folder)) {
            throw new HeadLabException(folder + " is a link: the result store is only written inside the run folder"
                    + " (remove the link, or make it a real folder)");
        }
        try {
            if (Files.exists(folder) && !folder.toRealPath().startsWith(runDir.toRealPath())) {
                throw new HeadLabException(folder + " leads out of the run folder " + runDir + ": the result store is"
                        + " only written inside it");
            }
        } catch (IOException e) {
            throw new HeadLabException("cannot resolve " + folder + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * Opens (creating if absent) the store of {@code run} and imports the run's portable results that are new
     * ({@link PortableResults}: a cloned or copied run opens with what was computed for it); what the import did,
     * refused rows included, is in {@link #lastImport()}.
     */
    public static ResultStore openForRun(org.headlab.core.run.Run run) {
        ResultStore store = openForRun(run.dir());
        try {
            store.lastImport = PortableResults.importInto(run, store);
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private PortableResults.Report lastImport = new PortableResults.Report(0, 0, 0, List.of());

    /**
     * The run's results for reading only (issue 19: a read-only command leaves the run folder as it was): the store
     * file copied into memory by SQLite's backup (which only reads it) when it holds anything, and the run's portable
     * results imported into that copy. The store's bytes are never changed, an empty file stays empty, a run without
     * a store gets none, a damaged file is refused with the same line as {@link #open}. (Reading a store in WAL mode
     * through SQLite may leave its -wal/-shm sidecar files, as any reader does; reading the raw bytes instead would
     * miss what a running sweep has committed but not yet checkpointed.)
     */
    public static ResultStore readOnlyView(org.headlab.core.run.Run run) {
        Path f = location(run.dir());
        requireInside(run.dir(), f.getParent());
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite::memory:");
            if (Files.isRegularFile(f) && Files.size(f) > 0) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("restore from '" + f.toAbsolutePath().toString().replace("'", "''") + "'");
                }
            }
            ResultStore store = new ResultStore(f, c);
            store.checkOrCreateSchema();
            store.lastImport = PortableResults.importInto(run, store);
            return store;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new HeadLabException(explain(f, e), e);
        } catch (IOException e) {
            closeQuietly(c);
            throw new HeadLabException("cannot read " + f + ": " + AtomicFiles.describe(e), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** What importing the run's portable results did when this store was opened (empty if not opened for a run). */
    public PortableResults.Report lastImport() {
        return lastImport;
    }

    /** Opens (creating if absent) a store file. */
    public static ResultStore open(Path file) {
        if (Files.isDirectory(file)) {
            throw new HeadLabException("result store " + file + " is a folder, not a database file");
        }
        Connection c = null;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(BUSY_TIMEOUT_MS);
            // BEGIN IMMEDIATE: a writer takes the write lock up front (and waits for it), so two processes that
            // both start a write transaction cannot deadlock on a lock upgrade, which no busy timeout resolves
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
            ResultStore store = new ResultStore(file, c);
            store.checkOrCreateSchema();
            return store;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new HeadLabException(explain(file, e), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static String explain(Path file, SQLException e) {
        if (e instanceof SQLiteException se && (se.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB
                || se.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT)) {
            return "result store " + file + " is damaged or not a database (" + se.getResultCode().message
                    + "); move it aside and re-run the sweep to rebuild it";
        }
        return "cannot use result store " + file + ": " + firstLine(e.getMessage());
    }

    private static String firstLine(String s) {
        return s == null ? "unknown SQLite error" : s.lines().findFirst().orElse(s);
    }

    private void checkOrCreateSchema() throws SQLException {
        // read first: a foreign or newer file is refused before anything (even WAL mode) is written to it
        Integer version = readVersion();
        if (version == null) {
            if (hasOtherTables()) {
                throw new HeadLabException("result store " + file + " is an SQLite database of another program (no"
                        + " headlab_schema table); move it aside to let HeadLab create its own");
            }
        } else {
            requireKnown(version);
        }
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = FULL");
        }
        if (version != null) {
            if (version < SCHEMA_VERSION) {
                upgrade();
            }
            return;
        }
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            // another process may be creating it at this very moment: decide inside one write transaction
            s.execute("CREATE TABLE IF NOT EXISTS headlab_schema (version INTEGER NOT NULL, written_by TEXT NOT NULL)");
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM headlab_schema")) {
                if (r.next() && r.getInt(1) == 0) {
                    s.execute("INSERT INTO headlab_schema (version, written_by) VALUES (" + SCHEMA_VERSION
                            + ", 'HeadLab')");
                }
            }
            s.execute("CREATE TABLE IF NOT EXISTS results ("
                    + " id INTEGER PRIMARY KEY,"
                    + " checkpoint_hash TEXT NOT NULL, estimator TEXT NOT NULL, params TEXT NOT NULL,"
                    + " dataset TEXT NOT NULL, dataset_hash TEXT NOT NULL,"
                    + " scope TEXT NOT NULL, layer INTEGER NOT NULL, head INTEGER NOT NULL,"
                    + " step INTEGER NOT NULL, metrics TEXT NOT NULL, elapsed_ms INTEGER NOT NULL,"
                    + " created_at TEXT NOT NULL, headlab_version TEXT,"
                    + " UNIQUE (" + COLUMNS + "))");
            s.execute("CREATE INDEX IF NOT EXISTS results_by_estimator ON results (estimator, checkpoint_hash)");
            s.execute(IMPORTED_FILES);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
        requireKnown(readVersion());
    }

    private static final String IMPORTED_FILES = "CREATE TABLE IF NOT EXISTS imported_files (name TEXT PRIMARY KEY,"
            + " sha256 TEXT NOT NULL, imported_at TEXT NOT NULL)";

    /** Schema 1 → 2 in one transaction: a nullable version column and the imported-files table. */
    private void upgrade() throws SQLException {
        inTransaction(() -> {
            try (Statement s = db.createStatement()) {
                Integer now = readVersion(); // another process may have upgraded it meanwhile
                if (now != null && now < 2) {
                    s.execute("ALTER TABLE results ADD COLUMN headlab_version TEXT");
                    s.execute(IMPORTED_FILES);
                    s.execute("UPDATE headlab_schema SET version = " + SCHEMA_VERSION);
                }
            }
            return null;
        });
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** {@code work} as one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        db.setAutoCommit(false);
        try {
            T result = work.run();
            db.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    private Integer readVersion() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet t = s.executeQuery(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'headlab_schema'")) {
            if (!t.next()) {
                return null;
            }
        }
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(version) FROM headlab_schema")) {
            r.next();
            int v = r.getInt(1);
            return r.wasNull() ? null : v;
        }
    }

    private boolean hasOtherTables() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                        + " AND name NOT LIKE 'sqlite_%' AND name NOT IN ('headlab_schema', 'results', 'imported_files')")) {
            return r.next() && r.getInt(1) > 0;
        }
    }

    private void requireKnown(Integer version) {
        if (version == null || version < 1) {
            throw new HeadLabException("result store " + file + " has no valid schema version");
        }
        if (version > SCHEMA_VERSION) {
            throw new HeadLabException("result store " + file + " was written by a newer HeadLab (schema version "
                    + version + "; this version reads up to " + SCHEMA_VERSION + "); update HeadLab to use it");
        }
    }

    public Path file() {
        return file;
    }

    // ---- reads and writes -----------------------------------------------------------------------------------------

    /** Stores a result in its own transaction; false (and nothing written) if the key is already stored. */
    public synchronized boolean put(ResultKey key, int step, EstimatorResult result, long elapsedMillis) {
        try (PreparedStatement p = db.prepareStatement(INSERT)) {
            bindRow(p, new ImportRow(key, step, result, elapsedMillis, Instant.now(), HeadLabVersion.get()));
            return p.executeUpdate() == 1; // autocommit: this statement is one transaction
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    private static final String INSERT = "INSERT OR IGNORE INTO results (" + COLUMNS
            + ", step, metrics, elapsed_ms, created_at, headlab_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static void bindRow(PreparedStatement p, ImportRow row) throws SQLException {
        int i = bindKey(p, row.key());
        p.setInt(i++, row.step());
        p.setString(i++, row.result().toJson());
        p.setLong(i++, row.elapsedMillis());
        p.setString(i++, row.createdAt().toString());
        p.setString(i, row.version() == null || row.version().isEmpty() ? null : row.version());
    }

    /** A result as it was stored elsewhere: its own date and version are kept. */
    public record ImportRow(ResultKey key, int step, EstimatorResult result, long elapsedMillis, Instant createdAt,
            String version) {
    }

    /**
     * Stores {@code rows} (those not stored yet) and records that the file {@code name} with digest {@code sha256}
     * was imported, all in one transaction; returns how many rows were new.
     */
    public synchronized int importRows(List<ImportRow> rows, String name, String sha256) {
        try {
            return inTransaction(() -> {
                int added = 0;
                try (PreparedStatement p = db.prepareStatement(INSERT);
                        PreparedStatement f = db.prepareStatement("INSERT OR REPLACE INTO imported_files (name,"
                                + " sha256, imported_at) VALUES (?, ?, ?)")) {
                    for (ImportRow row : rows) {
                        bindRow(p, row);
                        added += p.executeUpdate();
                    }
                    f.setString(1, name);
                    f.setString(2, sha256);
                    f.setString(3, Instant.now().toString());
                    f.executeUpdate();
                }
                return added;
            });
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    /** A stored result to be replaced by another (under its own key, possibly a different one). */
    public record Replacement(ResultKey old, ImportRow now) {
    }

    /**
     * Replaces results in one transaction: each old row is deleted and its replacement stored (unless its key is
     * stored already); returns how many old rows were deleted.
     */
    public synchronized int replace(List<Replacement> replacements) {
        try {
            return inTransaction(() -> {
                int deleted = 0;
                try (PreparedStatement d = db.prepareStatement("DELETE FROM results WHERE " + KEY_MATCH);
                        PreparedStatement p = db.prepareStatement(INSERT)) {
                    for (Replacement r : replacements) {
                        bindKey(d, r.old());
                        deleted += d.executeUpdate();
                        bindRow(p, r.now());
                        p.executeUpdate();
                    }
                }
                return deleted;
            });
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    /** The digest of the portable result file {@code name} when it was last imported, or null. */
    public synchronized String importedDigest(String name) {
        try (PreparedStatement p = db.prepareStatement("SELECT sha256 FROM imported_files WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    public synchronized boolean contains(ResultKey key) {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM results WHERE " + KEY_MATCH)) {
            bindKey(p, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    public synchronized Optional<StoredResult> get(ResultKey key) {
        List<StoredResult> rows = select("WHERE " + KEY_MATCH, p -> bindKey(p, key));
        return rows.stream().findFirst();
    }

    /** Every stored result, optionally of one estimator and/or one checkpoint hash (null = any), in insertion order. */
    public synchronized List<StoredResult> query(String estimator, String checkpointHash) {
        StringBuilder where = new StringBuilder("WHERE 1 = 1");
        if (estimator != null) {
            where.append(" AND estimator = ?");
        }
        if (checkpointHash != null) {
            where.append(" AND checkpoint_hash = ?");
        }
        return select(where + " ORDER BY id", p -> {
            int i = 1;
            if (estimator != null) {
                p.setString(i++, estimator);
            }
            if (checkpointHash != null) {
                p.setString(i, checkpointHash);
            }
            return i;
        });
    }

    public synchronized int count() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM results")) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    /** SQLite's {@code PRAGMA integrity_check}: "ok" for a sound file, else the problems found. */
    public synchronized String integrityCheck() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
            List<String> lines = new ArrayList<>();
            while (r.next()) {
                lines.add(r.getString(1));
            }
            return String.join("\n", lines);
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    private interface Binder {
        int bind(PreparedStatement p) throws SQLException;
    }

    private List<StoredResult> select(String where, Binder binder) {
        String sql = "SELECT " + COLUMNS + ", step, metrics, elapsed_ms, created_at, headlab_version FROM results "
                + where;
        try (PreparedStatement p = db.prepareStatement(sql)) {
            binder.bind(p);
            List<StoredResult> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    try {
                        ResultKey k = new ResultKey(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getString(5), Scope.valueOf(r.getString(6)), r.getInt(7), r.getInt(8));
                        out.add(new StoredResult(k, r.getInt(9), EstimatorResult.fromJson(r.getString(10)),
                                r.getLong(11), Instant.parse(r.getString(12)), r.getString(13)));
                    } catch (RuntimeException e) {
                        // written by hand or by another program: say which row, never a stack trace
                        throw new HeadLabException(file + ": a stored " + r.getString(2) + " result at step "
                                + r.getInt(9) + " is damaged (" + e.getClass().getSimpleName() + ": "
                                + e.getMessage() + "); delete the store to recompute, or restore it", e);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new HeadLabException(explain(file, e), e);
        }
    }

    private static int bindKey(PreparedStatement p, ResultKey k) throws SQLException {
        p.setString(1, k.checkpointHash());
        p.setString(2, k.estimator());
        p.setString(3, k.params());
        p.setString(4, k.dataset());
        p.setString(5, k.datasetHash());
        p.setString(6, k.scope().name());
        p.setInt(7, k.layer());
        p.setInt(8, k.head());
        return 9;
    }

    @Override
    public synchronized void close() {
        closeQuietly(db);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing cannot lose data: every put was committed when it returned
        }
    }
}
