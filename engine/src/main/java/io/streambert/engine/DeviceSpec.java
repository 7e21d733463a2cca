package io.streambert.engine;

import java.util.Locale;

/**
 * Where an encoder runs, parsed once from the text a user gives ({@code --device}, {@code
 * model.device}, the {@code streambert.device} system property): {@code auto | cpu | cuda | cuda:N
 * | emulated}. The one place that gives those words a meaning: auto = the GPU when one is usable,
 * else the CPU; cuda = GPU 0; cuda:N = GPU N; emulated = the CUDA kernels run by the CPU emulation
 * (slow; for tests and checks).
 *
 * @param kind which backend
 * @param ordinal the GPU number for {@link Kind#CUDA} (0 for the other kinds)
 */
public record DeviceSpec(Kind kind, int ordinal) {

    /** The device kinds, by the word that names them. */
    public enum Kind {
        AUTO,
        CPU,
        CUDA,
        EMULATED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the words mean, for messages. */
    public static final String CHOICES = "auto | cpu | cuda | cuda:N | emulated";

    public static final DeviceSpec AUTO = new DeviceSpec(Kind.AUTO, 0);
    public static final DeviceSpec CPU = new DeviceSpec(Kind.CPU, 0);
    public static final DeviceSpec EMULATED = new DeviceSpec(Kind.EMULATED, 0);

    public DeviceSpec {
        if (kind == null) throw new IllegalArgumentException("device kind is null");
        if (ordinal < 0 || (kind != Kind.CUDA && ordinal != 0))
            throw new IllegalArgumentException(
                    "bad device ordinal " + ordinal + " for " + kind.word());
    }

    public static DeviceSpec cuda(int ordinal) {
        return new DeviceSpec(Kind.CUDA, ordinal);
    }

    /**
     * Parses {@code text} (case and surrounding blanks ignored; null or blank = auto).
     *
     * @throws IllegalArgumentException naming the bad text and the valid choices
     */
    public static DeviceSpec parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "", "auto" -> AUTO;
            case "cpu" -> CPU;
            case "emulated" -> EMULATED;
            case "cuda" -> cuda(0);
            default -> {
                if (!t.startsWith("cuda:"))
                    throw new IllegalArgumentException(
                            "unknown device '" + text + "' (" + CHOICES + ")");
                try {
                    int n = Integer.parseInt(t.substring("cuda:".length()));
                    if (n < 0) throw new NumberFormatException();
                    yield cuda(n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "bad device '" + text + "': cuda:N needs a GPU number N >= 0");
                }
            }
        };
    }

    /** The canonical word: auto, cpu, emulated, cuda:N. */
    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + ordinal : kind.word();
    }
}
