package org.headlab.core.session;

/** The kinds of input the workbench can generate for a run. */
public enum InputKind {
    DYCK("Dyck string"),
    SEXPR("S-expression"),
    REPEATED("Repeated random tokens"),
    DATASET("Sample from the run's data");

    private final String label;

    InputKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
