package org.headlab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.NormalCrossing;
import org.headlab.core.estimate.llc.SgldConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code validate-llc normal-crossing --powers k1,k2,...}: devinterp's accuracy self-check of the sampler. */
@Command(name = "validate-llc", mixinStandardHelpOptions = true,
        description = "Self-check the SGLD sampler on the normal-crossing model (true LLC 1/(2·max k)).")
final class ValidateLlcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "normal-crossing")
    String model;

    @Option(names = "--powers", split = ",", required = true, description = "k1,k2,... one power per weight.")
    List<Integer> powers;

    @Option(names = "--chains", description = "Chains (default 10).")
    int chains = NormalCrossing.CHAINS;

    @Option(names = "--draws", description = "Draws per chain (default 5000).")
    int draws = NormalCrossing.DRAWS;

    @Option(names = "--seed", description = "Seed (default 1).")
    long seed = 1;

    @Option(names = "--sampler", description = "sgld (default) or rmsprop_sgld.")
    String sampler = "sgld";

    @Option(names = "--epsilon", description = "Step size (default devinterp's 4e-4; rmsprop_sgld wants ~1/10).")
    Double epsilon;

    @Option(names = "--json", description = "Print JSON (estimate, std, theory).")
    boolean json;

    @Override
    public Integer call() {
        if (!"normal-crossing".equals(model)) {
            throw new org.headlab.core.HeadLabException("unknown model '" + model + "'; available: normal-crossing");
        }
        int[] k = powers.stream().mapToInt(Integer::intValue).toArray();
        double theory = NormalCrossing.theory(k);
        SgldConfig cfg = NormalCrossing.devinterpConfig(seed).withChains(chains).withDraws(draws)
                .withSampler(SgldConfig.Sampler.of(sampler));
        if (epsilon != null) {
            cfg = cfg.withEpsilon(epsilon);
        }
        LlcResult r = NormalCrossing.estimate(k, cfg, () -> false);
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
            out.printf("normal crossing %s: estimate %.4f ± %.4f, theory %.4f → %s (criterion |est − theory| ≤ 3.5·std)%n",
                    powers, r.llcMean(), r.llcStd(), theory, pass ? "PASS" : "FAIL");
        }
        return pass ? 0 : 1;
    }
}
