package org.headlab.core;

/** The version of this HeadLab build (the jar's Implementation-Version), stored with every result. */
public final class HeadLabVersion {
    private HeadLabVersion() {
    }

    public static String get() {
        String v = HeadLabVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
