package io.streambert.gpu.acceptance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs JUnit test classes in this JVM (no Maven) and keeps one result per test, for the acceptance
 * report.
 */
final class TestRun {
    private TestRun() {}

    record Result(String test, String status, double seconds, String message) {}

    static List<Result> classes(List<String> classNames) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (String c : classNames) b.selectors(DiscoverySelectors.selectClass(c));
        return run(b.build());
    }

    private static List<Result> run(LauncherDiscoveryRequest request) {
        List<Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> started = new ConcurrentHashMap<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(
                request,
                new TestExecutionListener() {
                    @Override
                    public void executionStarted(TestIdentifier id) {
                        started.put(id.getUniqueId(), System.nanoTime());
                    }

                    @Override
                    public void executionSkipped(TestIdentifier id, String reason) {
                        if (id.isTest()) results.add(new Result(name(id), "skipped", 0, reason));
                    }

                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                        boolean failed = r.getStatus() != TestExecutionResult.Status.SUCCESSFUL;
                        // a class-level failure (e.g. @BeforeAll) fails its tests without running
                        // them: report it too
                        if (!id.isTest() && !failed) return;
                        double s =
                                (System.nanoTime()
                                                - started.getOrDefault(
                                                        id.getUniqueId(), System.nanoTime()))
                                        / 1e9;
                        String msg =
                                r.getThrowable()
                                        .map(
                                                t ->
                                                        t.getClass().getSimpleName()
                                                                + ": "
                                                                + t.getMessage())
                                        .orElse(null);
                        results.add(
                                new Result(
                                        name(id),
                                        r.getStatus() == TestExecutionResult.Status.ABORTED
                                                ? "skipped"
                                                : failed ? "failed" : "passed",
                                        s,
                                        msg));
                        System.out.printf(
                                "  %-7s %-70s %7.2f s%s%n",
                                failed ? "FAILED" : "ok",
                                name(id),
                                s,
                                msg == null ? "" : "  " + firstLine(msg));
                    }
                });
        return results;
    }

    /**
     * "GemmKernelTest[1].sweepOddShapes()" from a unique id like
     * [class-template:...GemmKernelTest]/[class-template-invocation:#1]/[method:...].
     */
    private static String name(TestIdentifier id) {
        String cls = "", inv = "";
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\[([a-z-]+):([^\\]]*)\\]")
                        .matcher(id.getUniqueId());
        while (m.find()) {
            String kind = m.group(1), value = m.group(2);
            if (kind.equals("class")
                    || kind.equals("class-template")
                    || kind.equals("nested-class"))
                cls = value.substring(value.lastIndexOf('.') + 1);
            else if (kind.equals("class-template-invocation"))
                inv = "[" + value.replace("#", "") + "]";
        }
        return cls + inv + (id.isTest() ? "." + id.getDisplayName() : "");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
