package org.headlab.core.estimate;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.ModelConfig;

/** Head {@code layer:head} (both from 0), as the paper writes it. */
public record Head(int layer, int head) {

    /** Every head of the model, layer by layer. */
    public static List<Head> all(ModelConfig config) {
        return all(config.nLayers(), config.nHeads());
    }

    /** Every head of a model of {@code layers} layers of {@code heads} heads, layer by layer. */
    public static List<Head> all(int layers, int heads) {
        List<Head> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                out.add(new Head(l, h));
            }
        }
        return out;
    }

    /** A head written {@code L:H} (on a command line, in a file), or a one-line error saying how to write it. */
    public static Head parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 2) {
            throw new HeadLabException("head '" + text + "' must be written LAYER:HEAD, e.g. 1:3");
        }
        try {
            return new Head(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new HeadLabException("head '" + text + "' must be written LAYER:HEAD with integers, e.g. 1:3");
        }
    }

    /** This head, or a one-line error when the model has no such head. */
    public Head checkedAgainst(ModelConfig config) {
        if (layer < 0 || layer >= config.nLayers()) {
            throw new HeadLabException("head " + this + ": layer must be 0.." + (config.nLayers() - 1));
        }
        if (head < 0 || head >= config.nHeads()) {
            throw new HeadLabException("head " + this + ": head must be 0.." + (config.nHeads() - 1));
        }
        return this;
    }

    /** The given heads checked against the model, or all heads when the list is null or empty. */
    public static List<Head> selectOrAll(List<Head> heads, ModelConfig config) {
        if (heads == null || heads.isEmpty()) {
            return all(config);
        }
        heads.forEach(h -> h.checkedAgainst(config));
        return List.copyOf(heads);
    }

    @Override
    public String toString() {
        return layer + ":" + head;
    }
}
