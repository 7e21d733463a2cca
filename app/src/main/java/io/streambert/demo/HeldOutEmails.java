package io.streambert.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The held-out emails shipped beside the bundled model (heldout-emails.jsonl, written by
 * training/train.py from the test split, which the model never saw): real spam, ordinary ham and
 * hard ham from the SpamAssassin corpus.
 */
final class HeldOutEmails {
    private HeldOutEmails() {}

    /**
     * One email: corpus id, group (easy_ham, hard_ham, spam), true label and the subject + body
     * text.
     */
    record Email(String id, String group, String label, String text) {
        /** The subject line, shortened for a one-line description. */
        String subject() {
            String first = text.lines().findFirst().orElse("").strip();
            return first.length() > 60 ? first.substring(0, 57) + "..." : first;
        }
    }

    static List<Email> load() {
        String name = BundledModel.RESOURCE_DIR + "heldout-emails.jsonl";
        try (InputStream in = HeldOutEmails.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null)
                throw new IllegalStateException(
                        name + " is missing from the class path (is streambert.jar complete?)");
            ObjectMapper json = new ObjectMapper();
            List<Email> out = new ArrayList<>();
            BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                JsonNode n = json.readTree(line);
                out.add(
                        new Email(
                                n.get("id").asText(),
                                n.get("group").asText(),
                                n.get("label").asText(),
                                n.get("text").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
    }
}
