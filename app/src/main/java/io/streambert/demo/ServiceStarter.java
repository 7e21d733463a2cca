package io.streambert.demo;

import io.streambert.engine.Encoder;
import io.streambert.service.config.ServiceConfig;

/**
 * Starts the service for the demo with an already opened encoder (which the service then owns);
 * closing the handle drains and stops it.
 */
@FunctionalInterface
public interface ServiceStarter {
    AutoCloseable start(ServiceConfig config, Encoder encoder) throws Exception;
}
