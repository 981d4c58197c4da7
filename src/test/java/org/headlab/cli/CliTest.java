package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end on a real run folder: outputs are parsed back and checked against the run's own facts
 * (steps, config, tokenizer) and against properties any attention pattern must have (rows sum to 1, causal
 * zeros); user mistakes give exit 2 and exactly one line on stderr, never a stack trace.
 */
class CliTest {
    @TempDir
    static Path tmp;

    static Path run;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void writeRun() {
        run = FixtureRuns.brackets(tmp, "brackets");
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HeadLabCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text);
    }

    static void assertOneLineUserError(Result r, String expectedFragment) {
        assertEquals(HeadLabCli.EXIT_USER_ERROR, r.code(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("headlab: "), err);
        assertTrue(err.contains(expectedFragment), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        assertFalse(err.contains("Exception"), "no exception class names: " + err);
    }

    @Test
    void infoJsonListsCheckpointsWithTheirSteps() throws IOException {
        Result r = cli("info", run.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r.out());
        assertEquals("brackets", j.get("name").asText());
        assertEquals(FixtureRuns.STEPS.size(), j.get("checkpoints").size());
        for (int i = 0; i < FixtureRuns.STEPS.size(); i++) {
            assertEquals(FixtureRuns.STEPS.get(i), j.get("checkpoints").get(i).get("step").asInt());
        }
        assertEquals(FixtureRuns.BRACKETS_CONFIG.nHeads(), j.get("model").get("n_heads").asInt());
        assertEquals(FixtureRuns.BRACKETS_CONFIG.parameterCount(), j.get("parameter_count").asLong());
    }

    @Test
    void infoTextNamesTheModelShape() {
        Result r = cli("info", run.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 layers × 4 heads"), r.out());
    }

    @Test
    void attentionJsonHoldsTokensIdsAndCausalPatternsWhoseRowsSumToOne() throws IOException {
        Result r = cli("attention", run.toString(), "--step", "10", "--text", "([a])", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r.out());
        assertEquals(10, j.get("step").asInt());
        // BOS first, then one id per character, ids from the vocabulary order in run.json
        int[] expectedIds = {0, 1, 3, 5, 4, 2};
        String[] expectedTokens = {"<bos>", "(", "[", "a", "]", ")"};
        assertEquals(expectedIds.length, j.get("token_ids").size());
        for (int i = 0; i < expectedIds.length; i++) {
            assertEquals(expectedIds[i], j.get("token_ids").get(i).asInt());
            assertEquals(expectedTokens[i], j.get("tokens").get(i).asText());
        }
        JsonNode patterns = j.get("patterns");
        assertEquals(2, patterns.size());
        int n = expectedIds.length;
        for (JsonNode layer : patterns) {
            assertEquals(4, layer.size());
            for (JsonNode head : layer) {
                assertEquals(n, head.size());
                for (int q = 0; q < n; q++) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) {
                        double v = head.get(q).get(k).asDouble();
                        if (k > q) {
                            assertEquals(0.0, v, 0.0, "causal: query " + q + " must not see key " + k);
                        }
                        sum += v;
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
        }
        // the closing ')' at position 5 matches '(' at position 1
        assertEquals(1, j.get("match").get(5).asInt());
    }

    @Test
    void attentionDefaultsToTheLastCheckpointAndPrintsAHead() {
        Result r = cli("attention", run.toString(), "--text", "()", "--head", "1:3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("head 1:3 at step 100"), r.out());
    }

    @Test
    void generateDyckJsonGivesBalancedStringsWithTheirMatches() throws IOException {
        Result r = cli("generate", "dyck", "--kinds", "3", "--max-depth", "3", "--count", "20", "--seed", "4",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode seqs = json(r.out()).get("sequences");
        assertEquals(20, seqs.size());
        for (JsonNode s : seqs) {
            String text = s.get("text").asText();
            Deque<Character> stack = new ArrayDeque<>();
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '(', '[', '{' -> stack.push(c);
                    case ')' -> assertEquals('(', stack.pop());
                    case ']' -> assertEquals('[', stack.pop());
                    case '}' -> assertEquals('{', stack.pop());
                    default -> throw new AssertionError("unexpected character in " + text);
                }
            }
            assertTrue(stack.isEmpty(), text);
            JsonNode match = s.get("match");
            for (int i = 0; i < match.size(); i++) {
                assertEquals(i, match.get(match.get(i).asInt()).asInt(), "matching is symmetric");
            }
        }
    }

    @Test
    void generateSexprAndRepeatWork() throws IOException {
        Result s = cli("generate", "sexpr", "--count", "3", "--seed", "2");
        assertEquals(0, s.code(), s.err());
        assertEquals(3, s.out().strip().split("\n").length);
        Result r = cli("generate", "repeat", "--run", run.toString(), "--half-length", "5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode ids = json(r.out()).get("sequences").get(0).get("token_ids");
        assertEquals(11, ids.size());
        for (int i = 1; i <= 5; i++) {
            assertEquals(ids.get(i).asInt(), ids.get(i + 5).asInt());
        }
    }

    @Test
    void helpWorksEverywhere() {
        for (String[] args : new String[][] {{"--help"}, {"info", "--help"}, {"attention", "--help"},
            {"generate", "--help"}, {"generate", "dyck", "--help"}, {"generate", "sexpr", "--help"},
            {"generate", "repeat", "--help"}}) {
            Result r = cli(args);
            assertEquals(0, r.code(), String.join(" ", args));
            assertTrue(r.out().contains("Usage:"), String.join(" ", args));
        }
    }

    @Test
    void aMissingRunFolderIsOneClearLine() {
        assertOneLineUserError(cli("info", tmp.resolve("nope").toString()), "nope");
    }

    @Test
    void anUnknownStepIsOneClearLine() {
        assertOneLineUserError(cli("attention", run.toString(), "--step", "55", "--text", "()"), "55");
    }

    @Test
    void aCharacterOutsideTheVocabularyIsOneClearLine() {
        assertOneLineUserError(cli("attention", run.toString(), "--text", "(z)"), "z");
    }

    @Test
    void aBadHeadIsOneClearLine() {
        assertOneLineUserError(cli("attention", run.toString(), "--text", "()", "--head", "2:0"), "layer");
        assertOneLineUserError(cli("attention", run.toString(), "--text", "()", "--head", "x"), "LAYER:HEAD");
    }

    @Test
    void anInputLongerThanTheContextIsOneClearLine() {
        assertOneLineUserError(cli("attention", run.toString(), "--text", "()".repeat(40)), "n_ctx");
    }

    @Test
    void aCorruptCheckpointIsOneClearLineNamingTheFile() throws IOException {
        Path broken = FixtureRuns.brackets(tmp, "broken");
        Path ckpt = broken.resolve("checkpoints/step-000010.safetensors");
        byte[] bytes = Files.readAllBytes(ckpt);
        Files.write(ckpt, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertOneLineUserError(cli("info", broken.toString()), "step-000010.safetensors");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Result r = cli("info", run.toString(), "--bogus");
        assertEquals(HeadLabCli.EXIT_USER_ERROR, r.code());
        assertTrue(r.err().contains("--bogus"), r.err());
    }
}
