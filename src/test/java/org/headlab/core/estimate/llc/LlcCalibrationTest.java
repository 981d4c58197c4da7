package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration rule on hand-made trials, and the file's round trip (store → calibrated). */
class LlcCalibrationTest {
    @TempDir
    Path run;

    static LlcCalibration.Trial trial(double eps, double nbeta, boolean converged, String resolution) {
        return new LlcCalibration.Trial(eps, nbeta, 200, 0.8, 0.05, 0.9, true, converged, resolution);
    }

    @Test
    void theLargestUsableStepWinsAndTiesGoToTheNearestNbeta() {
        List<LlcCalibration.Trial> trials = List.of(trial(1e-4, 30, true, "resolved"),
                trial(3e-4, 100, true, "resolved"), trial(3e-4, 10, true, "resolved"),
                trial(1e-3, 30, false, "resolved"), trial(3e-3, 30, true, "noise floor"));
        LlcCalibration.Choice c = LlcCalibration.choose(trials, 30);
        assertEquals(3e-4, c.chosen().orElseThrow().epsilon());
        assertEquals(10, c.chosen().orElseThrow().nbeta(), "|10 − 30| < |100 − 30|");
        assertTrue(c.reason().startsWith("largest ε of the 3 settings"), c.reason());
        LlcCalibration.Choice none = LlcCalibration.choose(List.of(trial(1e-3, 30, false, "resolved")), 30);
        assertTrue(none.chosen().isEmpty());
        assertTrue(none.reason().startsWith("none of the 1 settings"), none.reason());
    }

    @Test
    void aStoredChoiceIsFoundAtTheNearestStepAndMissingOnesSayWhatToRun() throws Exception {
        var trials = List.of(trial(3e-4, 30, true, "resolved"));
        LlcCalibration.store(run, "head 1:0", "train", 100, trials, LlcCalibration.choose(trials, 30));
        var other = List.of(trial(1e-3, 10, true, "resolved"));
        LlcCalibration.store(run, "head 1:0", "train", 4000, other, LlcCalibration.choose(other, 30));
        assertArrayEquals(new double[] {3e-4, 30, 200}, LlcCalibration.calibrated(run, "head 1:0", "train", 250), 0);
        assertArrayEquals(new double[] {1e-3, 10, 200}, LlcCalibration.calibrated(run, "head 1:0", "train", 3000), 0);
        // storing the same target, slice and step again replaces the entry
        LlcCalibration.store(run, "head 1:0", "train", 4000, trials, LlcCalibration.choose(trials, 30));
        assertEquals(2, Files.readString(run.resolve(LlcCalibration.FILE)).split("\"target\"").length - 1);
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> LlcCalibration.calibrated(run, "head 0:3", "train", 100));
        assertTrue(e.getMessage().endsWith("has no calibrated setting for head 0:3 on 'train': run llc-calibrate"
                + " for it first"), e.getMessage());
        Files.writeString(run.resolve(LlcCalibration.FILE), "[1, 2]");
        e = assertThrows(HeadLabException.class, () -> LlcCalibration.calibrated(run, "head 1:0", "train", 1));
        assertTrue(e.getMessage().endsWith("is not a calibration file (expected an object with an 'entries' list)"),
                e.getMessage());
    }
}
