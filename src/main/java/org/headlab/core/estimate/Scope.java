package org.headlab.core.estimate;

/**
 * What one task of an estimator covers at one checkpoint. A sweep makes one task per checkpoint and per target:
 * per selected head (HEAD), per layer holding a selected head (LAYER), or once for the whole model (MODEL, which
 * is also "per checkpoint": loss, whole-model LLC, Hessian trace).
 */
public enum Scope {
    HEAD, LAYER, MODEL
}
