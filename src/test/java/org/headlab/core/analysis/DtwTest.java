package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DTW against brute force, DBA on cases with a known centre, and DTW k-means against Euclidean k-means on curves built
 * so that only warping finds the groups.
 */
class DtwTest {

    /** Every monotone, continuous alignment of a and b, enumerated: the least √(sum of squares). */
    static double bruteForce(double[] a, double[] b, int i, int j) {
        double d = (a[i] - b[j]) * (a[i] - b[j]);
        if (i == a.length - 1 && j == b.length - 1) {
            return d;
        }
        double best = Double.POSITIVE_INFINITY;
        if (i + 1 < a.length && j + 1 < b.length) {
            best = Math.min(best, bruteForce(a, b, i + 1, j + 1));
        }
        if (i + 1 < a.length) {
            best = Math.min(best, bruteForce(a, b, i + 1, j));
        }
        if (j + 1 < b.length) {
            best = Math.min(best, bruteForce(a, b, i, j + 1));
        }
        return d + best;
    }

    @Test
    void theDistanceIsTheCheapestOfAllAlignmentsEnumerated() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 40; trial++) {
            double[] a = r.doubles(2 + r.nextInt(5), -2, 2).toArray();
            double[] b = r.doubles(2 + r.nextInt(5), -2, 2).toArray();
            assertEquals(Math.sqrt(bruteForce(a, b, 0, 0)), Dtw.distance(a, b), 1e-12, "trial " + trial);
            assertEquals(Dtw.distance(a, b), Dtw.distance(b, a), 1e-12, "symmetric");
        }
        assertEquals(0, Dtw.distance(new double[] {0, 1, 1, 2}, new double[] {0, 1, 2, 2}), 1e-12,
                "a repeated point warps away");
    }

    @Test
    void theBarycentreOfCopiesIsTheCurveAndOfShiftedStepsIsAStep() {
        double[] c = {0, 0, 1, 3, 3, 2};
        assertArrayEquals(c, Dtw.barycenter(List.of(c, c, c), new double[] {1, 1, 1, 1, 1, 1}), 1e-12);
        // the same step at three positions: the centre is a step (0s then 1s), whatever the start
        List<double[]> steps = List.of(new double[] {0, 0, 1, 1, 1, 1}, new double[] {0, 0, 0, 1, 1, 1},
                new double[] {0, 0, 0, 0, 1, 1});
        double[] centre = Dtw.barycenter(steps, steps.get(1));
        for (double[] s : steps) {
            assertEquals(0, Dtw.distance(centre, s), 1e-12, "every shifted step warps onto the centre");
        }
    }

    @Test
    void dtwKMeansGroupsShapesThatEuclideanKMeansSplitsByTiming() {
        // two shapes on 40 checkpoints: a rise, and a rise that gives back half of it six checkpoints later, each
        // turning at a different step (4 … 24). Far apart in time, two rises differ on ~2·shift points by ~1; a rise
        // and a give-back at the same time differ by only 0.5 on the tail: Euclidean distance sorts by timing, DTW,
        // which warps the timing away but not the give-back, by shape
        List<double[]> curves = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        for (int shift = 0; shift <= 20; shift += 4) {
            double[] rise = new double[40];
            double[] giveBack = new double[40];
            for (int t = 0; t < 40; t++) {
                rise[t] = 1 / (1 + Math.exp(-(t - 4 - shift)));
                giveBack[t] = rise[t] - 0.5 / (1 + Math.exp(-(t - 10 - shift)));
            }
            curves.add(rise);
            truth.add("rise");
            curves.add(giveBack);
            truth.add("give-back");
        }
        int[] dtw = Dtw.kmeans(curves, 2, 1, 10);
        List<String> found = new ArrayList<>();
        for (int c : dtw) {
            found.add("c" + c);
        }
        assertEquals(1.0, HeadClusters.adjustedRandIndex(truth, found), 1e-12);
        int[] euclid = euclideanKMeans(curves, 2);
        List<String> e = new ArrayList<>();
        for (int c : euclid) {
            e.add("c" + c);
        }
        assertNotEquals(1.0, HeadClusters.adjustedRandIndex(truth, e), "Euclidean k-means is misled by timing");
    }

    private static int[] euclideanKMeans(List<double[]> curves, int k) {
        List<org.apache.commons.math3.ml.clustering.DoublePoint> pts = curves.stream()
                .map(org.apache.commons.math3.ml.clustering.DoublePoint::new).toList();
        var clusters = new org.apache.commons.math3.ml.clustering.MultiKMeansPlusPlusClusterer<>(
                new org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer<
                        org.apache.commons.math3.ml.clustering.DoublePoint>(k, 300,
                        new org.apache.commons.math3.ml.distance.EuclideanDistance(),
                        new org.apache.commons.math3.random.MersenneTwister(1)), 20).cluster(pts);
        int[] out = new int[curves.size()];
        for (int c = 0; c < clusters.size(); c++) {
            for (var p : clusters.get(c).getPoints()) {
                for (int i = 0; i < pts.size(); i++) {
                    if (pts.get(i) == p) {
                        out[i] = c;
                    }
                }
            }
        }
        return out;
    }
}
