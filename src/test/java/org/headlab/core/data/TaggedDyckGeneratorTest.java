package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

class TaggedDyckGeneratorTest {

    @Test
    void everyCloserIsFollowedByTheTagOfItsMatchingOpener() {
        TaggedDyckGenerator gen = new TaggedDyckGenerator(3, 4, 2, 30, false);
        SplittableRandom rng = new SplittableRandom(7);
        for (int n = 0; n < 300; n++) {
            GeneratedSequence g = gen.sample(rng);
            List<String> t = g.tokens();
            assertEquals(String.join("", t), g.text());
            assertTrue(g.structure().isBalanced(), g.text());
            assertTrue(g.structure().maxNesting() <= 4, g.text());
            Deque<Integer> stack = new ArrayDeque<>(); // plain stack, independent of TokenStructure
            int brackets = 0;
            for (int i = 0; i < t.size(); i++) {
                int open = "([{".indexOf(t.get(i));
                if (open >= 0) {
                    stack.push(i);
                    brackets++;
                } else if (t.get(i).equals(")")) {
                    int j = stack.pop();
                    brackets++;
                    assertEquals(j, g.structure().match(i), g.text());
                    assertEquals(TaggedDyckGenerator.TAGS.get("([{".indexOf(t.get(j))), t.get(i + 1), g.text());
                } else {
                    assertTrue(List.of("a", "b", "c").contains(t.get(i)) && t.get(i - 1).equals(")"), g.text());
                }
            }
            assertTrue(stack.isEmpty());
            assertTrue(brackets >= 2 && brackets <= 30 && brackets % 2 == 0 && t.size() == brackets * 3 / 2);
        }
    }

    @Test
    void vocabularyPairsAndBadParameters() {
        assertEquals(List.of("(", "[", ")", "a", "b"), TaggedDyckGenerator.tokens(2));
        assertEquals(List.of(new BracketPair("(", ")"), new BracketPair("[", ")")), TaggedDyckGenerator.pairs(2));
        assertEquals(2, TaggedDyckGenerator.kindsOf(TaggedDyckGenerator.pairs(2)));
        assertEquals(0, TaggedDyckGenerator.kindsOf(BracketPair.DEFAULTS));
        assertThrows(HeadLabException.class, () -> new TaggedDyckGenerator(5, 4, 2, 30, false));
        assertThrows(HeadLabException.class, () -> new TaggedDyckGenerator(2, 4, 3, 30, false));
    }
}
