package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/** Packing properties of the one slice-to-batches path. */
class TokenWindowsTest {
    static final int BOS = 0;

    /** Random documents: BOS then 0..maxBody tokens in 1..9, each document's body a distinct signature. */
    static List<int[]> documents(long seed, int count, int maxBody) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] d = new int[1 + r.nextInt(maxBody + 1)];
            d[0] = BOS;
            for (int j = 1; j < d.length; j++) {
                d[j] = 1 + r.nextInt(9);
            }
            docs.add(d);
        }
        return docs;
    }

    @Test
    void everyWindowHasTheLengthStartsAtABosAndIsAPrefixOfTheDocumentStream() {
        for (long seed = 0; seed < 30; seed++) {
            List<int[]> docs = documents(seed, 1 + (int) (seed % 17), 12);
            for (int length : new int[] {2, 5, 13, 48}) {
                List<int[]> pieces = new ArrayList<>();
                docs.forEach(d -> pieces.addAll(TokenWindows.chunk(d, length, BOS)));
                List<int[]> w = TokenWindows.pack(docs, length, BOS, "t");
                int next = 0; // the piece each window starts with, in order
                for (int[] win : w) {
                    assertEquals(length, win.length);
                    assertEquals(BOS, win[0], "every window starts at a BOS");
                    // the window is the concatenation of pieces next, next+1, ... (cyclic), cut at the end
                    int pos = 0;
                    int p = next;
                    int firstCut = -1;
                    while (pos < length) {
                        int[] piece = pieces.get(p % pieces.size());
                        int take = Math.min(piece.length, length - pos);
                        assertArrayEquals(Arrays.copyOf(piece, take), Arrays.copyOfRange(win, pos, pos + take));
                        pos += take;
                        if (take < piece.length) {
                            firstCut = p;
                        } else {
                            p++;
                        }
                    }
                    next = firstCut >= 0 ? firstCut : p;
                }
                assertTrue(next >= pieces.size(), "no piece is lost: the windows cover every piece");
            }
        }
    }

    @Test
    void documentsLongerThanTheWindowAreChunkedWithoutLosingTokens() {
        int[] doc = new int[100];
        for (int i = 1; i < doc.length; i++) {
            doc[i] = 1 + i % 7;
        }
        List<int[]> chunks = TokenWindows.chunk(doc, 16, BOS);
        int body = 0;
        for (int[] c : chunks) {
            assertTrue(c.length <= 16);
            assertEquals(BOS, c[0]);
            body += c.length - 1;
        }
        assertEquals(99, body, "every body token is in exactly one chunk");
        int[] rejoined = chunks.stream().flatMapToInt(c -> Arrays.stream(c, 1, c.length)).toArray();
        assertArrayEquals(Arrays.copyOfRange(doc, 1, 100), rejoined);

        List<int[]> w = TokenWindows.pack(List.of(doc), 16, BOS, "long");
        assertEquals(7, w.size(), "16 + 6 × 15 = 106 ≥ 100 tokens: 7 windows");
        w.forEach(x -> assertEquals(16, x.length));
        assertArrayEquals(Arrays.copyOf(doc, 16), w.get(0));

        List<int[]> plain = TokenWindows.chunk(doc, 30, TokenWindows.NO_BOS);
        assertEquals(4, plain.size());
        assertArrayEquals(doc, plain.stream().flatMapToInt(Arrays::stream).toArray());
    }

    @Test
    void badInputIsOneClearError() {
        assertThrows(HeadLabException.class, () -> TokenWindows.pack(List.of(), 8, BOS, "t"));
        assertThrows(HeadLabException.class, () -> TokenWindows.pack(List.of(new int[0]), 8, BOS, "t"));
        assertThrows(HeadLabException.class, () -> TokenWindows.pack(List.of(new int[] {0, 1}), 1, BOS, "t"));
    }
}
