package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ForwardingDevice hands every {@link Device} method, the defaulted ones included, to the inner
 * device once, with the very same arguments, and returns the inner device's answer.
 */
class ForwardingDeviceTest {
    /** One call the inner device saw. */
    private record Call(Method method, List<Object> args) {}

    /** A stand-in of {@code type} whose every method fails: only its identity is used. */
    private static <T> T stub(Class<T> type) {
        return type.cast(
                Proxy.newProxyInstance(
                        type.getClassLoader(),
                        new Class<?>[] {type},
                        (proxy, method, args) -> {
                            throw new AssertionError("stub " + type.getSimpleName() + " called");
                        }));
    }

    private static final DeviceBuffer BUFFER = stub(DeviceBuffer.class);
    private static final UploadStream STREAM = stub(UploadStream.class);
    private static final Object MARK = new Object();

    /** What the inner device answers to a method returning {@code type}. */
    private static Object answer(Class<?> type) {
        if (type == void.class) return null;
        if (type == String.class) return "the inner device's name";
        if (type == DeviceBuffer.class) return BUFFER;
        if (type == UploadStream.class) return STREAM;
        if (type == Object.class) return MARK;
        if (type == double.class) return 42.5;
        throw new AssertionError("no answer for a method returning " + type);
    }

    /** An argument of each type a Device method takes; distinct objects per call. */
    private static Object argument(Class<?> type, int position) {
        if (type == String.class) return "kernel " + position;
        if (type == long.class) return 1000L + position;
        if (type == int.class) return 100 + position;
        if (type == float[].class) return new float[] {position};
        if (type == int[].class) return new int[] {position};
        if (type == Dim3.class) return Dim3.of(position + 1);
        if (type == Object[].class) return new Object[] {"argument", position};
        if (type == Object.class) return new Object();
        if (type == DeviceBuffer.class) return stub(DeviceBuffer.class);
        throw new AssertionError("no argument for a parameter of " + type);
    }

    static Stream<Method> deviceMethods() {
        return Arrays.stream(Device.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceMethods")
    void forwardsTheCallItsArgumentsAndTheAnswer(Method method) throws Exception {
        List<Call> calls = new ArrayList<>();
        Device inner =
                (Device)
                        Proxy.newProxyInstance(
                                Device.class.getClassLoader(),
                                new Class<?>[] {Device.class},
                                (proxy, m, a) -> {
                                    calls.add(
                                            new Call(m, a == null ? List.of() : Arrays.asList(a)));
                                    return answer(m.getReturnType());
                                });
        Device forwarding = new ForwardingDevice(inner) {};
        Class<?>[] types = method.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) args[i] = argument(types[i], i);

        Object got = method.invoke(forwarding, args);

        assertEquals(1, calls.size(), "the inner device is called once");
        Call call = calls.get(0);
        assertEquals(method.getName(), call.method().getName());
        assertArrayEquals(method.getParameterTypes(), call.method().getParameterTypes());
        assertEquals(args.length, call.args().size());
        for (int i = 0; i < args.length; i++) {
            String what = "argument " + i + " is passed on as it is";
            if (types[i].isPrimitive()) assertEquals(args[i], call.args().get(i), what);
            else assertSame(args[i], call.args().get(i), what);
        }
        Class<?> returns = method.getReturnType();
        if (returns.isPrimitive()) assertEquals(answer(returns), got, "the inner device's answer");
        else assertSame(answer(returns), got, "the inner device's answer");
    }
}
