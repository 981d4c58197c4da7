package org.headlab.core.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * A test oracle: the TransformerLens forward pass of estimators.md §1.1 written out as plain double-precision loops,
 * one sequence at a time, straight from the spec and independently of {@link Transformer}. Slow and simple on
 * purpose. Masked positions are left out of the softmax altogether (true -inf), not given a large negative score.
 */
final class ReferenceTransformer {

    private final ModelConfig c;
    private final Map<String, double[]> w;
    private final int d;
    private final int nh;
    private final int dh;
    private final int nv;

    ReferenceTransformer(ModelConfig config, Map<String, double[]> weights) {
        this.c = config;
        this.w = weights;
        this.d = config.dModel();
        this.nh = config.nHeads();
        this.dh = config.dHead();
        this.nv = config.dVocab();
    }

    static Map<String, double[]> toDouble(Map<String, HostTensor> weights) {
        Map<String, double[]> out = new LinkedHashMap<>();
        weights.forEach((n, t) -> {
            double[] a = new double[t.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = t.data()[i];
            }
            out.put(n, a);
        });
        return out;
    }

    /** Everything one sequence produces. */
    static final class Result {
        double[][] logits; // [T][V]
        double[][][][] patterns; // [L][H][T][T]
        double[][][] residPre; // [L][T][D]
        double[][] residFinal; // [T][D]
    }

    Result forward(int[] tokens) {
        int t = tokens.length;
        Result r = new Result();
        r.patterns = new double[c.nLayers()][nh][t][t];
        r.residPre = new double[c.nLayers()][][];
        double[] wE = w.get("embed.W_E");
        double[] wPos = w.get("pos_embed.W_pos");
        boolean shortformer = "shortformer".equals(c.positionalEmbeddingType());
        double[][] x = new double[t][d];
        double[][] pos = new double[t][d];
        for (int i = 0; i < t; i++) {
            for (int m = 0; m < d; m++) {
                pos[i][m] = wPos[i * d + m];
                x[i][m] = wE[tokens[i] * d + m] + (shortformer ? 0.0 : pos[i][m]);
            }
        }
        for (int l = 0; l < c.nLayers(); l++) {
            String blk = "blocks." + l + ".";
            r.residPre[l] = copy(x);
            double[][] n = norm(x, blk + "ln1");
            double[][] qkIn = n;
            if (shortformer) {
                qkIn = new double[t][d];
                for (int i = 0; i < t; i++) {
                    for (int m = 0; m < d; m++) {
                        qkIn[i][m] = n[i][m] + pos[i][m];
                    }
                }
            }
            double[] wO = w.get(blk + "attn.W_O");
            double[] bO = w.get(blk + "attn.b_O");
            double[][] attnOut = new double[t][d];
            for (int i = 0; i < t; i++) {
                System.arraycopy(bO, 0, attnOut[i], 0, d);
            }
            for (int h = 0; h < nh; h++) {
                double[][] q = project(qkIn, blk + "attn.W_Q", blk + "attn.b_Q", h);
                double[][] k = project(qkIn, blk + "attn.W_K", blk + "attn.b_K", h);
                double[][] v = project(n, blk + "attn.W_V", blk + "attn.b_V", h);
                for (int i = 0; i < t; i++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += q[i][e] * k[j][e];
                        }
                        s[j] = dot / Math.sqrt(dh);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    double[] z = new double[dh];
                    for (int j = 0; j <= i; j++) {
                        double a = s[j] / sum;
                        r.patterns[l][h][i][j] = a;
                        for (int e = 0; e < dh; e++) {
                            z[e] += a * v[j][e];
                        }
                    }
                    for (int e = 0; e < dh; e++) {
                        for (int m = 0; m < d; m++) {
                            attnOut[i][m] += z[e] * wO[(h * dh + e) * d + m];
                        }
                    }
                }
            }
            add(x, attnOut);
            if (!c.attnOnly()) {
                add(x, mlp(norm(x, blk + "ln2"), blk));
            }
        }
        r.residFinal = copy(x);
        double[][] f = norm(x, "ln_final");
        double[] wU = w.get("unembed.W_U");
        double[] bU = w.get("unembed.b_U");
        r.logits = new double[t][nv];
        for (int i = 0; i < t; i++) {
            for (int v = 0; v < nv; v++) {
                double s = bU[v];
                for (int m = 0; m < d; m++) {
                    s += f[i][m] * wU[m * nv + v];
                }
                r.logits[i][v] = s;
            }
        }
        return r;
    }

    /** −log softmax(logits_i)[t_{i+1}] for i = 0..T−2 of every sequence. */
    double[][] tokenLosses(int[][] batch) {
        double[][] out = new double[batch.length][];
        for (int b = 0; b < batch.length; b++) {
            double[][] logits = forward(batch[b]).logits;
            int t = batch[b].length;
            out[b] = new double[t - 1];
            for (int i = 0; i < t - 1; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (double z : logits[i]) {
                    max = Math.max(max, z);
                }
                double sum = 0;
                for (double z : logits[i]) {
                    sum += Math.exp(z - max);
                }
                out[b][i] = -(logits[i][batch[b][i + 1]] - max - Math.log(sum));
            }
        }
        return out;
    }

    double loss(int[][] batch) {
        double s = 0;
        int n = 0;
        for (double[] row : tokenLosses(batch)) {
            for (double v : row) {
                s += v;
                n++;
            }
        }
        return s / n;
    }

    private double[][] project(double[][] in, String weight, String bias, int h) {
        double[] wt = w.get(weight);
        double[] b = w.get(bias);
        double[][] out = new double[in.length][dh];
        for (int i = 0; i < in.length; i++) {
            for (int e = 0; e < dh; e++) {
                double s = b[h * dh + e];
                for (int m = 0; m < d; m++) {
                    s += in[i][m] * wt[(h * d + m) * dh + e];
                }
                out[i][e] = s;
            }
        }
        return out;
    }

    private double[][] mlp(double[][] in, String blk) {
        int dm = c.dMlp();
        double[] wIn = w.get(blk + "mlp.W_in");
        double[] bIn = w.get(blk + "mlp.b_in");
        double[] wOut = w.get(blk + "mlp.W_out");
        double[] bOut = w.get(blk + "mlp.b_out");
        double[][] out = new double[in.length][d];
        for (int i = 0; i < in.length; i++) {
            double[] hidden = new double[dm];
            for (int j = 0; j < dm; j++) {
                double s = bIn[j];
                for (int m = 0; m < d; m++) {
                    s += in[i][m] * wIn[m * dm + j];
                }
                hidden[j] = act(s);
            }
            for (int m = 0; m < d; m++) {
                double s = bOut[m];
                for (int j = 0; j < dm; j++) {
                    s += hidden[j] * wOut[j * d + m];
                }
                out[i][m] = s;
            }
        }
        return out;
    }

    private double act(double x) {
        String a = c.actFn() == null ? "gelu" : c.actFn();
        return switch (a) {
            case "gelu" -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case "gelu_new" -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case "relu" -> Math.max(0, x);
            case "silu" -> x / (1 + Math.exp(-x));
            default -> throw new IllegalArgumentException(a);
        };
    }

    private double[][] norm(double[][] x, String name) {
        String type = c.normalizationType();
        if (type == null || type.equals("none")) {
            return x;
        }
        double eps = c.eps() == null ? 1e-5 : c.eps();
        double[][] out = new double[x.length][d];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= d;
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= d;
            double sd = Math.sqrt(var + eps);
            for (int m = 0; m < d; m++) {
                double y = (x[i][m] - mean) / sd;
                if (type.equals("LN")) {
                    y = y * w.get(name + ".w")[m] + w.get(name + ".b")[m];
                }
                out[i][m] = y;
            }
        }
        return out;
    }

    /** erf to ~1e-14: Maclaurin series near 0, Laplace continued fraction for erfc further out. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = ax;
            for (int n = 80; n >= 1; n--) {
                f = ax + (n / 2.0) / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    private static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int m = 0; m < x[i].length; m++) {
                x[i][m] += y[i][m];
            }
        }
    }

    private static double[][] copy(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
        }
        return out;
    }
}
