package io.streambert.gpu.device;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cubins compiled by NVRTC, kept on disk so a process compiles each kernel file once per GPU
 * architecture, driver and source: the file name is {@code <kernel file>-<sha256 of source, headers
 * and options>-sm_<cc>-drv<driver>.cubin}. Folder: {@code -Dstreambert.cubinCache}, else {@code
 * $STREAMBERT_CUBIN_CACHE}, else {@code ~/.cache/streambert/cubin}. A folder that cannot be written
 * only costs recompiling (logged once).
 */
public final class CubinCache {
    private static final Logger LOG = LoggerFactory.getLogger(CubinCache.class);
    private final Path dir;
    private boolean warned;

    public CubinCache(Path dir) {
        this.dir = dir;
    }

    public static CubinCache fromConfiguration() {
        String p = System.getProperty("streambert.cubinCache");
        if (p == null || p.isBlank()) p = System.getenv("STREAMBERT_CUBIN_CACHE");
        if (p == null || p.isBlank())
            p = System.getProperty("user.home") + "/.cache/streambert/cubin";
        return new CubinCache(Path.of(p));
    }

    public Path dir() {
        return dir;
    }

    /** The cache file name for one kernel file compiled for one target. */
    public static String key(
            String file, String sourceHash, int ccMajor, int ccMinor, int driverVersion) {
        String base = file.endsWith(".cu") ? file.substring(0, file.length() - 3) : file;
        return base
                + "-"
                + sourceHash.substring(0, Math.min(32, sourceHash.length()))
                + "-sm_"
                + ccMajor
                + ccMinor
                + "-drv"
                + driverVersion
                + ".cubin";
    }

    /** The cached cubin, or null. */
    public synchronized byte[] get(String key) {
        Path f = dir.resolve(key);
        try {
            return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            warn("cannot read " + f + ": " + e.getMessage());
            return null;
        }
    }

    public synchronized void put(String key, byte[] cubin) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            Files.write(tmp, cubin);
            try {
                Files.move(
                        tmp,
                        dir.resolve(key),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UnsupportedOperationException e) {
            warn(
                    "cannot write "
                            + dir
                            + " (cubins will be recompiled next time): "
                            + e.getMessage());
        }
    }

    private void warn(String message) {
        if (!warned) LOG.warn("cubin cache: {}", message);
        warned = true;
    }
}
