package io.streambert.demo;

import io.streambert.schemas.TextEvent;
import io.streambert.serde.EventSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The demo's sample traffic: a dozen chat/comment-style messages (ordinary and spammy ones), the
 * held-out SpamAssassin emails shipped beside the bundled model (test split: never trained on),
 * then an empty text and a poison pill (bytes that are neither Avro nor JSON) to show the
 * dead-letter topic. The bundled model was trained on emails, with ordinary English sentences as
 * ham (training/README.md); no labelled chat was available, so the chat messages show how it
 * carries over.
 */
public final class SampleEvents {
    private static final List<String> MESSAGES =
            List.of(
                    "Thanks for the quick delivery, the package arrived a day early!",
                    "Can someone help me reset my password? The link in the email expired.",
                    "FREE!!! Click now to claim your prize: http://spam.example/win",
                    "Congratulations, you were selected for a $1000 gift card. Reply with your bank details to claim it.",
                    "You are an idiot and everyone in this channel hates you.",
                    "Meeting moved to 3pm tomorrow, same room as last week.",
                    "Buy 10k followers for $5!!! Limited offer, DM me now, don't miss out",
                    "This update is garbage and whoever shipped it should be fired.",
                    "The weather in Lisbon is lovely this week, we walked along the river.",
                    "Ünïcödé — emoji 🤖 and\ttabs survive the trip through Kafka.",
                    "Shut up, nobody asked for your stupid opinion.",
                    "Does anyone have the slides from yesterday's talk on stream processing?");

    private SampleEvents() {}

    public static List<DemoInput> all(String topic) {
        Serializer<TextEvent> serializer = EventSerdes.registryFree().textEvents().serializer();
        List<DemoInput> out = new ArrayList<>();
        for (int i = 0; i < MESSAGES.size(); i++) {
            String id = String.format("msg-%02d", i + 1);
            out.add(
                    new DemoInput(
                            id,
                            serializer.serialize(topic, event(id, MESSAGES.get(i))),
                            MESSAGES.get(i),
                            true));
        }
        List<HeldOutEmails.Email> emails = HeldOutEmails.load();
        for (int i = 0; i < emails.size(); i++) {
            HeldOutEmails.Email e = emails.get(i);
            String id = String.format("email-%02d", i + 1);
            out.add(
                    new DemoInput(
                            id,
                            serializer.serialize(topic, event(id, e.text())),
                            "held-out " + e.group().replace('_', ' ') + " email: " + e.subject(),
                            true));
        }
        out.add(
                new DemoInput(
                        "empty-01",
                        serializer.serialize(topic, event("empty-01", "")),
                        "(an empty text)",
                        false));
        byte[] junk = {
            (byte) 0xC3,
            0x28,
            (byte) 0xFF,
            0x00,
            0x13,
            0x37,
            'n',
            'o',
            't',
            ' ',
            'a',
            'n',
            ' ',
            'e',
            'v',
            'e',
            'n',
            't'
        };
        out.add(
                new DemoInput(
                        "poison-01",
                        junk,
                        "(a poison pill: " + junk.length + " bytes that are neither Avro nor JSON)",
                        false));
        return out;
    }

    static TextEvent event(String id, String text) {
        return TextEvent.newBuilder()
                .setId(id)
                .setText(text)
                .setSource("demo")
                .setTenant("demo-tenant")
                .setEventTime(Instant.now())
                .setAttributes(Map.of("channel", "#general"))
                .build();
    }

    static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
