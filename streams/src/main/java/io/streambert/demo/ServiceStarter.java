package io.streambert.demo;

import io.streambert.service.config.ServiceConfig;

/** Starts the service for the demo; closing the handle drains and stops it. A seam so tests can observe it. */
@FunctionalInterface
public interface ServiceStarter {
    AutoCloseable start(ServiceConfig config) throws Exception;
}
