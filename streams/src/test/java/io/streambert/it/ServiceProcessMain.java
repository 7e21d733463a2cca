package io.streambert.it;

import io.streambert.service.config.ServiceConfig;
import java.nio.file.Path;

/**
 * The service as a separate process for {@link KillAndRestartIT}: starts it from the given settings,
 * prints {@value #STARTED}, and runs until the process is killed. It never closes the service on purpose:
 * the test kills it with SIGKILL, the way a crashed host or an OOM kill would.
 *
 * <p>Arguments: bootstrap servers, application id, state directory.
 */
public final class ServiceProcessMain {
    static final String STARTED = "SERVICE-PROCESS-STARTED";

    private ServiceProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ServiceProcessMain <bootstrap> <application-id> <state-dir>");
            System.exit(2);
        }
        ServiceConfig config = ServiceUnderTest.config(args[0], args[1], Path.of(args[2])).build();
        AutoCloseable service = ServiceUnderTest.start(config);
        System.out.println(STARTED + " " + service);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
