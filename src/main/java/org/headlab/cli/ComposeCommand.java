package org.headlab.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.composition.CompositionScores;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code compose RUN}: Q/K/V composition scores, estimators.md §5. */
@Command(name = "compose", mixinStandardHelpOptions = true,
        description = {"Q-, K- and V-composition scores of every earlier-layer head into every later-layer head "
                + "(raw weights), with a random-matrix baseline of the same shapes. JSON: Q, K, V as "
                + "[layer][head][layer][head], 0 where the receiver is not in a later layer."})
final class ComposeCommand extends EstimatorCommand {
    @Option(names = "--baseline-draws", paramLabel = "N", defaultValue = "200",
            description = "Random draws of the baseline (default: ${DEFAULT-VALUE}).")
    int draws;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the baseline (default: ${DEFAULT-VALUE}).")
    long seed;

    CompositionScores.Baselines baselines;

    @Override
    void prepare(List<Head> selected) {
        baselines = CompositionScores.randomBaseline(session.run().config(), draws, seed);
    }

    @Override
    Map<String, Object> header() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("Q", baselines.q());
        b.put("K", baselines.k());
        b.put("V", baselines.v());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("baseline", b);
        return m;
    }

    @Override
    Map<String, Object> computeStep(Transformer model, List<Head> selected) {
        ModelConfig c = model.config();
        CompositionScores.Result r = CompositionScores.compute(c, model.weights());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Q", r.q());
        m.put("K", r.k());
        m.put("V", r.v());
        return m;
    }

    @Override
    List<String> columns() {
        return List.of("sender", "receiver", "Q", "K", "V", "Q_z", "K_z", "V_z");
    }

    @Override
    List<List<Object>> rows(Map<String, Object> result, List<Head> selected) {
        double[][][][] q = (double[][][][]) result.get("Q");
        double[][][][] k = (double[][][][]) result.get("K");
        double[][][][] v = (double[][][][]) result.get("V");
        List<List<Object>> rows = new ArrayList<>();
        for (Head s : Head.all(session.run().config())) {
            for (Head r : Head.all(session.run().config())) {
                if (r.layer() <= s.layer() || !(selected.contains(s) || selected.contains(r))) {
                    continue;
                }
                double qs = q[s.layer()][s.head()][r.layer()][r.head()];
                double ks = k[s.layer()][s.head()][r.layer()][r.head()];
                double vs = v[s.layer()][s.head()][r.layer()][r.head()];
                rows.add(List.of(s.toString(), r.toString(), qs, ks, vs, z(qs, baselines.q()), z(ks, baselines.k()),
                        z(vs, baselines.v())));
            }
        }
        return rows;
    }

    /** Standard deviations above the random baseline. */
    private static double z(double x, CompositionScores.Baseline b) {
        return b.std() > 0 ? (x - b.mean()) / b.std() : Double.NaN;
    }
}
