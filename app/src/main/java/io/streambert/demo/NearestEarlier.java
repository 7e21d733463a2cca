package io.streambert.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The demo's little vector search: remembers every embedding seen so far and, for a new one, finds
 * the earlier ones closest to it by cosine (the service's vectors are L2-normalised, so a dot
 * product). This is what a vector store downstream of the embedding topic would do.
 */
final class NearestEarlier {
    record Match(String id, double cosine) {}

    private final List<String> ids = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();

    /**
     * The k earlier embeddings most similar to {@code vector} (best first), then remembers it under
     * {@code id}.
     */
    List<Match> addAndFind(String id, List<Float> vector, int k) {
        float[] v = new float[vector.size()];
        for (int i = 0; i < v.length; i++) v[i] = vector.get(i);
        List<Match> all = new ArrayList<>();
        for (int j = 0; j < vectors.size(); j++) {
            float[] w = vectors.get(j);
            if (w.length != v.length) continue;
            double dot = 0;
            for (int i = 0; i < v.length; i++) dot += (double) v[i] * w[i];
            all.add(new Match(ids.get(j), dot));
        }
        all.sort(Comparator.comparingDouble(Match::cosine).reversed());
        ids.add(id);
        vectors.add(v);
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    int size() {
        return ids.size();
    }

    /**
     * "[nearest] msg-07 is closest to: msg-03 0.812 "text...", ..." for people watching the demo.
     */
    static String line(String id, List<Match> matches, java.util.Map<String, String> descriptions) {
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                java.util.Locale.ROOT, "[nearest]    %-10s nearest earlier:", id));
        for (int i = 0; i < matches.size(); i++) {
            Match m = matches.get(i);
            String d = descriptions.getOrDefault(m.id(), "");
            if (d.length() > 50) d = d.substring(0, 47) + "...";
            sb.append(i == 0 ? " " : "; ")
                    .append(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "%s (cos %.2f) \"%s\"",
                                    m.id(),
                                    m.cosine(),
                                    d));
        }
        return sb.toString();
    }
}
