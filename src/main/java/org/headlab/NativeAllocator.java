package org.headlab;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Runs the engine-heavy commands in a child JVM whose C allocator keeps freed memory for reuse.
 *
 * <p>Why: an SGLD step on the lm run allocates and frees ~1 GB of tensors (logits of 16,384 tokens × 1,024 vocab
 * are 64 MB each, several per step). glibc serves blocks over its mmap threshold (at most 32 MB) and, from worker
 * threads, whole per-thread arenas with fresh mmap'd pages and gives them back on free, so every step page-faults
 * its tensors in again and the kernel zeroes them: measured on the 2-core VM (docs/benchmarks.md), one lm head's
 * rLLC spent 86 s of 162 s in the kernel, 39 % of all CPU in {@code clear_page_erms}. With one arena and no mmap
 * for allocations the freed blocks are reused: 5 s in the kernel, 75 s wall, numbers bit-identical.
 *
 * <p>glibc reads these settings ({@code GLIBC_TUNABLES}) only when a process starts, and Java 17 cannot call
 * {@code mallopt} without a native library of our own, so {@code java -jar headlab.jar} re-executes itself once with
 * them (same JVM, JVM options, class path and arguments; standard streams inherited; the exit status passed on).
 * Not done when the variable {@value #MARK} is set (the child, or a caller who set the allocator up itself), with
 * {@code -Dheadlab.relaunch=false}, off Linux, or for commands that run no model.
 */
final class NativeAllocator {
    /** Set in the child's environment: the allocator is already tuned. */
    static final String MARK = "HEADLAB_ALLOCATOR_TUNED";
    /** When set, the tuned child says so on stderr (to check what a slow run actually ran with). */
    static final String VERBOSE = "HEADLAB_ALLOCATOR_VERBOSE";

    /**
     * One arena (worker threads share the main heap instead of per-thread heaps that are unmapped on trim), no
     * mmap'd blocks, the heap top kept up to 1 GB when freed, and grown 64 MB at a time.
     */
    static final String TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0"
            + ":glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864";

    /** Subcommands that never load a model: not worth a second JVM. */
    private static final Set<String> LIGHT = Set.of("info", "labels", "results", "generate", "windows", "import", "cluster", "help", "-h", "--help",
            "-V", "--version");

    private NativeAllocator() {
    }

    /** Whether {@code args} (Main's) should run in a tuned child, given the environment and system properties. */
    static boolean wanted(String[] args, Map<String, String> env, String osName, String relaunchProperty) {
        if (env.containsKey(MARK) || "false".equalsIgnoreCase(relaunchProperty)) {
            return false;
        }
        if (!osName.toLowerCase(Locale.ROOT).contains("linux")) {
            return false;
        }
        return args.length == 0 || !LIGHT.contains(args[0]);
    }

    /** The child's GLIBC_TUNABLES: ours after any the caller set (a later entry wins, so the caller's go first). */
    static String tunables(String existing) {
        return existing == null || existing.isBlank() ? TUNABLES : existing + ":" + TUNABLES;
    }

    /**
     * The packages a launched jar's manifest opens (Add-Opens: headlab-spark.jar's, for Spark), as the command-line
     * options that open them in the child, which starts from the class path and so would not read that manifest.
     */
    static List<String> manifestOpens(String classPath) {
        List<String> opens = new ArrayList<>();
        if (classPath == null || !classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
            return opens;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(classPath)) {
            java.util.jar.Manifest m = jar.getManifest();
            String value = m == null ? null : m.getMainAttributes().getValue("Add-Opens");
            if (value != null) {
                for (String pkg : value.trim().split("\\s+")) {
                    opens.add("--add-opens=" + pkg + "=ALL-UNNAMED");
                }
            }
        } catch (java.io.IOException e) {
            // no readable manifest: nothing to carry over
        }
        return opens;
    }

    /**
     * Runs Main with {@code args} in a tuned child and returns its exit status, or empty when this process should
     * go on itself (not wanted, or the child could not be started: then the untuned process still works).
     */
    static OptionalInt relaunchIfWanted(String[] args) {
        if (System.getenv(MARK) != null && System.getenv(VERBOSE) != null) {
            System.err.println("headlab: allocator: " + System.getenv("GLIBC_TUNABLES"));
        }
        if (!wanted(args, System.getenv(), System.getProperty("os.name", ""),
                System.getProperty("headlab.relaunch"))) {
            return OptionalInt.empty();
        }
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) {
            return OptionalInt.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java.get());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp")) { // a debugger is attached to this JVM, and its port is taken
                cmd.add(a);
            }
        }
        cmd.addAll(manifestOpens(System.getProperty("java.class.path")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(MARK, "1");
        pb.environment().put("GLIBC_TUNABLES", tunables(System.getenv("GLIBC_TUNABLES")));
        if (!new File(java.get()).canExecute()) {
            return OptionalInt.empty();
        }
        Process child;
        try {
            child = pb.start();
        } catch (java.io.IOException e) {
            return OptionalInt.empty();
        }
        // a parent ended by SIGTERM/SIGHUP takes the child with it (Ctrl-C reaches both through the process group)
        Thread stop = new Thread(child::destroy, "headlab-child-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            int code = child.waitFor();
            Runtime.getRuntime().removeShutdownHook(stop);
            return OptionalInt.of(code);
        } catch (InterruptedException e) {
            child.destroy();
            Thread.currentThread().interrupt();
            return OptionalInt.of(130);
        } catch (IllegalStateException e) {
            return OptionalInt.of(child.exitValue()); // the JVM is shutting down already
        }
    }
}
