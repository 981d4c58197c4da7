package org.headlab.core.estimate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.session.RunSession;

/**
 * A run's dataset slices as the model sees them (token ids, BOS first when the tokenizer has one, cut to n_ctx),
 * each read and encoded once and shared by every task of a sweep. Thread-safe.
 */
public final class DatasetSlices {
    private final RunSession session;
    private final Map<String, Slice> cache = new ConcurrentHashMap<>();

    public DatasetSlices(RunSession session) {
        this.session = session;
    }

    /** @param hash SHA-256 of the slice's file: part of the result key, so an edited dataset gives new keys */
    public record Slice(String name, String hash, List<int[]> sequences) {
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
        List<int[]> sequences = new ArrayList<>();
        Tokenizer tok = session.tokenizer();
        int nCtx = session.run().config().nCtx();
        for (DatasetRecord r : session.run().readDataset(name)) {
            int[] ids;
            if (r.hasTokens()) {
                ids = r.tokens();
            } else {
                int[] body = tok.encode(r.text());
                int bos = tok.bosId();
                ids = bos < 0 ? body : prepend(bos, body);
            }
            sequences.add(ids.length > nCtx ? Arrays.copyOf(ids, nCtx) : ids);
        }
        return new Slice(name, sha256(file), List.copyOf(sequences));
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
