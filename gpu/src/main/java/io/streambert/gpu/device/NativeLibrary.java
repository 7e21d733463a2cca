package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A shared library found at run time by the dynamic loader (dlopen through the FFM API), the first
 * of several sonames that loads: how CUDA's user-space libraries are reached (libcublas.so.13 then
 * .so.12, libnvrtc likewise), so one build works with whichever CUDA major a machine has. A system
 * property named by the caller may replace the list (comma-separated sonames or paths); "none"
 * means: behave as if none loads.
 */
public record NativeLibrary(String name, SymbolLookup lookup) {

    /**
     * Loads the first of {@code names} that dlopen finds; a DeviceException naming every try when
     * none does.
     */
    public static NativeLibrary first(String what, List<String> names) {
        List<String> failures = new ArrayList<>();
        for (String n : names) {
            if (n.equals("none")) {
                failures.add("none (disabled by configuration)");
                continue;
            }
            try {
                return new NativeLibrary(n, SymbolLookup.libraryLookup(n, Arena.global()));
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                failures.add(
                        n
                                + " ("
                                + (e.getMessage() == null
                                        ? e.getClass().getSimpleName()
                                        : e.getMessage())
                                + ")");
            }
        }
        throw new DeviceException(
                "no " + what + " library loads: tried " + String.join(", ", failures));
    }

    /** {@code property}'s comma-separated value when set, else {@code defaults}. */
    public static List<String> names(String property, List<String> defaults) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) return defaults;
        List<String> out = new ArrayList<>();
        for (String s : v.split(",", -1)) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    /**
     * A downcall handle to the first of {@code symbols} the library has; a DeviceException when it
     * has none.
     */
    public MethodHandle function(FunctionDescriptor descriptor, String... symbols) {
        for (String symbol : symbols) {
            var address = lookup.find(symbol);
            if (address.isPresent())
                return Linker.nativeLinker().downcallHandle(address.get(), descriptor);
        }
        throw new DeviceException(name + " has no symbol " + String.join(" or ", symbols));
    }

    /** A downcall handle to {@code symbol}; a DeviceException when the library lacks it. */
    public MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        return function(descriptor, symbol);
    }
}
