package io.streambert.it;

import io.streambert.engine.Prediction;
import io.streambert.service.StreamBertService;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.testing.TestEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The service as a separate process for {@link KillAndRestartIT}: starts it from the given
 * settings, prints {@value #STARTED}, and runs until the process is killed. It never closes the
 * service on purpose: the test kills it with SIGKILL, the way a crashed host or an OOM kill would.
 *
 * <p>Arguments: bootstrap servers, application id, state directory.
 */
public final class ServiceProcessMain {
    static final String STARTED = "SERVICE-PROCESS-STARTED";

    private ServiceProcessMain() {}

    /**
     * A device whose context is lost once armed (after the start-up warm-up): every launch fails
     * stickily.
     */
    static final class StickyEncoder extends TestEncoder {
        volatile boolean armed;

        @Override
        public List<Prediction> encode(List<int[]> sequences) {
            if (armed)
                throw new io.streambert.engine.DeviceException(
                        "cuda:0: cuCtxSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (test)");
            return super.encode(sequences);
        }
    }

    /**
     * A {@link TestEncoder} that, while the file {@code gate} exists, holds every launch on the
     * "device" and creates {@code gate + ".in-encode"} to say a batch is in flight (SigkillInFlight
     * test).
     */
    static final class GatedEncoder extends TestEncoder {
        private final Path gate;
        volatile boolean armed; // not during the start-up warm-up

        GatedEncoder(Path gate) {
            this.gate = gate;
        }

        @Override
        public List<Prediction> encode(List<int[]> sequences) {
            try {
                if (armed && Files.exists(gate)) {
                    Files.writeString(
                            gate.resolveSibling(gate.getFileName() + ".in-encode"),
                            sequences.size() + " sequences\n");
                    while (Files.exists(gate)) Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return super.encode(sequences);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println(
                    "usage: ServiceProcessMain <bootstrap> <application-id> <state-dir>");
            System.exit(2);
        }
        ServiceConfig.Builder b =
                ServiceUnderTest.config(args[0], args[1], Path.of(args[2]))
                        .set(
                                ConfigKeys.NUM_STREAM_THREADS,
                                Integer.getInteger("streambert.child.threads", 1));
        String input = System.getProperty("streambert.child.input");
        if (input != null) b.set(ConfigKeys.TOPIC_INPUT, input);
        ServiceConfig config = b.build();
        StreamBertService service;
        if ("sticky".equals(System.getProperty("streambert.child.encoder"))) {
            StickyEncoder sticky = new StickyEncoder();
            service = StreamBertService.start(config, sticky);
            if (!service.awaitReady(Duration.ofSeconds(60)))
                throw new IllegalStateException("not ready: " + service.state());
            sticky.armed = true;
        } else if ("test".equals(System.getProperty("streambert.child.encoder"))) {
            String gate = System.getProperty("streambert.child.gate");
            GatedEncoder gated = gate == null ? null : new GatedEncoder(Path.of(gate));
            service = StreamBertService.start(config, gated == null ? new TestEncoder() : gated);
            if (!service.awaitReady(Duration.ofSeconds(60)))
                throw new IllegalStateException("not ready: " + service.state());
            if (gated != null) gated.armed = true;
        } else {
            service = (StreamBertService) ServiceUnderTest.start(config);
        }
        service.closeOnShutdown(); // SIGTERM: graceful close (SIGKILL skips it, as a crash would)
        System.out.println(STARTED + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
