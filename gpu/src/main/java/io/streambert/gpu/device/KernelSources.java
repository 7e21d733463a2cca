package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel sources bundled in the jar (classpath {@code /cuda/src/}, listed in {@code
 * sources.txt} by the build): what NVRTC compiles when the driver refuses a fatbin. The build
 * checks that they keep to NVRTC's rules (no host headers; every include one of these files).
 */
public record KernelSources(Map<String, String> files) {
    public static final String ROOT = "/cuda/src/";

    /** The bundled sources of the classpath. */
    public static KernelSources bundled() {
        String index = read(ROOT + "sources.txt");
        Map<String, String> files = new LinkedHashMap<>();
        for (String line : index.lines().map(String::trim).filter(s -> !s.isEmpty()).toList())
            files.put(line, read(ROOT + line));
        return new KernelSources(files);
    }

    /** The text of {@code name} (e.g. "sb_gemm.cu"). */
    public String source(String name) {
        String s = files.get(name);
        if (s == null)
            throw new DeviceException(
                    "no bundled kernel source " + name + " (have " + files.keySet() + ")");
        return s;
    }

    /** Every header (.cuh, .h), by include name. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        files.forEach(
                (n, s) -> {
                    if (n.endsWith(".cuh") || n.endsWith(".h")) h.put(n, s);
                });
        return h;
    }

    /**
     * SHA-256 over the source, every header and the compile options: what a cached cubin of {@code
     * name} depends on.
     */
    public String hash(String name, List<String> options) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            update(d, name);
            update(d, source(name));
            for (Map.Entry<String, String> h : headers().entrySet()) {
                update(d, h.getKey());
                update(d, h.getValue());
            }
            for (String o : options) update(d, o);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest d, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.update((byte) (b.length >>> 24));
        d.update((byte) (b.length >>> 16));
        d.update((byte) (b.length >>> 8));
        d.update((byte) b.length);
        d.update(b);
    }

    private static String read(String resource) {
        try (InputStream in = KernelSources.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new DeviceException(
                        "bundled kernel source " + resource + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeviceException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }
}
