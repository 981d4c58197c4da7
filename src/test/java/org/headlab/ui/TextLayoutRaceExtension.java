package org.headlab.ui;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (META-INF/services, autodetection on in junit-platform.properties): tests open
 * JavaFX windows and lay out text from the test thread too, so they need the workaround the application installs at
 * start, before the first of them.
 */
public final class TextLayoutRaceExtension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        TextLayoutRaceWorkaround.install();
    }
}
