package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

/**
 * Launch argument helpers. Checks a launch's Java arguments against what the kernel takes, so a
 * wrong argument list is a clear error instead of a kernel reading garbage. Codes as the emulator's
 * registry reports them: 'p' pointer ({@link DeviceBuffer}), 'i' 4-byte integer ({@link Integer}),
 * 'l' 8-byte integer ({@link Long}), 'f' float ({@link Float}).
 */
public final class KernelArgs {
    private KernelArgs() {}

    /**
     * An optional pointer parameter as the kernels take it: the pointer, then an int flag (1 = use
     * it). Device.launch has no null pointer, so when {@code optional} is null a buffer the kernel
     * will not read ({@code standIn}) takes its place and the flag is 0.
     */
    public static Object[] optional(DeviceBuffer optional, DeviceBuffer standIn) {
        return new Object[] {optional != null ? optional : standIn, optional != null ? 1 : 0};
    }

    /**
     * A launcher's precondition: an IllegalArgumentException with {@code message} when it does not
     * hold.
     */
    public static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /**
     * Only the argument kinds {@link Device} allows (the signature is unknown, e.g. on a real GPU).
     */
    static void checkKinds(String kernel, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            if (code(args[i]) == 0)
                throw new DeviceException(
                        "kernel "
                                + kernel
                                + ": argument "
                                + (i + 1)
                                + " is "
                                + (args[i] == null ? "null" : args[i].getClass().getSimpleName())
                                + "; a launch takes DeviceBuffer, Integer, Long or Float");
        }
    }

    static void check(String kernel, String signature, Object[] args) {
        checkKinds(kernel, args);
        if (signature == null) return;
        boolean ok = signature.length() == args.length;
        for (int i = 0; ok && i < args.length; i++) ok = signature.charAt(i) == code(args[i]);
        if (!ok) {
            StringBuilder got = new StringBuilder();
            for (Object a : args) got.append(code(a));
            throw new DeviceException(
                    "kernel "
                            + kernel
                            + " takes ("
                            + spell(signature)
                            + ") but was launched with ("
                            + spell(got.toString())
                            + ")");
        }
    }

    private static char code(Object a) {
        return switch (a) {
            case DeviceBuffer b -> 'p';
            case Integer i -> 'i';
            case Long l -> 'l';
            case Float f -> 'f';
            case null, default -> 0;
        };
    }

    private static String spell(String codes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < codes.length(); i++) {
            char c = codes.charAt(i);
            if (!s.isEmpty()) s.append(", ");
            s.append(
                    switch (c) {
                        case 'p' -> "pointer";
                        case 'i' -> "int";
                        case 'l' -> "long";
                        case 'f' -> "float";
                        case 'd' -> "double (unsupported)";
                        default -> "unsupported type";
                    });
        }
        return s.toString();
    }
}
