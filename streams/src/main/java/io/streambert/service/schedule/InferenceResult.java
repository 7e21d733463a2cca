package io.streambert.service.schedule;

import io.streambert.engine.Prediction;

/**
 * The outcome for one submitted sequence: a prediction, or why the encoder would not produce one.
 */
public sealed interface InferenceResult {

    DeviceBatch batch();

    record Success(Prediction prediction, DeviceBatch batch) implements InferenceResult {}

    /**
     * The encoder refused or failed this one sequence (the others of its batch were fine): the
     * record goes to the dead-letter topic with this message, it is not retried forever.
     */
    record Failure(String errorClass, String message, DeviceBatch batch)
            implements InferenceResult {}
}
