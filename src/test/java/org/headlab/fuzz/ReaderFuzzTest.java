package org.headlab.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.HfTokenizer;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.Run;
import org.headlab.core.run.SafetensorsReader;
import org.headlab.core.store.PortableResults;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every reader of outside bytes, fed arbitrary bytes (issue 19): safetensors files, run.json, a dataset slice,
 * labels.json, tokenizer.json, portable result rows and the text a user types. The property each harness holds:
 * the reader either succeeds or refuses with a {@link HeadLabException} (the one-line user error); any other
 * exception, a hang or running out of memory is a finding. {@code mvn test} replays the committed seed corpus
 * (src/test/resources/org/headlab/fuzz/ReaderFuzzTestInputs/, real files of the project's runs) in seconds;
 * {@code JAZZER_FUZZ=1} fuzzes one harness (docs/reliability.md has the command and the numbers).
 */
class ReaderFuzzTest {
    private static Path root;
    private static Path run;
    private static HfTokenizer gpt2Tokenizer;
    private static ResultStore store;
    private static Run fuzzRun;

    @BeforeAll
    static void fixture() throws IOException {
        root = Files.createTempDirectory("headlab-fuzz");
        run = FixtureRuns.brackets(root, "run");
        gpt2Tokenizer = new HfTokenizer(Path.of("src/test/resources/import/gpt2/tokenizer.json"), null);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (store != null) {
            store.close();
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Runs {@code reader}; a HeadLabException is a refusal, as it should be. */
    private static void refusedOrRead(Runnable reader) {
        try {
            reader.run();
        } catch (HeadLabException expected) {
            // the user's one-line error
        }
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void safetensors(byte[] bytes) {
        Path f = write(root.resolve("fuzz.safetensors"), bytes);
        refusedOrRead(() -> SafetensorsReader.readAll(f));
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void runJson(byte[] bytes) throws IOException {
        byte[] original = Files.readAllBytes(run.resolve(Run.MANIFEST_FILE));
        write(run.resolve(Run.MANIFEST_FILE), bytes);
        try {
            refusedOrRead(() -> {
                Run r = Run.open(run);
                r.steps().forEach(r::checkpoint);
            });
        } finally {
            Files.write(run.resolve(Run.MANIFEST_FILE), original);
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void datasetSlice(byte[] bytes) throws IOException {
        Run r = Run.open(run);
        Path file = run.resolve(r.datasets().get(0).file());
        byte[] original = Files.readAllBytes(file);
        write(file, bytes);
        try {
            refusedOrRead(() -> Run.open(run).readDataset(r.datasets().get(0).name()));
        } finally {
            Files.write(file, original);
        }
    }

    /** labels.json never throws at all: a damaged file is reported in {@link LabelStore.Loaded#error()}. */
    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void labelsJson(byte[] bytes) {
        write(LabelStore.file(run), bytes);
        LabelStore.load(run);
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void tokenizerJson(byte[] bytes) {
        Path f = write(root.resolve("tokenizer.json"), bytes);
        refusedOrRead(() -> {
            HfTokenizer t = new HfTokenizer(f, null);
            t.decode(t.encode("w1 w2 <|endoftext|> w3"));
        });
    }

    /**
     * Rows of results/*.jsonl as a cloned run brings them: imported, refused by line, never a crash. One store for
     * every input (opening SQLite per input made this harness 60 times slower); rows that import accumulate in it.
     */
    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void resultRows(byte[] bytes) {
        Path dir = PortableResults.folder(run);
        write(dir.resolve("patterns.jsonl"), bytes);
        synchronized (ReaderFuzzTest.class) {
            if (store == null) {
                store = ResultStore.open(root.resolve("fuzz-results.db"));
                fuzzRun = Run.open(run);
            }
        }
        refusedOrRead(() -> PortableResults.importInto(fuzzRun, store));
    }

    /** The text typed into the input box or given with --text, through a BPE tokenizer and back. */
    @FuzzTest(maxDuration = "10m", maxExecutions = 20000)
    void inputText(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        refusedOrRead(() -> gpt2Tokenizer.decode(gpt2Tokenizer.encode(text)));
    }
}
