package org.headlab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.PathPatching.Path;
import org.headlab.core.estimate.ablation.PathPatching;
import org.headlab.core.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code patch RUN --path K:1:6}: path patching of the selected sender heads, estimators.md §6. */
@Command(name = "patch", mixinStandardHelpOptions = true,
        description = {"Path patching: each sender head (--heads) has its output ablated along one path only, into "
                + "a receiver head's query, key or value input or directly into the logits; Δloss as in ablate."})
final class PatchCommand extends AblateCommand {
    @Option(names = "--path", paramLabel = "P", split = ",", required = true,
            description = "Q:L:H, K:L:H, V:L:H (into head L:H's query/key/value input) or logits (the direct path); "
                    + "several separated by commas.")
    List<String> pathSpecs;

    List<Path> paths() {
        List<Path> out = new ArrayList<>();
        for (String p : pathSpecs) {
            String s = p.trim();
            if (s.equalsIgnoreCase("logits")) {
                out.add(Path.logits());
                continue;
            }
            int colon = s.indexOf(':');
            String kind = colon < 0 ? s : s.substring(0, colon).toUpperCase(Locale.ROOT);
            if (colon < 0 || !List.of("Q", "K", "V").contains(kind)) {
                throw new HeadLabException("path '" + p + "' must be Q:L:H, K:L:H, V:L:H or logits");
            }
            out.add(new Path(Path.Kind.valueOf(kind),
                    Head.parse(s.substring(colon + 1)).checkedAgainst(session.run().config())));
        }
        return out;
    }

    @Override
    void prepare(List<Head> selected) {
        super.prepare(selected);
        List<Path> ps = paths();
        // senders that have no later receiver are only meaningful for the logits path
        if (heads == null || heads.isEmpty()) {
            boolean receiverPaths = ps.stream().anyMatch(p -> p.kind() != Path.Kind.LOGITS);
            if (receiverPaths) {
                int minReceiver = ps.stream().filter(p -> p.kind() != Path.Kind.LOGITS)
                        .mapToInt(p -> p.receiver().layer()).min().orElse(Integer.MAX_VALUE);
                selected.removeIf(h -> h.layer() >= minReceiver);
            }
        }
    }

    @Override
    AblationResult compute(Transformer model, List<Head> selected) {
        return PathPatching.compute(model, slice, selected, paths(), parseAblation(), batchSize);
    }

    @Override
    List<String> columns() {
        return List.of("head", "path", "clean_loss", "ablated_loss", "delta", "normalized");
    }
}
