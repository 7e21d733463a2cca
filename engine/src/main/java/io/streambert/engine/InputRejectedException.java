package io.streambert.engine;

/**
 * An input the encoder will not run (too long under the reject policy, empty, id out of range): the
 * caller's fault, not the engine's.
 */
public class InputRejectedException extends IllegalArgumentException {
    public InputRejectedException(String message) {
        super(message);
    }
}
