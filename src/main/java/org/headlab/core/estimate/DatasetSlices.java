package org.headlab.core.estimate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.TokenWindows;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.session.RunSession;

/**
 * A run's dataset slices as the model sees them, each read, encoded and packed once and shared by every task of a
 * sweep: the documents (token ids, BOS first when the tokenizer has one, uncut) and their {@link TokenWindows}
 * windows of n_ctx tokens (equal lengths: batches are rectangular, nothing is padded or cut to the shortest
 * document). Thread-safe.
 */
public final class DatasetSlices {
    private final RunSession session;
    private final Map<String, Slice> cache = new ConcurrentHashMap<>();

    public DatasetSlices(RunSession session) {
        this.session = session;
    }

    /**
     * @param hash SHA-256 of the slice's file: part of the result key, so an edited dataset gives new keys
     * @param documents every record's token ids (BOS first), uncut
     * @param bos the tokenizer's BOS id, or {@link TokenWindows#NO_BOS}
     * @param windows the documents packed into windows of n_ctx tokens
     */
    public record Slice(String name, String hash, List<int[]> documents, int bos, List<int[]> windows) {

        /** The window length of {@link #windows()} (the model's n_ctx). */
        public int windowLength() {
            return windows.isEmpty() ? 0 : windows.get(0).length;
        }

        /** The documents packed into windows of {@code length} tokens (≤ n_ctx; n_ctx reuses {@link #windows()}). */
        public List<int[]> windows(int length) {
            if (documents.isEmpty()) {
                throw new HeadLabException("dataset '" + name + "' has no document of two or more tokens to"
                        + " evaluate on");
            }
            return length == windowLength() ? windows : List.copyOf(TokenWindows.pack(documents, length, bos, name));
        }

        /** The first {@code max} windows of {@code length} tokens as a batchable array (max ≤ 0: all). */
        public int[][] windowArray(int length, int max) {
            List<int[]> w = windows(length);
            int n = max <= 0 ? w.size() : Math.min(max, w.size());
            int[][] out = new int[n][];
            for (int i = 0; i < n; i++) {
                out[i] = w.get(i).clone();
            }
            return out;
        }
    }

    public Slice slice(String name) {
        return cache.computeIfAbsent(name, this::load);
    }

    /** The slice an estimator uses when none is named: the run's first dataset. */
    public String defaultSlice() {
        if (session.run().datasets().isEmpty()) {
            throw new HeadLabException("run '" + session.run().name() + "' has no datasets");
        }
        return session.run().datasets().get(0).name();
    }

    private Slice load(String name) {
        Path file = session.run().dataset(name).path();
        List<int[]> documents = readDocuments(session, name);
        int bos = bos(session);
        int nCtx = session.run().config().nCtx();
        // a slice without usable documents still has a hash (for planning); its estimators fail with a clear error
        return new Slice(name, sha256(file), documents, bos,
                documents.isEmpty() ? List.of() : List.copyOf(TokenWindows.pack(documents, nCtx, bos, name)));
    }

    /** Every record of dataset {@code name} as token ids, BOS first when the tokenizer has one, uncut; records of
     * fewer than 2 tokens (nothing to predict) are left out. */
    public static List<int[]> documents(RunSession session, String name) {
        List<int[]> documents = readDocuments(session, name);
        if (documents.isEmpty()) {
            throw new HeadLabException("dataset '" + name + "' has no document of two or more tokens to evaluate on");
        }
        return documents;
    }

    private static List<int[]> readDocuments(RunSession session, String name) {
        List<int[]> documents = new ArrayList<>();
        Tokenizer tok = session.tokenizer();
        for (DatasetRecord r : session.run().readDataset(name)) {
            int[] ids;
            if (r.hasTokens()) {
                ids = r.tokens();
            } else {
                int[] body = tok.encode(r.text());
                int bos = tok.bosId();
                ids = bos < 0 ? body : prepend(bos, body);
            }
            if (ids.length >= 2) { // a lone BOS predicts nothing
                documents.add(ids);
            }
        }
        return List.copyOf(documents);
    }

    /**
     * Dataset {@code name} packed into windows of {@code length} tokens (null: n_ctx), at most {@code max} of them
     * (≤ 0: all): the one way the CLI estimators, the LLC and the sweep turn a slice into batches.
     */
    public static int[][] windows(RunSession session, String name, Integer length, int max) {
        int nCtx = session.run().config().nCtx();
        int t = length == null ? nCtx : length;
        if (t < 2) {
            throw new HeadLabException("windows of " + t + " tokens are too short: the loss needs at least 2");
        }
        if (t > nCtx) {
            throw new HeadLabException("length " + t + " is longer than the model's context (n_ctx = " + nCtx + ")");
        }
        List<int[]> w = TokenWindows.pack(documents(session, name), t, bos(session), name);
        int n = max <= 0 ? w.size() : Math.min(max, w.size());
        return w.subList(0, n).toArray(int[][]::new);
    }

    static int bos(RunSession session) {
        int bos = session.tokenizer().bosId();
        return bos >= 0 ? bos : TokenWindows.NO_BOS;
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

}
