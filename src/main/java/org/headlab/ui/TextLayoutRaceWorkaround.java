package org.headlab.ui;

/**
 * Keeps JavaFX's shared Pango glyph layout out of use so that two threads never lay out text with it at once.
 *
 * <p>Why: on Linux, JavaFX 21 lays out "complex" text (combining marks such as the hat of λ̂, several scripts) with
 * one reusable {@code PangoGlyphLayout}, handed out by {@code GlyphLayout.getInstance()} behind an in-use flag.
 * Its {@code dispose()} clears that flag <em>before</em> it frees its native UTF-8 strings, so a second thread can take
 * the same layout and add strings while the first still frees them: a {@code ConcurrentModificationException} in a
 * layout pass, or a double {@code g_free} that aborts the JVM. Two threads lay out text in every HeadLab window: the
 * FX thread (labels saying λ̂) and the render thread (the same text drawn on a canvas by the figures). Taking the
 * reusable layout once and never giving it back makes every later layout a fresh instance of its own; the cost is
 * one small object per text layout. {@code TextLayoutRaceTest} crashes the JVM without this and passes with it.
 */
public final class TextLayoutRaceWorkaround {
    private static volatile boolean installed;

    private TextLayoutRaceWorkaround() {
    }

    /**
     * Takes the shared layout for good; idempotent, callable from any thread before or after the toolkit starts. A
     * JavaFX without that class (another version, another platform) is left as it is.
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        try {
            Class.forName("com.sun.javafx.text.GlyphLayout").getMethod("getInstance").invoke(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            System.getLogger(TextLayoutRaceWorkaround.class.getName()).log(System.Logger.Level.DEBUG,
                    "JavaFX glyph layout not reachable; text layout left as JavaFX has it", e);
        }
    }
}
