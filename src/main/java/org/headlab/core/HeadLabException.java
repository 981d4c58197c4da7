package org.headlab.core;

/**
 * A failure caused by the user's input (a file, a field, an argument), with a one-line message that says which
 * file or field and what was expected. The CLI prints only the message and exits non-zero; the GUI shows it.
 * Programming errors must not use this type: they should keep their stack trace.
 */
public class HeadLabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HeadLabException(String message) {
        super(message);
    }

    public HeadLabException(String message, Throwable cause) {
        super(message, cause);
    }
}
