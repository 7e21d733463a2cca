package io.streambert.broker;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for {@code *IT} classes: one {@link EmbeddedKafkaBroker} per test class,
 * started before the first test and closed (log dir deleted) after the last. Tests and
 * {@code @BeforeAll} methods receive it as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class FooIT {
 *     @Test void roundTrip(EmbeddedKafkaBroker broker) { ... broker.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    static {
        QuietKafkaLogs.apply();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(
            ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(
            ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    // Stored on the class-level context, so the store closes it once the class is done.
    private static EmbeddedKafkaBroker broker(ExtensionContext context) {
        ExtensionContext classContext = classContext(context);
        return classContext
                .getStore(NS)
                .getOrComputeIfAbsent(
                        "broker", key -> EmbeddedKafkaBroker.start(), EmbeddedKafkaBroker.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) c = c.getParent().get();
        return c;
    }
}
