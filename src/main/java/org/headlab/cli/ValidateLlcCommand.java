package org.headlab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.NormalCrossing;
import org.headlab.core.estimate.llc.ReducedRankRegression;
import org.headlab.core.estimate.llc.SgldConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code validate-llc normal-crossing --powers k1,k2,...}: devinterp's accuracy self-check of the sampler;
 * {@code validate-llc rrr --shape M,N,H,r}: reduced-rank regression, λ known in closed form (Aoyagi–Watanabe 2005).
 */
@Command(name = "validate-llc", mixinStandardHelpOptions = true,
        description = "Self-check the SGLD sampler on a model whose learning coefficient is known: normal-crossing"
                + " (1/(2·max k)) or rrr, reduced-rank regression (Aoyagi–Watanabe).")
final class ValidateLlcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "normal-crossing or rrr")
    String model;

    @Option(names = "--powers", split = ",", description = "normal-crossing: k1,k2,... one power per weight.")
    List<Integer> powers;

    @Option(names = "--shape", split = ",", description = "rrr: M,N,H,r (inputs, outputs, hidden, true rank).")
    List<Integer> shape;

    @Option(names = "--chains", description = "Chains (default 10; rrr 8).")
    Integer chains;

    @Option(names = "--draws", description = "Draws per chain (default 5000; rrr 6000).")
    Integer draws;

    @Option(names = "--seed", description = "Seed (default 1).")
    long seed = 1;

    @Option(names = "--sampler", description = "sgld (default), rmsprop_sgld or sgnht.")
    String sampler = "sgld";

    @Option(names = "--epsilon", description = "Step size (default: normal-crossing devinterp's 4e-4, rrr 2e-4;"
            + " rmsprop_sgld wants ~1/10 of it).")
    Double epsilon;

    @Option(names = "--json", description = "Print JSON (estimate, std, theory).")
    boolean json;

    @Override
    public Integer call() {
        LlcResult r;
        double theory;
        String what;
        if ("normal-crossing".equals(model)) {
            if (powers == null || powers.isEmpty()) {
                throw new org.headlab.core.HeadLabException("normal-crossing needs --powers k1,k2,...");
            }
            int[] k = powers.stream().mapToInt(Integer::intValue).toArray();
            theory = NormalCrossing.theory(k);
            SgldConfig cfg = NormalCrossing.devinterpConfig(seed).withChains(chains == null ? NormalCrossing.CHAINS
                    : chains).withDraws(draws == null ? NormalCrossing.DRAWS : draws)
                    .withSampler(SgldConfig.Sampler.of(sampler));
            r = NormalCrossing.estimate(k, epsilon == null ? cfg : cfg.withEpsilon(epsilon), () -> false);
            what = "normal crossing " + powers;
        } else if ("rrr".equals(model)) {
            if (shape == null || shape.size() != 4) {
                throw new org.headlab.core.HeadLabException("rrr needs --shape M,N,H,r (4 integers)");
            }
            theory = ReducedRankRegression.theory(shape.get(0), shape.get(1), shape.get(2), shape.get(3));
            SgldConfig cfg = ReducedRankRegression.config(10_000, epsilon == null ? 2e-4 : epsilon,
                    chains == null ? 8 : chains, draws == null ? 6000 : draws, seed)
                    .withSampler(SgldConfig.Sampler.of(sampler));
            r = ReducedRankRegression.estimate(shape.get(0), shape.get(1), shape.get(2), shape.get(3), cfg,
                    () -> false);
            what = "reduced-rank regression M,N,H,r = " + shape;
        } else {
            throw new org.headlab.core.HeadLabException("unknown model '" + model + "'; available: normal-crossing,"
                    + " rrr");
        }
        boolean pass = Math.abs(r.llcMean() - theory) <= 3.5 * r.llcStd();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("estimate", r.llcMean());
            m.put("std", r.llcStd());
            m.put("theory", theory);
            m.put("pass", pass);
            m.put("mala_accept", r.malaMean());
            m.put("params", r.params());
            JsonOutput.print(out, m);
        } else {
            out.printf("%s: estimate %.4f ± %.4f, theory %.4f → %s (criterion |est − theory| ≤ 3.5·std)%n",
                    what, r.llcMean(), r.llcStd(), theory, pass ? "PASS" : "FAIL");
        }
        return pass ? 0 : 1;
    }
}
