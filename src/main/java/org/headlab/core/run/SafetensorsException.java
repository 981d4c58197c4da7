package org.headlab.core.run;

import org.headlab.core.HeadLabException;

/** A .safetensors file that cannot be read as one; the message names the file and, where it applies, the tensor. */
public class SafetensorsException extends HeadLabException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
