package org.headlab.spark;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.headlab.core.HeadLabException;

/**
 * What a cluster's executors need besides Spark itself: HeadLab's classes and the libraries the estimators use.
 * Run from the packaged jar, that is headlab.jar and its lib/ folder, shipped with the job by Spark (the desktop's
 * JavaFX jars left out: executors draw nothing); run from class folders (a build tree, the tests), the driver's class
 * path as it is, which executors on the same machine or a shared file system can read.
 */
final class ApplicationClasspath {
    private ApplicationClasspath() {
    }

    static void configure(SparkConf conf) {
        Path self = codeSource();
        if (Files.isRegularFile(self)) {
            conf.setJars(jars(self).toArray(String[]::new));
        } else {
            conf.set("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        }
    }

    static List<String> jars(Path headlabJar) {
        List<String> jars = new ArrayList<>();
        jars.add(headlabJar.toString());
        Path lib = headlabJar.resolveSibling("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> files = Files.list(lib)) {
                files.filter(p -> p.toString().endsWith(".jar"))
                        .filter(p -> !desktopOnly(p.getFileName().toString()))
                        .sorted()
                        .forEach(p -> jars.add(p.toString()));
            } catch (IOException e) {
                throw new HeadLabException("cannot list " + lib + " to ship it to the executors: " + e.getMessage());
            }
        }
        return jars;
    }

    private static boolean desktopOnly(String jar) {
        return jar.startsWith("javafx-") || jar.startsWith("controlsfx-");
    }

    private static Path codeSource() {
        try {
            return Path.of(ApplicationClasspath.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall back to the class path, which is what a class folder gives too
            return Path.of(System.getProperty("java.class.path").split(File.pathSeparator)[0]);
        }
    }
}
