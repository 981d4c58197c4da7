package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lifetime rules of a sweep's shared work, with values that count how often they are made and freed. */
class SharedWorkTest {
    static final class Value implements AutoCloseable {
        boolean freed;

        @Override
        public void close() {
            if (freed) {
                throw new IllegalStateException("freed twice");
            }
            freed = true;
        }
    }

    @Test
    void oneValuePerKeyWhileHeldAndTheLastReleasedIsKept() {
        AtomicInteger made = new AtomicInteger();
        SharedWork work = new SharedWork();
        SharedWork.Lease<Value> a = work.acquire("layer 0", () -> count(made));
        SharedWork.Lease<Value> b = work.acquire("layer 0", () -> count(made));
        assertSame(a.get(), b.get());
        assertEquals(1, made.get());
        a.close();
        a.close(); // closing a lease twice lets go once
        assertFalse(b.get().freed, "still held by b");
        b.close();
        assertFalse(b.get().freed, "kept: one worker runs the layer's next head after this one");
        SharedWork.Lease<Value> c = work.acquire("layer 0", () -> count(made));
        assertSame(b.get(), c.get());
        assertEquals(1, made.get());
        c.close();
        SharedWork.Lease<Value> d = work.acquire("layer 1", () -> count(made));
        assertEquals(2, made.get());
        assertFalse(c.get().freed, "kept until another value is let go");
        d.close();
        assertTrue(c.get().freed, "layer 1 replaced it");
        assertEquals(1, work.alive());
        work.close();
        assertTrue(d.get().freed);
        assertEquals(0, work.alive());
    }

    @Test
    void closingTheSweepFreesHeldValuesWhenTheirLastHolderLetsGo() {
        SharedWork work = new SharedWork();
        SharedWork.Lease<Value> a = work.acquire("k", Value::new);
        work.close();
        assertFalse(a.get().freed, "a task still uses it");
        a.close();
        assertTrue(a.get().freed);
        SharedWork.Lease<Value> late = work.acquire("k", Value::new);
        assertNotSame(a.get(), late.get(), "after the sweep nothing is shared");
        late.close();
        assertTrue(late.get().freed);
    }

    @Test
    void noneSharesNothing() {
        SharedWork none = SharedWork.none();
        SharedWork.Lease<Value> a = none.acquire("k", Value::new);
        SharedWork.Lease<Value> b = none.acquire("k", Value::new);
        assertNotSame(a.get(), b.get());
        a.close();
        assertTrue(a.get().freed);
        assertFalse(b.get().freed);
        b.close();
        assertTrue(b.get().freed);
    }

    private static Value count(AtomicInteger made) {
        made.incrementAndGet();
        return new Value();
    }
}
