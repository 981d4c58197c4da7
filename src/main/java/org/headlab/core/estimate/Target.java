package org.headlab.core.estimate;

/**
 * The part of the model a task is about. {@code layer}/{@code head} are -1 where the scope does not use them (so
 * that they can sit in a UNIQUE key: SQL NULLs never compare equal).
 */
public record Target(Scope scope, int layer, int head) {

    public Target {
        boolean ok = switch (scope) {
            case HEAD -> layer >= 0 && head >= 0;
            case LAYER -> layer >= 0 && head == -1;
            case MODEL -> layer == -1 && head == -1;
        };
        if (!ok) {
            throw new IllegalArgumentException("invalid target " + scope + " layer " + layer + " head " + head);
        }
    }

    public static Target model() {
        return new Target(Scope.MODEL, -1, -1);
    }

    public static Target layer(int layer) {
        return new Target(Scope.LAYER, layer, -1);
    }

    public static Target of(Head head) {
        return new Target(Scope.HEAD, head.layer(), head.head());
    }

    /** The head of a HEAD target; a LAYER or MODEL target has none. */
    public Head asHead() {
        if (scope != Scope.HEAD) {
            throw new IllegalStateException("target " + label() + " is not a head");
        }
        return new Head(layer, head);
    }

    /** "model", "L1", or "1:3" (the CLI's head notation). */
    public String label() {
        return switch (scope) {
            case HEAD -> layer + ":" + head;
            case LAYER -> "L" + layer;
            case MODEL -> "model";
        };
    }
}
