package org.headlab.core.figure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.session.AttentionResult;

/** Made-up inputs for figure tests: causal attention patterns, trajectories with bands, a composition matrix. */
final class FigureFixtures {
    private FigureFixtures() {
    }

    /** Patterns [layers][heads][n][n] whose rows are softmax over keys ≤ query; tokens cycle through {@code text}. */
    static AttentionResult attention(String text, int layers, int heads, long seed) {
        List<String> tokens = new ArrayList<>();
        tokens.add("<bos>");
        for (char c : text.toCharArray()) {
            tokens.add(String.valueOf(c));
        }
        int n = tokens.size();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][][][] p = new float[layers][heads][n][n];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < n; q++) {
                    double sum = 0;
                    double[] e = new double[q + 1];
                    for (int k = 0; k <= q; k++) {
                        e[k] = Math.exp(3 * rnd.nextDouble() + (k == q - 1 - h % 2 ? 2 : 0));
                        sum += e[k];
                    }
                    for (int k = 0; k <= q; k++) {
                        p[l][h][q][k] = (float) (e[k] / sum);
                    }
                }
            }
        }
        int[] ids = new int[n];
        return new AttentionResult(100, text, tokens, ids, p, TokenStructure.of(tokens));
    }

    static Provenance provenance() {
        return Provenance.builder().run("fixture", "/runs/fixture").checkpoint(100, "abc123")
                .estimator("rllc-sgld", Map.of("epsilon", 0.001, "gamma", 100.0, "chains", 4))
                .seed(7L).datasetSlice("train[0:512]").labels(Map.of("1:2", "induction")).build();
    }

    static TrajectoryFigure trajectories() {
        double[] steps = new double[25];
        for (int i = 1; i < steps.length; i++) {
            steps[i] = Math.round(10 * Math.pow(1.5, i));
        }
        List<TrajectoryFigure.Series> s = new ArrayList<>();
        String[] labels = {"previous-token", "induction", "bracket"};
        for (int layer = 0; layer < 2; layer++) {
            for (int h = 0; h < 4; h++) {
                double[] mean = new double[steps.length];
                double[] std = new double[steps.length];
                for (int i = 0; i < steps.length; i++) {
                    double t = Math.log1p(steps[i]);
                    mean[i] = 2 + h * 0.8 + layer + 3 * Math.tanh((t - 4 - h) / 1.5);
                    std[i] = 0.15 + 0.05 * h;
                }
                s.add(new TrajectoryFigure.Series(layer + ":" + h, labels[(h + layer) % 3], "layer " + layer, steps,
                        mean, std));
            }
        }
        List<TrajectoryFigure.Stage> stages = List.of(new TrajectoryFigure.Stage("LM1", 0, 90),
                new TrajectoryFigure.Stage("LM2", 90, 650), new TrajectoryFigure.Stage("LM3", 650, 850),
                new TrajectoryFigure.Stage("LM4", 850, 1700), new TrajectoryFigure.Stage("LM5", 1700, 1e9));
        return new TrajectoryFigure("Attention head rLLC λ̂ (± σ over 4 chains)", "training step t", "rLLC λ̂",
                s, stages, true, provenance());
    }

    static MatrixFigure matrix() {
        int n = 4;
        double[][] v = new double[n][n];
        List<String> rows = new ArrayList<>();
        List<String> cols = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            rows.add("0:" + i);
            cols.add("1:" + i);
            for (int j = 0; j < n; j++) {
                v[i][j] = rnd.nextDouble() * 0.6 + (i == j ? 0.3 : 0);
            }
        }
        return MatrixFigure.of("K-composition 0:h → 1:h′", v, rows, cols, "layer-0 head", "layer-1 head",
                "composition score", provenance());
    }
}
