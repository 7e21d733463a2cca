package io.streambert.service.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * The production exception handler the service always installs. A handler a user passes through
 * ({@code kafka.production.exception.handler} or the older {@code
 * kafka.default.production.exception.handler}) is wrapped, not trusted: whatever it answers, a
 * failed write to a {@code *-changelog} topic (the buffer store: the in-flight log; skipping it
 * loses records on the next restore) and a serialization error of our own outputs stay fatal. For
 * every other send error the user's handler decides (default: fail).
 */
public final class FatalProductionErrors implements ProductionExceptionHandler {
    /** Where {@link StreamsSettings} puts the user's handler class for this one to wrap. */
    public static final String DELEGATE = "streambert.production.exception.handler.delegate";

    private ProductionExceptionHandler delegate = new DefaultProductionExceptionHandler();

    @Override
    public void configure(Map<String, ?> configs) {
        Object cls = configs.get(DELEGATE);
        if (cls != null && !cls.toString().isBlank()) {
            try {
                delegate =
                        cls instanceof Class<?> c
                                ? (ProductionExceptionHandler) Utils.newInstance(c)
                                : Utils.newInstance(
                                        cls.toString(), ProductionExceptionHandler.class);
            } catch (ClassNotFoundException | ClassCastException e) {
                throw new org.apache.kafka.common.config.ConfigException(
                        DELEGATE, cls, "not a ProductionExceptionHandler: " + e);
            }
        }
        delegate.configure(new HashMap<>(configs));
    }

    /** True for the changelog topics of state stores, whose writes must never be skipped. */
    public static boolean isChangelog(String topic) {
        return topic != null && topic.endsWith("-changelog");
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context,
            ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (isChangelog(record.topic())) return Response.fail();
        Response r = delegate.handleError(context, record, exception);
        return r == null ? Response.fail() : r;
    }

    @Override
    public Response handleSerializationError(
            ErrorHandlerContext context,
            ProducerRecord record,
            Exception exception,
            SerializationExceptionOrigin origin) {
        return Response
                .fail(); // our serdes wrote a record they cannot write: a bug or a broken registry,
        // never data to drop
    }

    ProductionExceptionHandler delegate() {
        return delegate;
    }
}
