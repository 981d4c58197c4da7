package org.headlab.core.run;

import java.util.Arrays;

/**
 * A float32 tensor in Java memory (row-major), the form in which weights travel between files and the engine.
 * BF16/F16 data is widened to float before it becomes a HostTensor, so nothing but F32 ever reaches DJL.
 */
public record HostTensor(int[] shape, float[] data) {

    public HostTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values but data has " + data.length);
        }
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public static HostTensor zeros(int... shape) {
        return new HostTensor(shape, new float[Math.toIntExact(numel(shape))]);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return data.length;
    }

    /** The transpose of a matrix ([rows, cols] → [cols, rows]). */
    public HostTensor transpose() {
        if (rank() != 2) {
            throw new IllegalArgumentException("transpose of a rank-" + rank() + " tensor");
        }
        int rows = dim(0);
        int cols = dim(1);
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = data[i * cols + j];
            }
        }
        return new HostTensor(new int[] {cols, rows}, out);
    }

    public boolean sameShape(int[] other) {
        return Arrays.equals(shape, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
