package org.headlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {
    private static final Map<String, String> PLAIN = Map.of("PATH", "/usr/bin");

    @Test
    void engineCommandsAndTheGuiRelaunchOnLinuxOnly() {
        assertTrue(NativeAllocator.wanted(new String[0], PLAIN, "Linux", null), "the GUI");
        assertTrue(NativeAllocator.wanted(new String[] {"llc", "RUN"}, PLAIN, "Linux", null));
        assertTrue(NativeAllocator.wanted(new String[] {"sweep", "RUN"}, PLAIN, "Linux", "true"));
        assertFalse(NativeAllocator.wanted(new String[] {"llc", "RUN"}, PLAIN, "Mac OS X", null));
        assertFalse(NativeAllocator.wanted(new String[] {"llc", "RUN"}, PLAIN, "Windows 11", null));
    }

    @Test
    void noRelaunchInTheChildOnRequestOrForLightCommands() {
        assertFalse(NativeAllocator.wanted(new String[] {"llc"}, Map.of(NativeAllocator.MARK, "1"), "Linux", null));
        assertFalse(NativeAllocator.wanted(new String[] {"llc"}, PLAIN, "Linux", "false"));
        for (String light : new String[] {"info", "results", "labels", "generate", "--help", "-V"}) {
            assertFalse(NativeAllocator.wanted(new String[] {light, "x"}, PLAIN, "Linux", null), light);
        }
    }

    @Test
    void callersTunablesComeFirstSoOursWin() {
        assertEquals(NativeAllocator.TUNABLES, NativeAllocator.tunables(null));
        assertEquals(NativeAllocator.TUNABLES, NativeAllocator.tunables(" "));
        assertEquals("glibc.malloc.tcache_count=0:" + NativeAllocator.TUNABLES,
                NativeAllocator.tunables("glibc.malloc.tcache_count=0"));
    }

    /**
     * The real relaunch, end to end: Main in a fresh JVM (without the mark) runs the command in a child that has the
     * mark and the tunables, and passes on its exit status and its error line (a missing run folder: exit 2).
     */
    @Test
    void aRelaunchedCommandKeepsItsExitStatusAndOutput() throws Exception {
        Path missing = Path.of("target", "no-such-run-" + System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "llc", missing.toString(), "--step", "0", "--full"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(NativeAllocator.MARK);
        pb.environment().put(NativeAllocator.VERBOSE, "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), out);
        assertTrue(out.contains(missing.getFileName().toString()), out);
        boolean linux = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux");
        assertEquals(linux, out.contains("headlab: allocator: " + NativeAllocator.TUNABLES), out);
    }

    /** headlab-spark.jar opens packages for Spark in its manifest; the relaunched child gets them as options. */
    @Test
    void theLaunchedJarsManifestOpensCarryOverToTheChild(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("launcher.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Add-Opens", "java.base/java.nio java.base/sun.nio.ch");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar), m)) {
            out.flush();
        }
        assertEquals(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"),
                NativeAllocator.manifestOpens(jar.toString()));
        assertEquals(List.of(), NativeAllocator.manifestOpens(jar + java.io.File.pathSeparator + "other.jar"),
                "a class path, not a launched jar");
        assertEquals(List.of(), NativeAllocator.manifestOpens(tmp.resolve("missing.jar").toString()));
    }
}
