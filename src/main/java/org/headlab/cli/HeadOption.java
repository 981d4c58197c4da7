package org.headlab.cli;

import org.headlab.core.HeadLabException;
import org.headlab.core.run.ModelConfig;

/** A head written {@code L:H} on the command line (layer L, head H, both from 0), as in the paper. */
public record HeadOption(int layer, int head) {

    public static HeadOption parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 2) {
            throw new HeadLabException("head '" + text + "' must be written LAYER:HEAD, e.g. 1:3");
        }
        try {
            return new HeadOption(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new HeadLabException("head '" + text + "' must be written LAYER:HEAD with integers, e.g. 1:3");
        }
    }

    public HeadOption checkedAgainst(ModelConfig config) {
        if (layer < 0 || layer >= config.nLayers()) {
            throw new HeadLabException("head " + this + ": layer must be 0.." + (config.nLayers() - 1));
        }
        if (head < 0 || head >= config.nHeads()) {
            throw new HeadLabException("head " + this + ": head must be 0.." + (config.nHeads() - 1));
        }
        return this;
    }

    @Override
    public String toString() {
        return layer + ":" + head;
    }
}
