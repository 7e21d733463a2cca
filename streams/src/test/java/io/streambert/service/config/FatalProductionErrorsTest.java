package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.junit.jupiter.api.Test;

/**
 * A user's "continue" handler may skip a failed output write, never a changelog write or our
 * serialization error.
 */
class FatalProductionErrorsTest {
    /** What a user might install to "never stop": continue on everything. */
    public static final class AlwaysContinue implements ProductionExceptionHandler {
        @Override
        public Response handleError(
                ErrorHandlerContext c, ProducerRecord<byte[], byte[]> r, Exception e) {
            return Response.resume();
        }

        @Override
        public Response handleSerializationError(
                ErrorHandlerContext c,
                ProducerRecord r,
                Exception e,
                SerializationExceptionOrigin o) {
            return Response.resume();
        }

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    private static FatalProductionErrors guard(Object delegate) {
        FatalProductionErrors g = new FatalProductionErrors();
        g.configure(delegate == null ? Map.of() : Map.of(FatalProductionErrors.DELEGATE, delegate));
        return g;
    }

    private static final ErrorHandlerContext CONTEXT =
            new ErrorHandlerContext() {
                @Override
                public String topic() {
                    return "in";
                }

                @Override
                public int partition() {
                    return 0;
                }

                @Override
                public long offset() {
                    return 1;
                }

                @Override
                public org.apache.kafka.common.header.Headers headers() {
                    return new org.apache.kafka.common.header.internals.RecordHeaders();
                }

                @Override
                public String processorNodeId() {
                    return "p";
                }

                @Override
                public org.apache.kafka.streams.processor.TaskId taskId() {
                    return new org.apache.kafka.streams.processor.TaskId(0, 0);
                }

                @Override
                public long timestamp() {
                    return 0;
                }

                @Override
                public byte[] sourceRawKey() {
                    return null;
                }

                @Override
                public byte[] sourceRawValue() {
                    return null;
                }
            };

    private static ProducerRecord<byte[], byte[]> to(String topic) {
        return new ProducerRecord<>(topic, new byte[] {1}, new byte[] {2});
    }

    @Test
    void changelogWritesStayFatalWhateverTheUsersHandlerSays() {
        FatalProductionErrors g = guard(AlwaysContinue.class.getName());
        assertInstanceOf(AlwaysContinue.class, g.delegate());
        assertEquals(
                Result.FAIL,
                g.handleError(
                                CONTEXT,
                                to("streambert-buffer-changelog"),
                                new RecordTooLargeException("x"))
                        .result());
        assertEquals(
                Result.RESUME,
                g.handleError(CONTEXT, to("embeddings"), new RecordTooLargeException("x")).result(),
                "other topics: the user's handler decides");
    }

    @Test
    void serializationErrorsOfOurOutputsStayFatal() {
        FatalProductionErrors g = guard(AlwaysContinue.class);
        assertEquals(
                Result.FAIL,
                g.handleSerializationError(
                                CONTEXT,
                                new ProducerRecord<>("moderation", "k", "v"),
                                new SerializationException("x"),
                                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE)
                        .result());
    }

    @Test
    void withoutAUserHandlerEveryErrorFails() {
        FatalProductionErrors g = guard(null);
        assertEquals(
                Result.FAIL,
                g.handleError(CONTEXT, to("embeddings"), new RecordTooLargeException("x"))
                        .result());
    }
}
